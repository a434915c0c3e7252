// Copyright 2026 ncp-silicon authors.
#include "mlx/mlx_memory.h"

#include <algorithm>
#include <cstdio>
#include <variant>

#include "addon/errors.h"
#include "addon/limits.h"
#include "mlx/memory.h"
#include "mlx/mlx.h"

namespace ncp::mlx_backend {
namespace {

// float32 values one sample holds for one step of a backward graph (`forward`: at once in a forward call).
double values_per_sample(const ModelShape& shape, double state, bool forward) {
  const double lstm = shape.mixed_memory ? 16 * state : 0;
  if (const auto* ltc = std::get_if<core::LtcConfig>(&shape.cell)) {
    const double n = ltc->units, s = ltc->inputs, unfolds = forward ? 1 : ltc->unfolds;
    return 10 * unfolds * (n * n + s * n) + 32 * n + lstm;
  }
  if (const auto* cfc = std::get_if<core::CfcConfig>(&shape.cell)) {
    return 4.0 * cfc->backbone_units * cfc->backbone_layers + 8.0 * cfc->units + 2.0 * cfc->inputs + lstm;
  }
  const auto& wired = std::get<core::WiredCfcConfig>(shape.cell);
  return 12 * (wired.inputs + state) + lstm;
}

// A byte count in full ("73134631424"), however large.
std::string whole(double bytes) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.0f", bytes);
  return text;
}

}  // namespace

double device_budget_bytes() {
  const auto& facts = mx::device_info(mx::default_device());
  auto working_set = facts.find("max_recommended_working_set_size");
  if (working_set != facts.end() && std::holds_alternative<size_t>(working_set->second)) {
    return static_cast<double>(std::get<size_t>(working_set->second));
  }
  return static_cast<double>(mx::get_memory_limit());
}

double call_bytes(const ModelShape& shape, const CallSizes& sizes, const SequenceCall& call) {
  const double b = call.batch, l = call.steps, state = static_cast<double>(sizes.state);
  const double params = static_cast<double>(sizes.params);
  const double io = b * l * (sizes.inputs + (call.timespans ? 1 : 0) + sizes.outputs + state) + 2 * b * state;
  const double values = call.backward
                            ? b * l * values_per_sample(shape, state, false) + l * 2 * params + 8 * params + 2 * io
                            : b * values_per_sample(shape, state, true) + 2 * params + 2 * io;
  return values * 4;
}

void check_call_memory(Napi::Env env, const std::string& api, const ModelShape& shape, const CallSizes& sizes,
                       const SequenceCall& call) {
  const double budget = device_budget_bytes();
  const bool from_limits = addon::limits::kMaxWorkspaceBytes <= budget;
  const double most = std::min(addon::limits::kMaxWorkspaceBytes, budget);
  const double bytes = call_bytes(shape, sizes, call);
  if (bytes <= most) return;
  addon::throw_limit(env, api, "the memory of this call on the MLX device (its graph, estimated before it runs)",
                     "at most " + whole(most) + " bytes (" +
                         (from_limits ? "LIMITS.maxWorkspaceBytes" : "the device's budget") + ")",
                     whole(bytes) + " bytes (batch " + std::to_string(call.batch) + ", length " +
                         std::to_string(call.steps) + (call.backward ? " with gradients" : "") +
                         "; use a smaller batch or shorter sequences, or backend: 'cpu')");
}

}  // namespace ncp::mlx_backend
