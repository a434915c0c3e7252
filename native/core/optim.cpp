// Copyright 2026 ncp-silicon authors.
#include "core/optim.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "core/cell.h"
#include "core/format.h"

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
  if (!(c.max_grad_norm >= 0) || !std::isfinite(c.max_grad_norm)) {
    fail(api, "maxGradNorm", "a finite number > 0 (0: no clipping)", c.max_grad_norm);
  }
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

namespace {

// clip_grad_norm_'s factor (max / (norm + 1e-6) above the limit), only ever taken of a finite norm.
double clip_factor(double norm, double max_norm) {
  return max_norm > 0 && norm > max_norm ? max_norm / (norm + 1e-6) : 1;
}

// True when every |g| ≤ bound (NaN compares false). Order-free, so it vectorises: a fraction of the update's cost.
template <typename T>
bool all_within(const T* g, std::size_t n, T bound) {
  int ok = 1;
  for (std::size_t i = 0; i < n; ++i) ok &= std::fabs(g[i]) <= bound;
  return ok != 0;
}

// Slow path: names the first element that is not finite or too large once scaled, then throws.
template <typename T>
[[noreturn]] void refuse_gradient(const T* grads, std::size_t length, double scale, double limit) {
  const double norm = grad_norm(grads, length);
  std::size_t index = 0;
  while (index < length && std::fabs(scale * static_cast<double>(grads[index])) <= limit) ++index;
  const std::string received = index < length ? format_number(static_cast<double>(grads[index])) + " at element " + std::to_string(index)
                                              : "a gradient of 2-norm " + format_number(norm);
  char bound[40];
  std::snprintf(bound, sizeof bound, "%.9g", limit);
  throw NonFiniteGradient(std::string("optimizerStep: expected finite gradients, each at most ") + bound +
                              (sizeof(T) == 4 ? " (float32" : " (float64") + ": its square must fit) in magnitude once scaled," +
                              " for grads, received " + received + "; nothing was updated.",
                          norm, index);
}

}  // namespace

template <typename T>
void optimizer_step(const OptimizerConfig& config, T* params, const T* grads, T* m, T* v, std::size_t length) {
  check_optimizer_config(config, "optimizerStep");
  const bool needs_m = config.kind != OptimizerKind::Sgd || config.momentum != 0;
  const bool needs_v = config.kind != OptimizerKind::Sgd;
  if (length > 0 && (params == nullptr || grads == nullptr || (needs_m && m == nullptr) || (needs_v && v == nullptr))) {
    throw InvalidArgument(InvalidArgument::Kind::Type, "optimizerStep: a state buffer this optimizer needs is missing.");
  }
  // The guard of the weights, one read pass before anything is written: every element of the gradient as
  // applied must be finite with a square T can hold (else Adam's v becomes Inf and freezes that weight).
  // Clipping takes the norm anyway (element order, as before): a finite norm bounds every element.
  const double limit = std::sqrt(static_cast<double>(std::numeric_limits<T>::max()));
  OptimizerConfig applied = config;
  bool ok;
  if (config.max_grad_norm > 0) {
    const double norm = grad_norm(grads, length);
    ok = std::isfinite(norm);
    if (ok) applied.grad_scale = config.grad_scale * clip_factor(norm, config.max_grad_norm);
    ok = ok && (applied.grad_scale * norm <= limit ||
                all_within(grads, length, static_cast<T>(std::min(limit / applied.grad_scale, static_cast<double>(std::numeric_limits<T>::max())))));
  } else {
    ok = all_within(grads, length, static_cast<T>(std::min(limit / config.grad_scale, static_cast<double>(std::numeric_limits<T>::max()))));
  }
  if (!ok) refuse_gradient(grads, length, applied.grad_scale, limit);
  if (config.kind == OptimizerKind::Sgd) sgd_step(applied, params, grads, m, length);
  else adam_step(applied, params, grads, m, v, length);
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
