// Copyright 2026 ncp-silicon authors.
// Reads a model's cell kind and configuration (the same object for every backend: the CPU addon and the MLX addon).
#pragma once

#include <napi.h>

#include <string>
#include <variant>

#include "core/cfc.h"
#include "core/ltc.h"
#include "core/wired_cfc.h"

namespace ncp::addon {

using CellConfig = std::variant<core::LtcConfig, core::CfcConfig, core::WiredCfcConfig>;

// Reads `cell` ('ltc' | 'cfc' | 'wired_cfc') and the matching `cellConfig` object.
CellConfig parse_cell_config(Napi::Env env, const std::string& api, const Napi::Object& config);

}  // namespace ncp::addon
