// Copyright 2026 ncp-silicon authors.
// First-order optimizers over one flat parameter buffer (the trainable prefix of a model's parameter
// layout, src/models/param-layout.ts). Pure C++17, no N-API: the addon (addon/optim_binding.cpp) validates
// the JS buffers and calls these.
//
// The update rules are PyTorch's (torch/optim/adam.py, adamw.py, sgd.py, single-tensor path), so a model
// trained here and one trained by ncps with the same hyper-parameters follow the same equations:
//
//   g   = grad_scale · grad                          (clip-by-norm folded in: no extra pass over grads)
//   Adam   g += wd · p  (L2, coupled)            AdamW  p -= lr · wd · p  (decoupled, before the moments)
//          m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²
//          p -= (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + eps)
//   SGD    g += wd · p;  b = g at t = 1, else μ b + g;  g = nesterov ? g + μ b : b;  p -= lr · g
//
// Every loop runs in element order on one thread, so results are bit-identical from run to run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/cell.h"

namespace ncp::core {

enum class OptimizerKind { Sgd, Adam, AdamW };

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::Adam;
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;  // SGD only; 0 = plain SGD (no buffer needed)
  bool nesterov = false;
  // 1-based count of updates including this one (bias correction; SGD's first-step buffer init).
  std::int64_t step = 1;
  // Multiplies the gradient before anything else: clip-by-norm without writing the gradient buffer.
  double grad_scale = 1;
  // > 0: clip_grad_norm_ to this 2-norm, from the norm the step computes anyway (folded into grad_scale).
  double max_grad_norm = 0;
};

// The gradient has a NaN or ±Inf, or an element whose square (once scaled) overflows T (an exploding
// gradient, which would turn Adam's second moment into Inf). Thrown before any buffer is written.
struct NonFiniteGradient : InvalidArgument {
  double norm;        // the gradient's 2-norm (before any scaling; NaN or Inf when an element is)
  std::size_t index;  // the first offending element, or the length when only the norm overflowed
  NonFiniteGradient(const std::string& message, double n, std::size_t i)
      : InvalidArgument(Kind::Range, message), norm(n), index(i) {}
};

// Checks the hyper-parameters (finite, in range); throws InvalidArgument (core/cell.h) naming `api`.
void check_optimizer_config(const OptimizerConfig& config, const char* api);

// One update of params[0, length). It first reads the gradient once (the norm when clipping, else an
// order-free bound check) and throws NonFiniteGradient, with nothing written, unless every element of the
// gradient as applied (grad_scale · clip · grads) is finite with a square T can hold. m: first moment (Adam/AdamW) or momentum buffer (SGD with momentum);
// v: second moment (Adam/AdamW only; may be nullptr for SGD). m may be nullptr for SGD without momentum.
// grads is read only. None of the buffers may overlap.
template <typename T>
void optimizer_step(const OptimizerConfig& config, T* params, const T* grads, T* m, T* v, std::size_t length);

// sqrt(Σ g²), accumulated in double in element order (clip_grad_norm_'s total 2-norm over one buffer).
template <typename T>
double grad_norm(const T* grads, std::size_t length);

}  // namespace ncp::core
