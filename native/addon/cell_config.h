// Copyright 2026 ncp-silicon authors.
// Reads a model's cell kind and configuration (the same object for every backend: the CPU addon and the MLX addon).
#pragma once

#include <napi.h>

#include <string>
#include <variant>

#include "core/cell.h"
#include "core/cfc.h"
#include "core/ltc.h"
#include "core/wired_cfc.h"

namespace ncp::addon {

using CellConfig = std::variant<core::LtcConfig, core::CfcConfig, core::WiredCfcConfig>;

// Reads `cell` ('ltc' | 'cfc' | 'wired_cfc') and the matching `cellConfig` object.
CellConfig parse_cell_config(Napi::Env env, const std::string& api, const Napi::Object& config);

// A model's constructor config as every native backend reads it (src/backend/native-types.ts, NativeModelConfig):
// the API name for messages, the cell, mixed memory, the projection, the flat parameter buffer (a Float32Array or
// Float64Array within LIMITS.maxParameterBytes) and the offset of each tensor inside it.
struct ModelConfig {
  std::string api;
  CellConfig cell;
  bool mixed_memory = false;
  int proj_size = 0;
  Napi::TypedArray params;
  core::ParamOffsets offsets;
};

// `value` is the constructor's argument; `class_name` names it in messages until config.api is read.
ModelConfig read_model_config(Napi::Env env, const Napi::Value& value, const char* class_name);

}  // namespace ncp::addon
