// Copyright 2026 ncp-silicon authors.
#pragma once

#include <napi.h>

namespace ncp::addon {

// Adds the monitoring entry points (nativeMemory, setProfiling, drainProfile, calibrate, …) to the exports.
void register_monitor(Napi::Env env, Napi::Object exports);

}  // namespace ncp::addon
