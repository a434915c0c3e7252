// Copyright 2026 ncp-silicon authors.
// The optimizer step on the MLX device, appended to a training call's graph so that forward, loss, backward and
// update are one evaluation and the parameters and moments never leave the device between batches. The equations,
// clipping and refusals are core/optim.h's (PyTorch's Adam, AdamW and SGD), in float32 MLX ops.
#pragma once

#include <optional>
#include <vector>

#include "core/optim.h"
#include "mlx/mlx_params.h"

namespace ncp::mlx_backend {

// First and second moments (Adam, AdamW) or the momentum buffer (SGD, in m), one array per trainable slot.
struct DeviceMoments {
  std::vector<mx::array> m, v;
};

// One update's settings, validated and copied on the main thread.
struct UpdateCall {
  core::OptimizerConfig config;
  std::vector<std::size_t> non_negative;       // trainable slots clamped at 0 after the update
  std::optional<std::vector<float>> m, v;      // the host's moments (the trainable prefix) to start from
};

// The update as graph nodes: the new trainable arrays and moments, and two scalars.
struct UpdateGraph {
  std::vector<mx::array> params;  // one per trainable slot
  DeviceMoments moments;
  mx::array grad_norm;            // the gradient's 2-norm before any scaling (NaN or Inf where an element is)
  mx::array applied;              // bool: loss finite, gradient finite and within core/optim.h's bound once scaled
};

// The trainable prefix's length: where the host's flat moments end.
std::size_t trainable_length(const DeviceParams& params);

DeviceMoments zero_moments(const DeviceParams& params);
DeviceMoments upload_moments(const DeviceParams& params, const float* m, const float* v);

// `grads`: one per trainable slot (a SequenceGraph's first gradients). Where `applied` is false every output
// equals its input: nothing moves, as core::optimizer_step writes nothing when it refuses a gradient.
UpdateGraph update_graph(const UpdateCall& update, const DeviceParams& params, const std::vector<mx::array>& grads,
                         const DeviceMoments& moments, const mx::array& loss);

// Copies the trainable arrays (or moments) into a flat host buffer at the slots' offsets.
void copy_trainable(const DeviceParams& params, const std::vector<mx::array>& arrays, float* flat);

}  // namespace ncp::mlx_backend
