// Copyright 2026 ncp-silicon authors.
// The size bounds the addon checks when it reads a configuration or a call, before it allocates anything: the
// same numbers as LIMITS in src/limits.ts, the one documented source of truth (docs/models.md, "Size limits").
// The TS layer checks them first; these hold for callers that reach the addon directly. Change both together.
#pragma once

namespace ncp::addon::limits {

constexpr double kMaxUnits = 16384;
constexpr double kMaxInputs = 65536;
constexpr double kMaxBackboneUnits = 65536;
constexpr double kMaxBackboneLayers = 64;
constexpr double kMaxProjSize = 65536;
constexpr double kMaxBatchSteps = 134217728;       // 2^27
constexpr double kMaxParameterBytes = 1073741824;  // 1 GiB
constexpr double kMaxWorkspaceBytes = 4294967296;  // 4 GiB (the MLX addon's call bound, mlx/mlx_memory.h)

}  // namespace ncp::addon::limits
