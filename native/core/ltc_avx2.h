// Copyright 2026 ncp-silicon authors.
// The LTC cell's explicit AVX2 + FMA kernels for float, over the two-block and by_source layouts of ltc.h, and
// NCP_LTC_AVX2, the one switch that selects them: defined here, the first LTC header to test it, so that the
// kernels (ltc_kernels.h, which includes this) and the cell (ltc.cpp) see the same value.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/ltc.h"
#include "core/ltc_pack.h"
#include "core/math.h"

// Explicit AVX2 kernels for float (the benchmarked type) where the build targets AVX2 + FMA (x86-64-v3); every
// other build, and double everywhere, uses the portable loops, which GCC/Clang vectorise.
#ifndef NCP_LTC_AVX2  // (defining it to 0 selects the portable loops, for comparisons)
#if defined(__AVX2__) && defined(__FMA__)
#define NCP_LTC_AVX2 1
#else
#define NCP_LTC_AVX2 0
#endif
#endif
#if NCP_LTC_AVX2
#include <immintrin.h>
#endif

#if NCP_LTC_AVX2
namespace ncp::core::ltc_detail {

// Explicit AVX2 + FMA kernels for float: forward over the two-block rows, backward over by_source (see ltc.h).
// The same math as the portable loops (the same clamp, NaN still propagating, and the same polynomial as
// simd_exp2<float>), a few rows at a time, stage by stage.
// Versus the portable loops they replace the gather of v[source] (8 scalar loads and inserts per row) by two
// permutes, keep the sums in registers, and in backward need no transposed gather for d/d v_source.
namespace avx2 {

struct Constants {
  __m256 zero = _mm256_setzero_ps();
  __m256 one = _mm256_set1_ps(1.0f);
  __m256 lo = _mm256_set1_ps(detail::Exp2Constants<float>::lo);
  __m256 hi = _mm256_set1_ps(detail::Exp2Constants<float>::hi);
  __m256 shifter = _mm256_set1_ps(detail::Exp2Constants<float>::shifter);  // bits(t + shifter) << 23 = 2^round(t)
  __m256 c1 = _mm256_set1_ps(detail::kExp2Coefficients[1]), c2 = _mm256_set1_ps(detail::kExp2Coefficients[2]);
  __m256 c3 = _mm256_set1_ps(detail::kExp2Coefficients[3]), c4 = _mm256_set1_ps(detail::kExp2Coefficients[4]);
  __m256 c5 = _mm256_set1_ps(detail::kExp2Coefficients[5]);
};

// v[source] for the 8 slots of `row`: two permutes of aligned 8-blocks of v and a blend on the code's sign bit.
inline __m256 gather_row(const float* v, const std::int32_t* row_blocks, const std::int32_t* lane_code,
                         std::size_t row) {
  const __m256i code = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lane_code + row * kLanes));
  const __m256 first = _mm256_permutevar8x32_ps(_mm256_loadu_ps(v + row_blocks[2 * row]), code);
  const __m256 second = _mm256_permutevar8x32_ps(_mm256_loadu_ps(v + row_blocks[2 * row + 1]), code);
  return _mm256_blendv_ps(first, second, _mm256_castsi256_ps(code));
}

// 1 + 2^t for Q vectors, stage by stage (simd_exp2<float>), for backward. max(lo, t) and min(hi, ·) return t when
// it is NaN, like select_bits. Horner form: no slower than Estrin's here, and fewer operations.
template <int Q>
inline void one_plus_exp2(const Constants& c, __m256 (&t)[Q]) {
  __m256 r[Q], scale[Q], p[Q];
  for (int q = 0; q < Q; ++q) t[q] = _mm256_min_ps(c.hi, _mm256_max_ps(c.lo, t[q]));
  for (int q = 0; q < Q; ++q) {
    const __m256 shifted = _mm256_add_ps(t[q], c.shifter);
    r[q] = _mm256_sub_ps(t[q], _mm256_sub_ps(shifted, c.shifter));  // exact, |r| ≤ 1/2
    scale[q] = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(shifted), 23));
  }
  for (int q = 0; q < Q; ++q) p[q] = _mm256_fmadd_ps(c.c5, r[q], c.c4);
  for (int q = 0; q < Q; ++q) p[q] = _mm256_fmadd_ps(p[q], r[q], c.c3);
  for (int q = 0; q < Q; ++q) p[q] = _mm256_fmadd_ps(p[q], r[q], c.c2);
  for (int q = 0; q < Q; ++q) p[q] = _mm256_fmadd_ps(p[q], r[q], c.c1);
  for (int q = 0; q < Q; ++q) p[q] = _mm256_fmadd_ps(p[q], r[q], c.one);
  for (int q = 0; q < Q; ++q) t[q] = _mm256_fmadd_ps(p[q], scale[q], c.one);
}

