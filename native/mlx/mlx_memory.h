// Copyright 2026 ncp-silicon authors.
// The device-memory bound of one MLX sequence call: the estimate of src/backend/mlx-memory.ts (the same formula;
// change both together) against the smaller of LIMITS.maxWorkspaceBytes and the device's budget. The TS layer
// checks first (models/call-limits.ts); this holds for callers that reach the addon directly. It matters most on
// MLX's CPU device, where an allocation failure inside MLX is a crash (its allocator returns a null buffer).
#pragma once

#include <napi.h>

#include <string>

#include "mlx/mlx_call_args.h"

namespace ncp::mlx_backend {

// What one call may hold on the device: Metal's recommended working set, else MLX's memory limit (on its CPU
// device 0.8 × the machine's memory, which MLX does not enforce).
double device_budget_bytes();

// Bytes the call's graph may hold on the device at its peak.
double call_bytes(const ModelShape& shape, const CallSizes& sizes, const SequenceCall& call);

// A RangeError with code NCP_SIZE_LIMIT when the call's estimate exceeds the bound, before MLX allocates anything.
void check_call_memory(Napi::Env env, const std::string& api, const ModelShape& shape, const CallSizes& sizes,
                       const SequenceCall& call);

}  // namespace ncp::mlx_backend
