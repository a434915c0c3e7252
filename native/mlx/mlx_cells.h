// Copyright 2026 ncp-silicon authors.
// One step of each cell (SPEC.md §2–4) as MLX graph operations on a whole batch, float32. The same math as the
// CPU cells in native/core, written densely as ncps does (masked synapses multiply by zero): MLX differentiates
// it, so the backward pass is exact without a hand-written twin. Shapes: x B×S, h B×H, dt B×1.
#pragma once

#include <optional>
#include <vector>

#include "mlx/mlx_params.h"

namespace ncp::mlx_backend {

// What a sequence precomputes once per call from the parameters (transformed weights, masks applied).
struct StepConstants {
  std::map<std::string, mx::array> values;
  const mx::array& operator[](const std::string& name) const { return values.at(name); }
};

StepConstants prepare_step(const ModelShape& shape, const std::map<std::string, mx::array>& params);

struct StepOut {
  mx::array h_next;
  mx::array y;  // the cell's output, before the projection
};

// `dropout`: per backbone layer l ≥ 1, the B×U keep-and-scale factors of this step (empty: no dropout).
StepOut cell_step(const ModelShape& shape, const StepConstants& k, const mx::array& x, const mx::array& h,
                  const mx::array& dt, const std::vector<mx::array>& dropout);

// Mixed memory (SPEC.md §4): (h, c) ← LSTMCell(x, (h, c)).
std::pair<mx::array, mx::array> lstm_step(const StepConstants& k, const mx::array& x, const mx::array& h,
                                          const mx::array& c);

// y·Wᵀ + b of the projection.
mx::array project(const StepConstants& k, const mx::array& y);

}  // namespace ncp::mlx_backend
