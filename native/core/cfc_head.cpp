// Copyright 2026 ncp-silicon authors.
// CfcHead (core/cfc.h): ff1/ff2/time_a/time_b (or the pure form) on a feature vector, shared by the fully
// connected cell (cfc.cpp) and the wired cell (wired_cfc.cpp).
#include <string>

#include "core/cfc.h"
#include "core/cfc_dense.h"

namespace ncp::core::detail {

using namespace cfc_kernels;

// ---------------------------------------------------------------------------------------------------------
// CfcHead

template <typename T>
CfcHead<T>::CfcHead(CfcMode mode, int in, int units, const ParamSource<T>& source, const std::string& prefix,
                    const T* mask)
    : mode_(mode), units_(units), linear_(in) {
  linear_.append(source, prefix + ".ff1", units, mask);
  if (mode == CfcMode::Pure) {
    const T* params = source.data;
    w_tau_offset_ = source.offset(prefix + ".w_tau", static_cast<std::size_t>(units));
    a_offset_ = source.offset(prefix + ".A", static_cast<std::size_t>(units));
    for (int j = 0; j < units; ++j) {
      const T w = params[w_tau_offset_ + j];
      w_tau_abs_.push_back(std::fabs(w));
      w_tau_sign_.push_back(sign_of(w));
      a_.push_back(params[a_offset_ + j]);
    }
  } else {
    linear_.append(source, prefix + ".ff2", units, mask);
    linear_.append(source, prefix + ".time_a", units, nullptr);
    linear_.append(source, prefix + ".time_b", units, nullptr);
  }
  linear_.finish();
}

// The elementwise parts of the head, as free functions over restrict pointers so that they vectorise
// (members read through `this` could alias the outputs). p = [ff1 | ff2 | time_a | time_b] pre-activations.
template <typename T>
void gated_forward(int n, T dt, const T* __restrict p, T* __restrict t1, T* __restrict t2, T* __restrict ti,
                   T* __restrict ta) {
  for (int j = 0; j < n; ++j) {
    t1[j] = simd_tanh(p[j]);
    t2[j] = simd_tanh(p[n + j]);
    ta[j] = p[2 * n + j];
    ti[j] = simd_sigmoid(mul_add(p[2 * n + j], dt, p[3 * n + j]));
  }
}

template <typename T>
void pure_forward(int n, T dt, const T* __restrict p, const T* __restrict w_tau_abs, const T* __restrict a,
                  T* __restrict out, T* __restrict p_tape, T* __restrict decay) {
  for (int j = 0; j < n; ++j) {
    const T e = simd_exp(-dt * (w_tau_abs[j] + std::fabs(p[j])));
    out[j] = a[j] - a[j] * e * p[j];
    p_tape[j] = p[j];
    decay[j] = e;
  }
}

template <typename T>
void gated_output(int n, bool gated, const T* __restrict t1, const T* __restrict t2, const T* __restrict ti,
                  T* __restrict out) {
  if (gated) {
    for (int j = 0; j < n; ++j) out[j] = t1[j] * (T(1) - ti[j]) + ti[j] * t2[j];
  } else {
    for (int j = 0; j < n; ++j) out[j] = t1[j] + ti[j] * t2[j];
  }
}

// g = dL/dh' → dp = dL/d[ff1 | ff2 | time_a | time_b]; returns dL/dΔ.
template <typename T>
T gated_backward(int n, bool gated, T dt, const T* __restrict g, const T* __restrict t1, const T* __restrict t2,
                 const T* __restrict ti, const T* __restrict ta, T* __restrict dp) {
  for (int j = 0; j < n; ++j) {
    const T dt1 = gated ? g[j] * (T(1) - ti[j]) : g[j];
    const T dt2 = g[j] * ti[j];
    const T dti = gated ? g[j] * (t2[j] - t1[j]) : g[j] * t2[j];
    const T ds = dti * ti[j] * (T(1) - ti[j]);  // through σ
    dp[j] = dt1 * (T(1) - t1[j] * t1[j]);
    dp[n + j] = dt2 * (T(1) - t2[j] * t2[j]);
    dp[2 * n + j] = ds * dt;
    dp[3 * n + j] = ds;
  }
  T ddt = T(0);
  for (int j = 0; j < n; ++j) ddt += dp[3 * n + j] * ta[j];  // a reduction: kept out of the loop above
  return ddt;
}

// h' = A − A·e·p with e = exp(−Δ·(|w_tau| + |p|)). Returns dL/dΔ.
template <typename T>
T pure_backward(int n, T dt, const T* __restrict g, const T* __restrict p, const T* __restrict e,
                const T* __restrict a, const T* __restrict w_tau_abs, const T* __restrict w_tau_sign,
                T* __restrict grad_a, T* __restrict grad_w_tau, T* __restrict dp) {
  for (int j = 0; j < n; ++j) {
    const T de_e = -g[j] * a[j] * p[j] * e[j];  // dL/de · e
    grad_a[j] += g[j] * (T(1) - e[j] * p[j]);
    grad_w_tau[j] += -dt * de_e * w_tau_sign[j];
    dp[j] = -g[j] * a[j] * e[j] - dt * de_e * sign_of(p[j]);
  }
  T ddt = T(0);
  for (int j = 0; j < n; ++j) ddt += g[j] * a[j] * p[j] * e[j] * (w_tau_abs[j] + std::fabs(p[j]));
  return ddt;
}

template <typename T>
void CfcHead<T>::forward(const T* f, T dt, T* out, T* tape, T* scratch) const {
  const int n = units_;
  T* p = scratch;
  linear_.forward(f, p);
  if (mode_ == CfcMode::Pure) {
    pure_forward(n, dt, p, w_tau_abs_.data(), a_.data(), out, tape, tape + n);
  } else {
    gated_forward(n, dt, p, tape, tape + n, tape + 2 * n, tape + 3 * n);
    gated_output(n, mode_ == CfcMode::Default, tape, tape + n, tape + 2 * n, out);
  }
}

template <typename T>
void CfcHead<T>::output_from_tape(const T* tape, T* out) const {
  const int n = units_;
  if (mode_ == CfcMode::Pure) {
    const T* a = a_.data();
    for (int j = 0; j < n; ++j) out[j] = a[j] - a[j] * tape[n + j] * tape[j];
  } else {
    gated_output(n, mode_ == CfcMode::Default, tape, tape + n, tape + 2 * n, out);
  }
}

template <typename T>
T CfcHead<T>::backward(const T* f, T dt, const T* tape, const T* g, T* df, T* grad, T* scratch) const {
  const int n = units_;
  T* dp = scratch;
  T ddt;
  if (mode_ == CfcMode::Pure) {
    ddt = pure_backward(n, dt, g, tape, tape + n, a_.data(), w_tau_abs_.data(), w_tau_sign_.data(), grad + a_offset_,
                        grad + w_tau_offset_, dp);
  } else {
    ddt = gated_backward(n, mode_ == CfcMode::Default, dt, g, tape, tape + n, tape + 2 * n, tape + 3 * n, dp);
  }
  linear_.backward(f, dp, df, grad);
  return ddt;
}

// Work accounting (core/work.h); docs/monitoring.md lists the formulas.

template <typename T>
WorkCounts CfcHead<T>::forward_work() const {
  const std::uint64_t E = sizeof(T), N = units_;
  WorkCounts w = linear_.forward_work();
  if (mode_ == CfcMode::Pure) {
    w.flops += N * (kExpFlops + 2 + 3);  // e = exp(−Δ·(|w_tau| + |p|)); h' = A − A·e·p
    w.bytes_read += 3 * N * E;           // p, |w_tau|, A
    w.bytes_written += 3 * N * E;        // h', the tape (p, e)
  } else {
    // two tanh, σ(time_a·Δ + time_b), then h' from (t1, t2, ti): 4 operations gated, 2 without the gate.
    w.flops += N * (2 * kTanhFlops + kSigmoidFlops + 2 + (mode_ == CfcMode::Default ? 4 : 2));
    w.bytes_read += (4 * N + 3 * N) * E;  // p; t1, t2, ti
    w.bytes_written += (4 * N + N) * E;   // the tape (t1, t2, ti, time_a); h'
  }
  return w;
}

template <typename T>
WorkCounts CfcHead<T>::backward_work() const {
  const std::uint64_t E = sizeof(T), N = units_;
  WorkCounts w = linear_.backward_work();
  if (mode_ == CfcMode::Pure) {
    w.flops += 21 * N;
    w.bytes_read += 8 * N * E;     // g, p, e, A, |w_tau|, sign(w_tau), grad A and w_tau
    w.bytes_written += 3 * N * E;  // grad A and w_tau, dp
  } else {
    w.flops += N * (mode_ == CfcMode::Default ? 17 : 14);
    w.bytes_read += 5 * N * E;     // g, t1, t2, ti, time_a
    w.bytes_written += 4 * N * E;  // dp
  }
  return w;
}

template <typename T>
WorkCounts CfcHead<T>::output_from_tape_work() const {
  const std::uint64_t E = sizeof(T), N = units_;
  WorkCounts w;
  w.flops = N * (mode_ == CfcMode::Pure ? 3 : mode_ == CfcMode::Default ? 4 : 2);
  w.bytes_read = 3 * N * E;
  w.bytes_written = N * E;
  return w;
}

template class CfcHead<float>;
template class CfcHead<double>;

}  // namespace ncp::core::detail
