// Copyright 2026 ncp-silicon authors.
// CfC kernels: the packed dense layer, the CfC head and the fully connected cell (declared in core/cfc.h).
//
// Every matrix product here is written as a sum of scaled rows (y += s_r · A_r): no horizontal reductions,
// so GCC/Clang vectorise it at -O3 without -ffast-math, and output blocks of up to four vectors stay in
// registers. Forward reads transposed weights (rows = inputs), dx reads row-major weights (rows = outputs);
// weight gradients are rank-1 updates of row-major rows, the flat layout's own order. Nothing allocates per
// call. Per sample, the step is bound by streaming the weights and gradients through L2, not by arithmetic.
// Elementwise loops use simd_exp / simd_sigmoid (core/math.h), which vectorise under the default FP flags.
#include "core/cfc.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "core/math.h"

namespace ncp::core {
namespace {

constexpr int simd_bytes = kCfcVectorBytes;

// a·b + c, fused where the ISA has FMA (x86-64-v3, armv8): -std=c++17 turns off implicit contraction.
template <typename T>
inline T mul_add(T a, T b, T c) {
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// tanh(x) = sign(x)·(1 − 2/(e^{2|x|} + 1)), as fast_tanh, on simd_exp so that loops calling it vectorise.
template <typename T>
inline T simd_tanh(T x) {
  return std::copysign(T(1) - T(2) / (simd_exp(T(2) * std::fabs(x)) + T(1)), x);
}

// y[0:W] += Σ_r s[r] · A[r·lda + 0 : r·lda + W], the W accumulators held in registers.
template <typename T, int W>
inline void accumulate_block(int rows, const T* __restrict a, std::size_t lda, const T* __restrict s,
                             T* __restrict y) {
  T acc[W];
  for (int v = 0; v < W; ++v) acc[v] = y[v];
  for (int r = 0; r < rows; ++r) {
    const T sr = s[r];
    const T* row = a + r * lda;
    for (int v = 0; v < W; ++v) acc[v] = mul_add(sr, row[v], acc[v]);
  }
  for (int v = 0; v < W; ++v) y[v] = acc[v];
}

// y[0:cols] += Σ_r s[r] · A[r·lda + 0 : r·lda + cols], in column blocks of 4, 2 and 1 SIMD vectors.
// Callers pad cols to whole vectors, so the scalar tail only runs for unpadded use.
template <typename T>
void accumulate_rows(int rows, int cols, const T* __restrict a, std::size_t lda, const T* __restrict s,
                     T* __restrict y) {
  constexpr int lanes = simd_bytes / static_cast<int>(sizeof(T));
  int c0 = 0;
  for (; c0 + 4 * lanes <= cols; c0 += 4 * lanes) accumulate_block<T, 4 * lanes>(rows, a + c0, lda, s, y + c0);
  if (c0 + 2 * lanes <= cols) {
    accumulate_block<T, 2 * lanes>(rows, a + c0, lda, s, y + c0);
    c0 += 2 * lanes;
  }
  if (c0 + lanes <= cols) {
    accumulate_block<T, lanes>(rows, a + c0, lda, s, y + c0);
    c0 += lanes;
  }
  for (int r = 0; r < rows && c0 < cols; ++r) {
    const T sr = s[r];
    const T* row = a + r * lda;
    for (int c = c0; c < cols; ++c) y[c] = mul_add(sr, row[c], y[c]);
  }
}

// g[r·cols + c] += s[r] · x[c] (· mask[r·cols + c]) for r < rows: a weight gradient in the flat layout.
template <typename T>
void accumulate_outer(int rows, int cols, const T* __restrict s, const T* __restrict x, const T* __restrict mask,
                      T* __restrict g) {
  for (int r = 0; r < rows; ++r) {
    const T sr = s[r];
    T* grow = g + static_cast<std::size_t>(r) * cols;
    if (mask) {
      const T* mrow = mask + static_cast<std::size_t>(r) * cols;
      for (int c = 0; c < cols; ++c) grow[c] = mul_add(sr, x[c] * mrow[c], grow[c]);
    } else {
      for (int c = 0; c < cols; ++c) grow[c] = mul_add(sr, x[c], grow[c]);
    }
  }
}

template <typename T>
int round_up_to_vector(int n) {
  constexpr int lanes = simd_bytes / static_cast<int>(sizeof(T));
  return (n + lanes - 1) / lanes * lanes;
}

// y = act(a) and, when d != nullptr, d = act'(a). gelu is the exact erf form (PyTorch's nn.GELU()).
// Instantiated separately with and without d so that no store in the loops is conditional (they vectorise).
template <bool with_grad, typename T>
void activate_impl(CfcActivation kind, int n, const T* __restrict a, T* __restrict y, T* __restrict d) {
  switch (kind) {
    case CfcActivation::LecunTanh: {
      const T outer = T(lecun_tanh_outer_scale), inner = T(lecun_tanh_inner_scale);
      const T slope = T(lecun_tanh_outer_scale * lecun_tanh_inner_scale);
      for (int j = 0; j < n; ++j) {
        const T t = simd_tanh(inner * a[j]);
        y[j] = outer * t;
        if constexpr (with_grad) d[j] = slope * (T(1) - t * t);
      }
      break;
    }
    case CfcActivation::Tanh:
      for (int j = 0; j < n; ++j) {
        const T t = simd_tanh(a[j]);
        y[j] = t;
        if constexpr (with_grad) d[j] = T(1) - t * t;
      }
      break;
    case CfcActivation::Relu:
      for (int j = 0; j < n; ++j) {
        y[j] = a[j] > T(0) ? a[j] : T(0);
        if constexpr (with_grad) d[j] = a[j] > T(0) ? T(1) : T(0);
      }
      break;
    case CfcActivation::Gelu: {
      const T inv_sqrt2 = T(0.70710678118654752440), inv_sqrt_2pi = T(0.39894228040143267794);
      for (int j = 0; j < n; ++j) {
        const T cdf = T(0.5) * (T(1) + std::erf(a[j] * inv_sqrt2));  // scalar: no vector erf without libmvec
        y[j] = a[j] * cdf;
        if constexpr (with_grad) d[j] = cdf + a[j] * inv_sqrt_2pi * simd_exp(T(-0.5) * a[j] * a[j]);
      }
      break;
    }
    case CfcActivation::Silu:
      for (int j = 0; j < n; ++j) {
        const T s = simd_sigmoid(a[j]);
        y[j] = a[j] * s;
        if constexpr (with_grad) d[j] = s * (T(1) + a[j] * (T(1) - s));
      }
      break;
  }
}

template <typename T>
void activate(CfcActivation kind, int n, const T* a, T* y, T* d) {
  if (d) activate_impl<true>(kind, n, a, y, d);
  else activate_impl<false>(kind, n, a, y, d);
}

template <typename T>
inline T sign_of(T v) {
  return static_cast<T>((v > T(0)) - (v < T(0)));  // sign(0) = 0, as torch.abs's backward
}


}  // namespace

namespace detail {

// ---------------------------------------------------------------------------------------------------------
// PackedLinear

template <typename T>
void PackedLinear<T>::append(const ParamSource<T>& source, const std::string& prefix, int rows, const T* row_mask) {
  if (block_rows == 0) block_rows = rows;
  const T* params = source.data;
  const std::size_t w_off = source.offset(prefix + ".weight", static_cast<std::size_t>(rows) * in);
  const std::size_t b_off = source.offset(prefix + ".bias", static_cast<std::size_t>(rows));
  weight_offsets.push_back(w_off);
  bias_offsets.push_back(b_off);
  block_masked.push_back(row_mask != nullptr);
  if (row_mask && mask.empty()) mask.assign(row_mask, row_mask + static_cast<std::size_t>(rows) * in);
  const std::size_t cells = static_cast<std::size_t>(rows) * in;
  for (std::size_t k = 0; k < cells; ++k) w.push_back(row_mask ? params[w_off + k] * row_mask[k] : params[w_off + k]);
  bias.insert(bias.end(), params + b_off, params + b_off + rows);
  out += rows;
}

template <typename T>
void PackedLinear<T>::finish() {
  in_pad = round_up_to_vector<T>(in);
  out_pad = round_up_to_vector<T>(out);
  const Buffer<T> dense = std::move(w);  // out × in
  w.assign(static_cast<std::size_t>(out) * in_pad, T(0));
  wt.assign(static_cast<std::size_t>(in) * out_pad, T(0));
  for (int j = 0; j < out; ++j) {
    for (int k = 0; k < in; ++k) {
      const T v = dense[static_cast<std::size_t>(j) * in + k];
      w[static_cast<std::size_t>(j) * in_pad + k] = v;
      wt[static_cast<std::size_t>(k) * out_pad + j] = v;
    }
  }
  bias.resize(out_pad, T(0));
}

template <typename T>
void PackedLinear<T>::forward(const T* x, T* y) const {
  std::copy(bias.begin(), bias.end(), y);
  accumulate_rows(in, out_pad, wt.data(), static_cast<std::size_t>(out_pad), x, y);
}

template <typename T>
void PackedLinear<T>::backward(const T* x, const T* dy, T* dx, T* grad) const {
  std::fill(dx, dx + in_pad, T(0));
  accumulate_rows(out, in_pad, w.data(), static_cast<std::size_t>(in_pad), dy, dx);
  for (std::size_t b = 0; b < weight_offsets.size(); ++b) {
    const T* dyb = dy + b * block_rows;
    T* gb = grad + bias_offsets[b];
    for (int j = 0; j < block_rows; ++j) gb[j] += dyb[j];
    accumulate_outer(block_rows, in, dyb, x, block_masked[b] ? mask.data() : nullptr, grad + weight_offsets[b]);
  }
}

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

}  // namespace detail

// ---------------------------------------------------------------------------------------------------------
// CfcCell

namespace {

const CfcConfig& checked(const CfcConfig& c) {
  auto fail = [](const std::string& what, const std::string& field, const std::string& got) {
    throw InvalidArgument(InvalidArgument::Kind::Range,
                          "CfC: expected " + what + " for config." + field + ", received " + got + ".");
  };
  if (c.inputs < 1) fail("a positive integer", "inputs", "number " + std::to_string(c.inputs));
  if (c.units < 1) fail("a positive integer", "units", "number " + std::to_string(c.units));
  if (c.backbone_layers < 0) {
    fail("a non-negative integer", "backboneLayers", "number " + std::to_string(c.backbone_layers));
  }
  if (c.backbone_layers > 0 && c.backbone_units < 1) {
    fail("a positive integer", "backboneUnits", "number " + std::to_string(c.backbone_units));
  }
  if (!(c.backbone_dropout >= 0.0 && c.backbone_dropout < 1.0)) {
    fail("a number in [0, 1)", "backboneDropout", "number " + std::to_string(c.backbone_dropout));
  }
  return c;
}

// Index of backbone layer l's Linear in ncps's nn.Sequential: [Linear, act] then per further layer
// [Linear, act, (Dropout if p > 0)] (ncps/torch/cfc_cell.py, CfCCell.__init__).
int backbone_linear_index(int layer, double dropout) {
  return layer == 0 ? 0 : 2 + (layer - 1) * (dropout > 0 ? 3 : 2);
}

}  // namespace

template <typename T>
CfcCell<T>::CfcCell(const CfcConfig& config, const ParamSource<T>& params)
    : config_(checked(config)),
      head_(config.mode, config.backbone_layers > 0 ? config.backbone_units : config.inputs + config.units,
            config.units, params, "rnn_cell", nullptr) {
  const int S = config_.inputs, N = config_.units, U = config_.backbone_units, layers = config_.backbone_layers;
  for (int l = 0; l < layers; ++l) {
    detail::PackedLinear<T> linear(l == 0 ? S + N : U);
    const int index = backbone_linear_index(l, config_.backbone_dropout);
    linear.append(params, "rnn_cell.backbone." + std::to_string(index), U, nullptr);
    linear.finish();
    backbone_.push_back(std::move(linear));
  }
  backbone_tape_ = static_cast<std::size_t>(layers) * (layers > 0 ? U : 0);
  stride_ = layers > 0 ? static_cast<std::size_t>(backbone_[0].out_pad) : 0;
  width_ = static_cast<std::size_t>(head_.in_pad());
  for (const auto& linear : backbone_) width_ = std::max<std::size_t>(width_, linear.in_pad);
  // z | pre-activation | backbone outputs | act' | g | df ×2 | head scratch | tape (when forward gets none)
  scratch_size_ = static_cast<std::size_t>(S + N) + stride_ + 2 * layers * stride_ + N + 2 * width_ +
                  head_.scratch_size() + tape_size();
}

template <typename T>
void CfcCell<T>::activate_layer(std::size_t l, const T* pre, T* out, T* d_act, std::uint64_t step_key) const {
  const int U = config_.backbone_units;
  const double p = config_.backbone_dropout;
  activate(config_.activation, U, pre, out, d_act);
  if (l == 0 || p == 0.0 || step_key == 0) return;
  const T scale = T(1) / (T(1) - T(p));
  for (int j = 0; j < U; ++j) {
    const T s = dropout_keeps(step_key, static_cast<std::uint32_t>(l), static_cast<std::uint32_t>(j), p) ? scale : T(0);
    out[j] *= s;
    if (d_act) d_act[j] *= s;
  }
}

template <typename T>
typename CfcCell<T>::Scratch CfcCell<T>::split(T* scratch) const {
  const std::size_t S = config_.inputs, N = config_.units, layers = backbone_.size();
  Scratch s;
  s.z = scratch;
  s.pre = s.z + S + N;
  s.outs = s.pre + stride_;
  s.d_act = s.outs + layers * stride_;
  s.g = s.d_act + layers * stride_;
  s.df = s.g + N;
  s.df_next = s.df + width_;
  s.head = s.df_next + width_;
  s.tape = s.head + head_.scratch_size();
  return s;
}

template <typename T>
void CfcCell<T>::forward(const T* x, const T* h, T dt, T* h_next, T* y, T* tape, T* scratch,
                         std::uint64_t step_key) const {
  const int S = config_.inputs, N = config_.units;
  const std::size_t U = config_.backbone_units;
  const Scratch s = split(scratch);
  T* tp = tape ? tape : s.tape;
  std::copy(x, x + S, s.z);
  std::copy(h, h + N, s.z + S);
  const T* f = s.z;
  for (std::size_t l = 0; l < backbone_.size(); ++l) {
    backbone_[l].forward(f, s.pre);  // out_pad values; the tape keeps the U real ones
    std::copy(s.pre, s.pre + U, tp + l * U);
    activate_layer(l, s.pre, s.outs + l * stride_, nullptr, step_key);
    f = s.outs + l * stride_;
  }
  head_.forward(f, dt, h_next, tp + backbone_tape_, s.head);
  std::copy(h_next, h_next + N, y);
}

template <typename T>
void CfcCell<T>::backward(const T* x, const T* h, T dt, const T* tape, const T* dh_next, const T* dy, T* dx, T* dh,
                          T* ddt, T* grad, T* scratch, std::uint64_t step_key) const {
  const int S = config_.inputs, N = config_.units;
  const std::size_t U = config_.backbone_units;
  const Scratch s = split(scratch);
  std::copy(x, x + S, s.z);
  std::copy(h, h + N, s.z + S);
  for (std::size_t l = 0; l < backbone_.size(); ++l) {
    activate_layer(l, tape + l * U, s.outs + l * stride_, s.d_act + l * stride_, step_key);
  }
  for (int j = 0; j < N; ++j) s.g[j] = dh_next[j] + dy[j];  // y = h'
  const T* f = backbone_.empty() ? s.z : s.outs + (backbone_.size() - 1) * stride_;
  T* df = s.df;
  T* df_next = s.df_next;
  *ddt = head_.backward(f, dt, tape + backbone_tape_, s.g, df, grad, s.head);
  for (std::size_t l = backbone_.size(); l-- > 0;) {
    const T* act_grad = s.d_act + l * stride_;
    for (std::size_t j = 0; j < U; ++j) df[j] *= act_grad[j];
    const T* in = l == 0 ? s.z : s.outs + (l - 1) * stride_;
    backbone_[l].backward(in, df, df_next, grad);
    std::swap(df, df_next);
  }
  for (int k = 0; k < S; ++k) dx[k] += df[k];
  std::copy(df + S, df + S + N, dh);
}

// ---------------------------------------------------------------------------------------------------------
// Work accounting (core/work.h). Each figure follows the loops above; docs/monitoring.md lists the formulas.

namespace detail {

template <typename T>
WorkCounts PackedLinear<T>::forward_work() const {
  return dense_forward_work(static_cast<std::uint64_t>(in), static_cast<std::uint64_t>(out_pad), sizeof(T));
}

template <typename T>
WorkCounts PackedLinear<T>::backward_work() const {
  const std::uint64_t E = sizeof(T), I = in, Ip = in_pad, O = out, R = block_rows;
  std::uint64_t masked = 0;
  for (char m : block_masked) masked += m != 0;
  WorkCounts w;
  // dx = Wᵀ·dy over the padded inputs; bias gradients; weight gradients (x·mask first where masked).
  w.flops = 2 * O * Ip + O + 2 * O * I + masked * R * I;
  w.bytes_read = (O * Ip + O + I + O + O * I + masked * R * I) * E;  // W, dy, x, bias and weight grads, masks
  w.bytes_written = (Ip + O + O * I) * E;                            // dx, bias and weight grads
  return w;
}

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

}  // namespace detail

namespace {

// Activation cost per unit, forward only and with its derivative (backward recomputes both from the tape).
std::uint64_t activation_flops(CfcActivation kind, bool with_grad) {
  switch (kind) {
    case CfcActivation::LecunTanh: return kTanhFlops + 2 + (with_grad ? 3 : 0);
    case CfcActivation::Tanh: return kTanhFlops + (with_grad ? 2 : 0);
    case CfcActivation::Relu: return 0;  // compare and select only
    case CfcActivation::Gelu: return kErfFlops + 4 + (with_grad ? kExpFlops + 5 : 0);
    case CfcActivation::Silu: return kSigmoidFlops + 1 + (with_grad ? 4 : 0);
  }
  return 0;
}

}  // namespace

template <typename T>
CellWork CfcCell<T>::work_per_step() const {
  const std::uint64_t E = sizeof(T), S = config_.inputs, N = config_.units, U = config_.backbone_units;
  const bool dropout = config_.backbone_dropout > 0.0;
  CellWork work;
  work.kind = "cfc";
  WorkCounts& f = work.forward;
  f.bytes_read = (S + N) * E;  // x, h
  f.bytes_written = N * E;     // y (h' is the head's output)
  for (std::size_t l = 0; l < backbone_.size(); ++l) {
    f += backbone_[l].forward_work();
    f.flops += U * activation_flops(config_.activation, false);
    f.bytes_read += U * E;       // pre-activation
    f.bytes_written += 2 * U * E;  // tape copy, activation
    if (l > 0 && dropout) {  // calls with a dropout seed only: the scale on the outputs
      work.dropout.flops += U;
      work.dropout.bytes_read += U * E;
      work.dropout.bytes_written += U * E;
    }
  }
  f += head_.forward_work();
  WorkCounts& b = work.backward;
  b.flops = N + S;                         // g = dh' + dy; dx += df
  b.bytes_read = (2 * N + 2 * S + S + N) * E;  // dh', dy, dx, df; x, h into z
  b.bytes_written = (N + S + N) * E;       // g, dx, dh
  b += head_.backward_work();
  for (std::size_t l = 0; l < backbone_.size(); ++l) {
    b.flops += U * activation_flops(config_.activation, true) + U;  // recompute act and act'; df ·= act'
    if (l > 0 && dropout) work.dropout_backward.flops += 2 * U;  // the scale on the recomputed act and act'
    b.bytes_read += (U + 2 * U) * E;     // pre-activation; df, act'
    b.bytes_written += (2 * U + U) * E;  // activation, act'; df
    b += backbone_[l].backward_work();
  }
  return work;
}

template class CfcCell<float>;
template class CfcCell<double>;
namespace detail {
template struct PackedLinear<float>;
template struct PackedLinear<double>;
template class CfcHead<float>;
template class CfcHead<double>;
}  // namespace detail

}  // namespace ncp::core
