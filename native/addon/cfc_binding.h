// Copyright 2026 ncp-silicon authors.
// Reads the CfC cell configurations that TS passes to the native model (src/backend/native-types.ts,
// NativeModelConfig.cellConfig; built by src/models/cfc.ts).
#pragma once

#include <napi.h>

#include "core/cfc.h"
#include "core/wired_cfc.h"

namespace ncp::addon {

// Reads a plain JS object
//   { inputSize, units: integers from 1 to 2^24, mode: 'default' | 'no_gate' | 'pure',
//     activation: 'lecun_tanh' | 'tanh' | 'relu' | 'gelu' | 'silu', backboneUnits: integer from 1 to 2^24,
//     backboneLayers: integer from 0 to 64, backboneDropout: number in [0, 1) }
// checking every field's type before converting it. Throws Napi::TypeError (wrong kind) or Napi::RangeError
// (bad value) shaped "<api>: expected <what> for config.<field>, received <what>.".
core::CfcConfig parse_cfc_config(const Napi::Object& config, const char* api);

// Reads { inputSize: integer from 1 to 2^24, mode: as above, layerSizes: non-empty array of integers from 1 to
// 2^24 } with the same checks (element errors name config.layerSizes[i]).
core::WiredCfcConfig parse_wired_cfc_config(const Napi::Object& config, const char* api);

}  // namespace ncp::addon
