// Copyright 2026 ncp-silicon authors.
#include "core/optim.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "core/cell.h"

namespace ncp::core {
namespace {

[[noreturn]] void fail(const char* api, const char* name, const std::string& expected, double received) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", received);
  throw InvalidArgument(InvalidArgument::Kind::Range, std::string(api) + ": expected " + expected + " for " + name +
                                                          ", received number " + buffer + ".");
}

// Loops are branch-free with constants hoisted so the compiler can vectorise them. (The Adam loop still runs
// scalar under GCC unless -fno-math-errno: std::sqrt keeps an errno branch. At ~5 ns per parameter it is far
// below 0.1% of a training batch, so we keep the portable code.)
template <typename T>
void adam_step(const OptimizerConfig& c, T* p, const T* g, T* m, T* v, std::size_t n) {
  const T scale = static_cast<T>(c.grad_scale);
  const T b1 = static_cast<T>(c.beta1), b2 = static_cast<T>(c.beta2);
  const T one_minus_b1 = static_cast<T>(1 - c.beta1), one_minus_b2 = static_cast<T>(1 - c.beta2);
  // Bias corrections in double: β^t underflows gracefully and T = float would lose digits for large t.
  const double t = static_cast<double>(c.step);
  const T step_size = static_cast<T>(c.lr / (1 - std::pow(c.beta1, t)));
  const T inv_bc2_sqrt = static_cast<T>(1 / std::sqrt(1 - std::pow(c.beta2, t)));
  const T eps = static_cast<T>(c.eps);
  const bool decoupled = c.kind == OptimizerKind::AdamW;
  // AdamW shrinks the weights first (p ← p·(1 - lr·wd)); Adam adds wd·p to the gradient (L2). Both are applied
  // unconditionally with neutral values (×1, +0·p: exact) so the loop has no branch.
  const T shrink = static_cast<T>(decoupled ? 1 - c.lr * c.weight_decay : 1);
  const T l2 = static_cast<T>(decoupled ? 0 : c.weight_decay);
  for (std::size_t i = 0; i < n; ++i) {
    const T gi = scale * g[i] + l2 * p[i];
    const T pi = p[i] * shrink;
    const T mi = b1 * m[i] + one_minus_b1 * gi;
    const T vi = b2 * v[i] + one_minus_b2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = pi - step_size * (mi / (std::sqrt(vi) * inv_bc2_sqrt + eps));
  }
}

template <typename T>
void sgd_step(const OptimizerConfig& c, T* p, const T* g, T* buf, std::size_t n) {
  const T scale = static_cast<T>(c.grad_scale);
  const T lr = static_cast<T>(c.lr), wd = static_cast<T>(c.weight_decay), mu = static_cast<T>(c.momentum);
  if (c.momentum == 0) {
    for (std::size_t i = 0; i < n; ++i) p[i] -= lr * (scale * g[i] + wd * p[i]);
    return;
  }
  // PyTorch starts the momentum buffer at the first gradient (not at zero), so step 1 is a plain SGD step.
  const bool first = c.step == 1;
  for (std::size_t i = 0; i < n; ++i) {
    const T gi = scale * g[i] + wd * p[i];
    const T bi = first ? gi : mu * buf[i] + gi;
    buf[i] = bi;
    p[i] -= lr * (c.nesterov ? gi + mu * bi : bi);
  }
}

}  // namespace

void check_optimizer_config(const OptimizerConfig& c, const char* api) {
  if (!(c.lr >= 0) || !std::isfinite(c.lr)) fail(api, "lr", "a finite number ≥ 0", c.lr);
  if (!(c.weight_decay >= 0) || !std::isfinite(c.weight_decay)) {
    fail(api, "weightDecay", "a finite number ≥ 0", c.weight_decay);
  }
  if (!(c.grad_scale > 0) || !std::isfinite(c.grad_scale)) fail(api, "gradScale", "a finite number > 0", c.grad_scale);
  if (c.step < 1) fail(api, "step", "an integer ≥ 1", static_cast<double>(c.step));
  if (c.kind == OptimizerKind::Sgd) {
    if (!(c.momentum >= 0 && c.momentum < 1)) fail(api, "momentum", "a number in [0, 1)", c.momentum);
    if (c.nesterov && c.momentum == 0) fail(api, "momentum", "a number in (0, 1) with nesterov", c.momentum);
    return;
  }
  if (!(c.beta1 >= 0 && c.beta1 < 1)) fail(api, "beta1", "a number in [0, 1)", c.beta1);
  if (!(c.beta2 >= 0 && c.beta2 < 1)) fail(api, "beta2", "a number in [0, 1)", c.beta2);
  if (!(c.eps > 0) || !std::isfinite(c.eps)) fail(api, "eps", "a finite number > 0", c.eps);
}

template <typename T>
void optimizer_step(const OptimizerConfig& config, T* params, const T* grads, T* m, T* v, std::size_t length) {
  check_optimizer_config(config, "optimizerStep");
  const bool needs_m = config.kind != OptimizerKind::Sgd || config.momentum != 0;
  const bool needs_v = config.kind != OptimizerKind::Sgd;
  if (length > 0 && (params == nullptr || grads == nullptr || (needs_m && m == nullptr) || (needs_v && v == nullptr))) {
    throw InvalidArgument(InvalidArgument::Kind::Type, "optimizerStep: a state buffer this optimizer needs is missing.");
  }
  if (config.kind == OptimizerKind::Sgd) sgd_step(config, params, grads, m, length);
  else adam_step(config, params, grads, m, v, length);
}

template <typename T>
double grad_norm(const T* grads, std::size_t length) {
  double sum = 0;
  for (std::size_t i = 0; i < length; ++i) {
    const double g = static_cast<double>(grads[i]);
    sum += g * g;
  }
  return std::sqrt(sum);
}

template void optimizer_step<float>(const OptimizerConfig&, float*, const float*, float*, float*, std::size_t);
template void optimizer_step<double>(const OptimizerConfig&, double*, const double*, double*, double*, std::size_t);
template double grad_norm<float>(const float*, std::size_t);
template double grad_norm<double>(const double*, std::size_t);

}  // namespace ncp::core
