// Copyright 2026 ncp-silicon authors.
#include "mlx/mlx_optim.h"

#include <cmath>
#include <limits>

namespace ncp::mlx_backend {
namespace {

mx::array scalar(double x) { return mx::array(static_cast<float>(x)); }

}  // namespace

std::size_t trainable_length(const DeviceParams& params) {
  std::size_t end = 0;
  for (const auto& slot : params.trainable) end = std::max(end, slot.offset + slot.size);
  return end;
}

DeviceMoments zero_moments(const DeviceParams& params) {
  DeviceMoments out;
  for (const auto& slot : params.trainable) {
    out.m.push_back(mx::zeros(slot.shape, mx::float32));
    out.v.push_back(mx::zeros(slot.shape, mx::float32));
  }
  return out;
}

DeviceMoments upload_moments(const DeviceParams& params, const float* m, const float* v) {
  DeviceMoments out;
  for (const auto& slot : params.trainable) {
    out.m.emplace_back(m + slot.offset, slot.shape, mx::float32);
    out.v.emplace_back(v + slot.offset, slot.shape, mx::float32);
  }
  return out;
}

UpdateGraph update_graph(const UpdateCall& update, const DeviceParams& params, const std::vector<mx::array>& grads,
                         const DeviceMoments& moments, const mx::array& loss) {
  const core::OptimizerConfig& c = update.config;
  const std::size_t n = params.trainable.size();
  const mx::array zero = scalar(0);

  // The guard (core/optim.cpp): every element of the gradient as applied finite, with a square float32 holds.
  // The norm is taken of g / max|g| and scaled back, so a large but legal gradient does not overflow float32.
  mx::array finite = mx::isfinite(loss);
  mx::array max_abs = zero;
  for (std::size_t i = 0; i < n; ++i) {
    if (grads[i].size() == 0) continue;
    finite = mx::logical_and(finite, mx::all(mx::isfinite(grads[i])));
    max_abs = mx::maximum(max_abs, mx::max(mx::abs(grads[i])));
  }
  const mx::array divisor = mx::where(mx::greater(max_abs, zero), max_abs, scalar(1));
  mx::array sum_sq = zero;
  for (std::size_t i = 0; i < n; ++i) sum_sq = mx::add(sum_sq, mx::sum(mx::square(mx::divide(grads[i], divisor))));
  const mx::array norm = mx::multiply(max_abs, mx::sqrt(sum_sq));
  // clip_grad_norm_'s factor, folded into the gradient scale as on the CPU.
  mx::array grad_scale = scalar(c.grad_scale);
  if (c.max_grad_norm > 0) {
    const mx::array clip = mx::divide(scalar(c.max_grad_norm), mx::add(norm, scalar(1e-6)));
    grad_scale = mx::multiply(grad_scale, mx::where(mx::greater(norm, scalar(c.max_grad_norm)), clip, scalar(1)));
  }
  const double limit = std::sqrt(static_cast<double>(std::numeric_limits<float>::max()));
  const mx::array applied =
      mx::logical_and(finite, mx::less_equal(mx::multiply(max_abs, grad_scale), scalar(limit)));
  // Where refused, a zero gradient keeps every intermediate finite; `where` below keeps the old values anyway.
  const mx::array scale = mx::where(applied, grad_scale, zero);

  UpdateGraph out{{}, {}, mx::where(finite, norm, mx::array(std::numeric_limits<float>::quiet_NaN())), applied};
  const double t = static_cast<double>(c.step);
  for (std::size_t i = 0; i < n; ++i) {
    const mx::array& p = params[params.trainable[i].name];
    const mx::array& m = moments.m[i];
    const mx::array& v = moments.v[i];
    const mx::array g = mx::multiply(mx::where(applied, grads[i], mx::zeros_like(grads[i])), scale);
    mx::array p_next = p, m_next = m, v_next = v;
    if (c.kind == core::OptimizerKind::Sgd) {
      const mx::array gi = mx::add(g, mx::multiply(scalar(c.weight_decay), p));
      if (c.momentum == 0) {
        p_next = mx::subtract(p, mx::multiply(scalar(c.lr), gi));
      } else {
        // PyTorch starts the momentum buffer at the first gradient.
        m_next = c.step == 1 ? gi : mx::add(mx::multiply(scalar(c.momentum), m), gi);
        const mx::array direction = c.nesterov ? mx::add(gi, mx::multiply(scalar(c.momentum), m_next)) : m_next;
        p_next = mx::subtract(p, mx::multiply(scalar(c.lr), direction));
      }
    } else {
      const bool decoupled = c.kind == core::OptimizerKind::AdamW;
      // Bias corrections in double, as on the CPU.
      const double step_size = c.lr / (1 - std::pow(c.beta1, t));
      const double inv_bc2_sqrt = 1 / std::sqrt(1 - std::pow(c.beta2, t));
      const mx::array gi = decoupled ? g : mx::add(g, mx::multiply(scalar(c.weight_decay), p));
      const mx::array shrunk = decoupled ? mx::multiply(p, scalar(1 - c.lr * c.weight_decay)) : p;
      m_next = mx::add(mx::multiply(scalar(c.beta1), m), mx::multiply(scalar(1 - c.beta1), gi));
      v_next = mx::add(mx::multiply(scalar(c.beta2), v), mx::multiply(scalar(1 - c.beta2), mx::square(gi)));
      const mx::array denom = mx::add(mx::multiply(mx::sqrt(v_next), scalar(inv_bc2_sqrt)), scalar(c.eps));
      p_next = mx::subtract(shrunk, mx::multiply(scalar(step_size), mx::divide(m_next, denom)));
    }
    for (std::size_t k : update.non_negative) {
      if (k == i) p_next = mx::maximum(p_next, zero);
    }
    out.params.push_back(mx::where(applied, p_next, p));
    out.moments.m.push_back(mx::where(applied, m_next, m));
    out.moments.v.push_back(mx::where(applied, v_next, v));
  }
  return out;
}

void copy_trainable(const DeviceParams& params, const std::vector<mx::array>& arrays, float* flat) {
  for (std::size_t i = 0; i < params.trainable.size(); ++i) {
    const mx::array a = mx::contiguous(arrays[i]);
    mx::eval(a);
    const float* data = a.data<float>();
    std::copy(data, data + params.trainable[i].size, flat + params.trainable[i].offset);
  }
}

}  // namespace ncp::mlx_backend
