// Copyright 2026 ncp-silicon authors.
#pragma once

#include <napi.h>

namespace ncp::addon {

// Adds the optimizer entry points (optimizerStep, …) to the module exports.
void register_optim(Napi::Env env, Napi::Object exports);

}  // namespace ncp::addon
