// Copyright 2026 ncp-silicon authors.
// The LTC cell's per-evaluation kernels: a projection's synapse sums and their reverse (the portable loops here,
// the AVX2 float kernels of ltc_avx2.h where the build and the layout allow), and one unfold's update and its
// reverse. Header-only, for ltc.cpp alone, so that they inline into LtcCell's forward and backward.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "core/ltc.h"
#include "core/ltc_avx2.h"  // defines NCP_LTC_AVX2
#include "core/math.h"

namespace ncp::core::ltc_detail {

// Σ over each destination's synapses of a = f(w)·σ(sigma·(v_source − mu)) = f(w) / (1 + 2^(slope·v + intercept)):
// lane_num gets Σ a·erev and lane_den gets Σ a, for the lane positions of the active blocks (the others have no
// synapses: callers treat their sums as zero and the arrays are not written there).
// Two passes: the activations over all slots in one flat branch-free loop (vectorised, with a gather of
// v[source]), then the per-block sums, one vector of kLanes destinations per row.
template <typename T>
void synapse_sums(const SynapseBlocks<T>& s, const T* __restrict v, T* __restrict lane_num, T* __restrict lane_den,
                  T* __restrict a, T* __restrict a_erev) {
  constexpr int W = SynapseBlocks<T>::kLanes;
  const std::int32_t* __restrict source = s.source.data();
  const T* __restrict weight = s.weight.data();
  const T* __restrict slope = s.slope.data();
  const T* __restrict intercept = s.intercept.data();
  const T* __restrict erev = s.erev.data();
  const std::int32_t slots = static_cast<std::int32_t>(s.slot_count());
  for (std::int32_t k = 0; k < slots; ++k) {
    const T activation = weight[k] / (T(1) + simd_exp2(slope[k] * v[source[k]] + intercept[k]));
    a[k] = activation;
    a_erev[k] = activation * erev[k];
  }
  for (int b = 0; b < s.active_blocks; ++b) {
    T num[W] = {};
    T den[W] = {};
    const std::int32_t end = s.block_begin[b + 1];
    for (std::int32_t row = s.block_begin[b]; row < end; row += W) {
      for (int l = 0; l < W; ++l) {
        num[l] += a_erev[row + l];
        den[l] += a[row + l];
      }
    }
    for (int l = 0; l < W; ++l) {
      lane_num[b * W + l] = num[l];
      lane_den[b * W + l] = den[l];
    }
  }
}

// Reverse of synapse_sums for one evaluation, given d/d(Σ a·erev) and d/d(Σ a) per lane. Accumulates the
// per-slot gradients of weight (= f(w)·mask), sigma, mu, erev, and writes d/d v_source per slot (the
// caller sums it per source). The sigmoid is recomputed (exactly as forward does) rather than read from a
// tape. The per-slot gradients accumulate over every unfold, step and sample of a chunk (LtcCell::end_gradients).
template <typename T>
void synapse_sums_backward(const SynapseBlocks<T>& s, const T* __restrict v, const T* __restrict d_num_lanes,
                           const T* __restrict d_den_lanes, T* __restrict g_weight, T* __restrict g_sigma,
                           T* __restrict g_mu, T* __restrict g_erev, T* __restrict d_source) {
  constexpr int W = SynapseBlocks<T>::kLanes;
  const std::int32_t* __restrict source = s.source.data();
  const T* __restrict weight = s.weight.data();
  const T* __restrict slope = s.slope.data();
  const T* __restrict intercept = s.intercept.data();
  const T* __restrict sigma = s.sigma.data();
  const T* __restrict mu = s.mu.data();
  const T* __restrict erev = s.erev.data();
  for (int b = 0; b < s.active_blocks; ++b) {
    T d_num[W], d_den[W];
    for (int l = 0; l < W; ++l) {
      d_num[l] = d_num_lanes[b * W + l];
      d_den[l] = d_den_lanes[b * W + l];
    }
    const std::int32_t end = s.block_begin[b + 1];
    for (std::int32_t row = s.block_begin[b]; row < end; row += W) {
      for (int l = 0; l < W; ++l) {
        const std::int32_t k = row + l;
        const T x = v[source[k]];
        const T sig = T(1) / (T(1) + simd_exp2(slope[k] * x + intercept[k]));
        const T a = weight[k] * sig;
        const T d_a = d_num[l] * erev[k] + d_den[l];
        const T d_z = d_a * a * (T(1) - sig);  // d/d (sigma·(v − mu))
        const T d_v = d_z * sigma[k];
        g_erev[k] += d_num[l] * a;
        g_weight[k] += d_a * sig;
        g_sigma[k] += d_z * (x - mu[k]);
        g_mu[k] -= d_v;
        d_source[k] = d_v;
      }
    }
  }
}

// d_v[target] += Σ of d_source over the source's outgoing synapses, through the transposed blocks: a gather
// and a vertical add per row, so no read-modify-write chains on d_v. d_source[slot_count()] must be 0.
template <typename T>
void gather_sources(const SynapseBlocks<T>& s, const T* __restrict d_source, T* __restrict source_lanes,
                    T* __restrict d_v) {
  constexpr int W = SynapseBlocks<T>::kLanes;
  const std::int32_t* __restrict outgoing = s.outgoing.data();
  for (int b = 0; b < s.source_blocks; ++b) {
    T sum[W] = {};
    const std::int32_t end = s.source_block_begin[b + 1];
    for (std::int32_t row = s.source_block_begin[b]; row < end; row += W) {
      for (int l = 0; l < W; ++l) sum[l] += d_source[outgoing[row + l]];
    }
    for (int l = 0; l < W; ++l) source_lanes[b * W + l] = sum[l];
  }
  for (int p = 0; p < s.sources; ++p) d_v[s.source_target[p]] += source_lanes[p];
}

// Whether backward runs over s.by_source (the AVX2 float kernel) rather than the portable destination-major loops;
// the per-slot gradients are then in by_source's slot order.
template <typename T>
bool uses_by_source(const SynapseBlocks<T>& s) {
  return NCP_LTC_AVX2 && std::is_same_v<T, float> && s.by_source.used;
}

// grad[matrix entries] += the packed per-slot gradients (weight through mask·f'(w)), from backward's layout. The
// four parameter matrices are distinct ranges of grad, hence the restrict-qualified bases.
template <typename T>
void flush_synapse_grads(const SynapseBlocks<T>& s, const T* __restrict g_weight, const T* __restrict g_sigma,
                         const T* __restrict g_mu, const T* __restrict g_erev, T* grad, std::size_t w_offset,
                         std::size_t sigma_offset, std::size_t mu_offset, std::size_t erev_offset) {
  const std::size_t n = s.synapse_count();
  const std::int32_t* __restrict matrix_index = s.matrix_index.data();
  const std::int32_t* __restrict slot = uses_by_source(s) ? s.by_source.slot.data() : s.slot.data();
  const T* __restrict scale = s.weight_grad_scale.data();
  T* __restrict grad_w = grad + w_offset;
  T* __restrict grad_sigma = grad + sigma_offset;
  T* __restrict grad_mu = grad + mu_offset;
  T* __restrict grad_erev = grad + erev_offset;
  for (std::size_t q = 0; q < n; ++q) {
    const std::size_t m = static_cast<std::size_t>(matrix_index[q]);
    const std::size_t k = static_cast<std::size_t>(slot[q]);
    grad_w[m] += g_weight[k] * scale[q];
    grad_sigma[m] += g_sigma[k];
    grad_mu[m] += g_mu[k];
    grad_erev[m] += g_erev[k];
  }
}

// The projection's sums in lane order, with the fastest kernel the build and the layout allow. a and a_erev:
// per-slot scratch for either kernel.
template <typename T>
void project(const SynapseBlocks<T>& s, const T* v, T* lane_num, T* lane_den, T* a, T* a_erev) {
#if NCP_LTC_AVX2
  if constexpr (std::is_same_v<T, float>) {
    if (s.two_block_rows) return avx2::synapse_sums(s, v, lane_num, lane_den, a, a_erev);
  }
#endif
  synapse_sums(s, v, lane_num, lane_den, a, a_erev);
}

// Reverse of project: per-slot parameter gradients (accumulated), and d_v[source] += d/d v_source.
// by_source (see uses_by_source): recurrent_lane_num / _den are the gradients of the sums per recurrent lane
// position, d_v is padded to whole blocks. Otherwise: d_num_lanes / _den are per lane position of s, and d_source
// (slot_count() + 1, last entry 0) and source_lanes are scratch.
template <typename T>
void project_backward(const SynapseBlocks<T>& s, const T* v, const T* recurrent_lane_num, const T* recurrent_lane_den,
                      const T* d_num_lanes, const T* d_den_lanes, T* g_weight, T* g_sigma, T* g_mu, T* g_erev,
                      T* d_source, T* source_lanes, T* d_v) {
#if NCP_LTC_AVX2
  if constexpr (std::is_same_v<T, float>) {
    if (uses_by_source(s)) {
      return avx2::backward_by_source(s, v, recurrent_lane_num, recurrent_lane_den, g_weight, g_sigma, g_mu,
                                              g_erev, d_v);
    }
  }
#endif
  synapse_sums_backward(s, v, d_num_lanes, d_den_lanes, g_weight, g_sigma, g_mu, g_erev, d_source);
  gather_sources(s, d_source, source_lanes, d_v);
}

// One unfold's update per lane position: v_next = (cmt·v + num_s + lane_num) / (den_s + lane_den), keeping the
// denominator, where num_s = f(gleak)·vleak + the sensory Σ a·erev and den_s = cmt + f(gleak) + the sensory Σ a + ε
// are the same for every unfold of a step (LtcCell::forward), and the recurrent sums lane_num / lane_den exist
// only for the first `active` lane positions (the blocks with recurrent synapses).
template <typename T>
void unfold_update(std::size_t active, std::size_t n, const T* __restrict v, const T* __restrict cmt,
                   const T* __restrict num_s, const T* __restrict den_s, const T* __restrict lane_num,
                   const T* __restrict lane_den, T* __restrict denominator, T* __restrict v_next) {
  for (std::size_t p = 0; p < active; ++p) {
    const T den = den_s[p] + lane_den[p];
    denominator[p] = den;
    v_next[p] = (cmt[p] * v[p] + num_s[p] + lane_num[p]) / den;
  }
  for (std::size_t p = active; p < n; ++p) {
    denominator[p] = den_s[p];
    v_next[p] = (cmt[p] * v[p] + num_s[p]) / den_s[p];
  }
}

// Reverse of unfold_update: from dv = dL/dv_next, the gradients of numerator and denominator; the part of
// dL/dv that flows through cmt·v; and the running sums over unfolds for cmt, the sensory sums and f(gleak).
template <typename T>
void unfold_update_backward(std::size_t n, const T* __restrict v, const T* __restrict v_next,
                            const T* __restrict denominator, const T* __restrict cmt, const T* __restrict dv,
                            T* __restrict d_numerator, T* __restrict d_denominator, T* __restrict dv_prev,
                            T* __restrict d_cmt, T* __restrict d_num_s, T* __restrict d_den_s) {
  for (std::size_t p = 0; p < n; ++p) {
    const T d_num = dv[p] / denominator[p];
    const T d_den = -d_num * v_next[p];
    d_numerator[p] = d_num;
    d_denominator[p] = d_den;
    dv_prev[p] = d_num * cmt[p];
    d_cmt[p] += d_num * v[p] + d_den;
    d_num_s[p] += d_num;  // also d/d (f(gleak)·vleak), summed over unfolds
    d_den_s[p] += d_den;  // also d/d f(gleak) through the denominator
  }
}

}  // namespace ncp::core::ltc_detail