// synapse_sums for two-block rows: lane_num = Σ a·erev, lane_den = Σ a per lane position, in two passes.
// One fused pass per row chains some 80 cycles of latency (gather, clamp, reduction, polynomial, division, sum), so
// the out-of-order window held only a few rows and the loop ran at a third of the FP units' rate. Splitting the
// work into short chains, written to and read back from L1, measured ~20% faster per projection on Zen 3:
//   1. every row: gather v[source], t = slope·v + intercept, clamped, reduced to r = t − round(t) and the shifted
//      value whose low bits are round(t) + bias (simd_exp2<float>);
//   2. per block: 1 + 2^r·2^round(t), a = f(w)/(·) (a true division: as fast here as rcp + Newton, and exact), and
//      the sums. reduced and shifted: per-slot scratch (slot_count() floats each).
inline void synapse_sums(const SynapseBlocks<float>& s, const float* v, float* lane_num, float* lane_den,
                         float* reduced, float* shifted) {
  const Constants c;
  const std::size_t rows = static_cast<std::size_t>(s.block_begin[s.active_blocks]) / kLanes;
  const float* slope = s.slope.data();
  const float* intercept = s.intercept.data();
  const std::int32_t* row_blocks = s.row_blocks.data();
  const std::int32_t* lane_code = s.lane_code.data();
  for (std::size_t row = 0; row < rows; ++row) {
    const std::size_t k = row * kLanes;
    const __m256 x = gather_row(v, row_blocks, lane_code, row);
    // max(lo, t) and min(hi, ·) return t when it is NaN, like select_bits.
    const __m256 t = _mm256_min_ps(c.hi, _mm256_max_ps(c.lo, _mm256_fmadd_ps(_mm256_loadu_ps(slope + k), x,
                                                                             _mm256_loadu_ps(intercept + k))));
    const __m256 shift = _mm256_add_ps(t, c.shifter);
    _mm256_storeu_ps(reduced + k, _mm256_sub_ps(t, _mm256_sub_ps(shift, c.shifter)));  // exact, |r| ≤ 1/2
    _mm256_storeu_ps(shifted + k, shift);
  }
  const float* weight = s.weight.data();
  const float* erev = s.erev.data();
  const auto row_sums = [&](std::size_t k, __m256& num, __m256& den) {
    const __m256 r = _mm256_loadu_ps(reduced + k);
    const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(_mm256_loadu_ps(shifted + k)), 23));
    __m256 p = _mm256_fmadd_ps(c.c5, r, c.c4);
    p = _mm256_fmadd_ps(p, r, c.c3);
    p = _mm256_fmadd_ps(p, r, c.c2);
    p = _mm256_fmadd_ps(p, r, c.c1);
    p = _mm256_fmadd_ps(p, r, c.one);
    const __m256 a = _mm256_div_ps(_mm256_loadu_ps(weight + k), _mm256_fmadd_ps(p, scale, c.one));
    den = _mm256_add_ps(den, a);
    num = _mm256_fmadd_ps(a, _mm256_loadu_ps(erev + k), num);
  };
  for (int b = 0; b < s.active_blocks; ++b) {
    __m256 num0 = c.zero, den0 = c.zero, num1 = c.zero, den1 = c.zero;  // two chains per sum
    std::size_t k = static_cast<std::size_t>(s.block_begin[b]);
    const std::size_t end = static_cast<std::size_t>(s.block_begin[b + 1]);
    for (; k + 2 * kLanes <= end; k += 2 * kLanes) {
      row_sums(k, num0, den0);
      row_sums(k + kLanes, num1, den1);
    }
    if (k < end) row_sums(k, num0, den0);
    _mm256_storeu_ps(lane_num + b * kLanes, _mm256_add_ps(num0, num1));
    _mm256_storeu_ps(lane_den + b * kLanes, _mm256_add_ps(den0, den1));
  }
}

// Two-block gather from a lane-order vector of destinations (the code and blocks of by_source's row).
inline __m256 gather_destinations(const float* values, const std::int32_t* row_blocks, __m256i code, std::size_t row) {
  const __m256 first = _mm256_permutevar8x32_ps(_mm256_loadu_ps(values + row_blocks[2 * row]), code);
  const __m256 second = _mm256_permutevar8x32_ps(_mm256_loadu_ps(values + row_blocks[2 * row + 1]), code);
  return _mm256_blendv_ps(first, second, _mm256_castsi256_ps(code));
}

