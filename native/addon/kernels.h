// Copyright 2026 ncp-silicon authors.
#pragma once

#include <napi.h>

namespace ncp::addon {

// Adds the kernel entry points (one binding file per kernel family) to the module exports.
void register_kernels(Napi::Env env, Napi::Object exports);

}  // namespace ncp::addon
