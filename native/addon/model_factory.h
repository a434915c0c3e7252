// Copyright 2026 ncp-silicon authors.
// Turns a parsed cell configuration and a flat parameter buffer into a runnable sequence model. Every layer
// copies what it reads (each tensor checked to lie inside the buffer): the model keeps no pointer into `params`.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <variant>

#include "core/cfc.h"
#include "core/ltc.h"
#include "core/sequence.h"
#include "core/wired_cfc.h"

namespace ncp::addon {

using CellConfig = std::variant<core::LtcConfig, core::CfcConfig, core::WiredCfcConfig>;

// Reads `cell` ('ltc' | 'cfc' | 'wired_cfc') and the matching `cellConfig` object.
CellConfig parse_cell_config(Napi::Env env, const std::string& api, const Napi::Object& config);

template <typename T>
std::shared_ptr<const core::SequenceModelBase<T>> make_sequence_model(const CellConfig& config, bool mixed_memory,
                                                                      int proj_size, const T* params,
                                                                      const core::ParamOffsets& offsets,
                                                                      std::size_t param_count);

}  // namespace ncp::addon