// Q rows from `row` of backward_by_source (see below), stage by stage; adds the rows' d/d v_source to d_x_sum.
template <int Q>
inline void by_source_rows(const Constants& c, const SynapseBlocks<float>& s, __m256 x, const float* d_num_lanes,
                           const float* d_den_lanes, std::size_t row, float* __restrict g_weight,
                           float* __restrict g_sigma, float* __restrict g_mu, float* __restrict g_erev,
                           __m256& d_x_sum) {
  const auto& z = s.by_source;
  __m256 d_num[Q], d_den[Q], d[Q];
  for (int q = 0; q < Q; ++q) {
    const std::size_t k = (row + q) * kLanes;
    const __m256i code = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(z.lane_code.data() + k));
    d_num[q] = gather_destinations(d_num_lanes, z.row_blocks.data(), code, row + q);
    d_den[q] = gather_destinations(d_den_lanes, z.row_blocks.data(), code, row + q);
    d[q] = _mm256_fmadd_ps(_mm256_loadu_ps(z.slope.data() + k), x, _mm256_loadu_ps(z.intercept.data() + k));
  }
  one_plus_exp2<Q>(c, d);
  for (int q = 0; q < Q; ++q) {
    const std::size_t k = (row + q) * kLanes;
    // A true division: exact, and in measurements no slower here than rcp + a Newton step.
    const __m256 sig = _mm256_div_ps(c.one, d[q]);
    const __m256 a = _mm256_mul_ps(_mm256_loadu_ps(z.weight.data() + k), sig);
    const __m256 d_a = _mm256_fmadd_ps(d_num[q], _mm256_loadu_ps(z.erev.data() + k), d_den[q]);
    const __m256 d_z = _mm256_mul_ps(_mm256_mul_ps(d_a, a), _mm256_sub_ps(c.one, sig));  // d/d (sigma·(v − mu))
    const __m256 d_x = _mm256_mul_ps(d_z, _mm256_loadu_ps(z.sigma.data() + k));
    const __m256 diff = _mm256_sub_ps(x, _mm256_loadu_ps(z.mu.data() + k));
    _mm256_storeu_ps(g_erev + k, _mm256_fmadd_ps(d_num[q], a, _mm256_loadu_ps(g_erev + k)));
    _mm256_storeu_ps(g_weight + k, _mm256_fmadd_ps(d_a, sig, _mm256_loadu_ps(g_weight + k)));
    _mm256_storeu_ps(g_sigma + k, _mm256_fmadd_ps(d_z, diff, _mm256_loadu_ps(g_sigma + k)));
    _mm256_storeu_ps(g_mu + k, _mm256_sub_ps(_mm256_loadu_ps(g_mu + k), d_x));
    d_x_sum = _mm256_add_ps(d_x_sum, d_x);
  }
}

// Reverse of synapse_sums over s.by_source: per-slot gradients (accumulated), and d_v[source] += d/d v_source.
// v and d_v are the source vector and its gradient, padded to whole blocks; d_num_lanes and d_den_lanes are the
// gradients of Σ a·erev and Σ a per recurrent lane position.
template <int Q = 2>
void backward_by_source(const SynapseBlocks<float>& s, const float* v, const float* d_num_lanes,
                        const float* d_den_lanes, float* __restrict g_weight, float* __restrict g_sigma,
                        float* __restrict g_mu, float* __restrict g_erev, float* d_v) {
  const Constants c;
  const auto& z = s.by_source;
  const std::size_t blocks = z.block_begin.size() - 1;
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t end = static_cast<std::size_t>(z.block_begin[b + 1]) / kLanes;
    std::size_t row = static_cast<std::size_t>(z.block_begin[b]) / kLanes;
    if (row == end) continue;
    const __m256 x = _mm256_loadu_ps(v + b * kLanes);
    __m256 d_x_sum = c.zero;
    for (; row + Q <= end; row += Q) {
      by_source_rows<Q>(c, s, x, d_num_lanes, d_den_lanes, row, g_weight, g_sigma, g_mu, g_erev, d_x_sum);
    }
    for (; row < end; ++row) {
      by_source_rows<1>(c, s, x, d_num_lanes, d_den_lanes, row, g_weight, g_sigma, g_mu, g_erev, d_x_sum);
    }
    _mm256_storeu_ps(d_v + b * kLanes, _mm256_add_ps(_mm256_loadu_ps(d_v + b * kLanes), d_x_sum));
  }
}

}  // namespace avx2

}  // namespace ncp::core::ltc_detail
#endif
