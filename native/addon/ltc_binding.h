// Copyright 2026 ncp-silicon authors.
// Reads the LTC cell configuration that TS passes to the native model (src/backend/native-types.ts).
#pragma once

#include <napi.h>

#include "core/ltc.h"

namespace ncp::addon {

// Reads a plain JS object
//   { inputSize, units, motorSize, odeUnfolds: positive integers (1 ≤ motorSize ≤ units), epsilon: finite ≥ 0,
//     inputMapping, outputMapping: 'affine' | 'linear' | 'none', implicitParamConstraints: boolean }
// (SPEC.md's names: the same spelling as src/backend/cell-spec.ts)
// checking every field's type before converting it. Throws Napi::TypeError (wrong kind) or Napi::RangeError
// (bad value) shaped "<api>: expected <what> for config.<field>, received <what>.".
core::LtcConfig parse_ltc_config(const Napi::Object& config, const char* api);

}  // namespace ncp::addon
