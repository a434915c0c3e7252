// Copyright 2026 ncp-silicon authors.
// The CfC dense kernels shared by the packed dense layer (cfc_dense.cpp), the head (cfc_head.cpp) and the cell
// (cfc.cpp): row accumulation, rank-1 gradient updates and the activations, written so that they vectorise.
//
// Every matrix product here is written as a sum of scaled rows (y += s_r · A_r): no horizontal reductions,
// so GCC/Clang vectorise it at -O3 without -ffast-math, and output blocks of up to four vectors stay in
// registers. Forward reads transposed weights (rows = inputs), dx reads row-major weights (rows = outputs);
// weight gradients are rank-1 updates of row-major rows, the flat layout's own order. Nothing allocates per
// call. Per sample, the step is bound by streaming the weights and gradients through L2, not by arithmetic.
// Elementwise loops use simd_exp / simd_sigmoid (core/math.h), which vectorise under the default FP flags.
// Internal to the CfC files: not part of core/cfc.h's interface.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "core/cfc.h"
#include "core/math.h"

namespace ncp::core::cfc_kernels {

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

}  // namespace ncp::core::cfc_kernels
