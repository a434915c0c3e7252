// Copyright 2026 ncp-silicon authors.
// A whole sequence call on the MLX device: the graph of every step (× ODE unfolds) is built at once and evaluated
// once, and forwardBackward takes MLX's vector-Jacobian product of that graph, so a call crosses into MLX once.
// Inputs and results are host copies owned by the call (nothing here reads JS memory), float32.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/loss.h"
#include "mlx/mlx_params.h"

namespace ncp::mlx_backend {

struct SequenceCall {
  int batch = 0, steps = 0;
  bool batch_first = true, return_sequences = true;
  std::vector<float> input;                      // B×L×S or L×B×S
  std::optional<std::vector<float>> timespans;   // B×L or L×B; absent: Δ = 1
  std::optional<std::vector<float>> h0, c0;      // B×H; absent: zeros
  bool want_h_sequence = false;                  // B×L×H states after each step
  // Backward (forwardBackward only): incoming gradients (absent: zeros) and which results to produce.
  bool backward = false;
  std::optional<std::vector<float>> d_output, d_h_final, d_c_final;
  bool want_d_input = false, want_d_timespans = false, want_d_h0 = false, want_d_c0 = false, want_d_params = false;
  std::uint64_t dropout_seed = 0;                // 0: no backbone dropout (forward and backward)
  // The fused loss (forwardBackwardLoss): a scalar loss of the output inside the graph, its cotangent 1, so the
  // one vector-Jacobian product gives every gradient; d_output is then unused. Index targets arrive one-hot.
  struct Loss {
    core::LossKind kind = core::LossKind::Mse;
    std::vector<float> target;                   // the output's layout (rows·P)
    std::optional<std::vector<float>> mask;      // one 0/1 per row
    double count = 0;                            // terms of the mean (core::loss_count)
  };
  std::optional<Loss> loss;
};

struct SequenceResult {
  std::vector<float> output, h_final, c_final, h_sequence;
  std::vector<float> d_input, d_timespans, d_h0, d_c0;
  std::vector<float> d_params;  // the flat layout's length; zeros for buffers
  double loss = 0;               // fused calls: the batch mean
};

// A call's graph, not yet evaluated: `values` are output, h, c, [h_sequence], [loss]; with backward, `grads` are
// the vector-Jacobian product's results, one per primal (the trainable parameters in order, then input,
// timespans, h0, c0). A training step on the device (mlx_optim.h) adds its update to this graph before evaluating.
struct SequenceGraph {
  std::vector<mx::array> values;
  std::vector<mx::array> grads;
};

SequenceGraph build_sequence(const ModelShape& shape, const DeviceParams& params, const SequenceCall& call);

// Evaluates what the call wants of `graph` (plus `also`, in the same evaluation) and copies it to the host.
SequenceResult collect(const ModelShape& shape, const DeviceParams& params, std::size_t param_length,
                       const SequenceCall& call, const SequenceGraph& graph, const std::vector<mx::array>& also = {});

// build_sequence then collect: one graph, one evaluation.
SequenceResult run_sequence(const ModelShape& shape, const DeviceParams& params,
                            std::size_t param_length, const SequenceCall& call);

}  // namespace ncp::mlx_backend
