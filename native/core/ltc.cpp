// Copyright 2026 ncp-silicon authors.
// The LTC cell: SPEC.md §2 for one sample, over the packed synapse layout described in ltc.h.
//
//   x ← x ⊙ input_w + input_b
//   numS_j = Σ_i sa_ij·sensory_erev_ij, denS_j = Σ_i sa_ij,   sa_ij = f(sensory_w)·σ(sensory_sigma·(x_i − sensory_mu))·mask
//   cmt = f(cm) / (Δ / U)
//   U times:  a_ij = f(w)·σ(sigma·(v_i − mu))·mask
//             v_j ← (cmt·v_j + f(gleak)·vleak + Σ_i a_ij·erev_ij + numS_j) / (cmt + f(gleak) + Σ_i a_ij + denS_j + ε)
//   y = v[0:M] ⊙ output_w + output_b
//
// This file holds the cell's members; the packing is in ltc_pack.cpp, the kernels in ltc_kernels.h and ltc_avx2.h.
#include "core/ltc.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "core/ltc_kernels.h"
#include "core/ltc_pack.h"
#include "core/ltc_work.h"

namespace ncp::core {

using ltc_detail::config_error;
using ltc_detail::describe_number;
using ltc_detail::flush_synapse_grads;
using ltc_detail::pack_synapses;
using ltc_detail::positive_fn;
using ltc_detail::positive_fn_grad;
using ltc_detail::project;
using ltc_detail::project_backward;
using ltc_detail::unfold_update;
using ltc_detail::unfold_update_backward;
using ltc_detail::uses_by_source;

template <typename T>
LtcCell<T>::LtcCell(const LtcConfig& config, const ParamSource<T>& source) : config_(config) {
  constexpr int kMaxDim = 1 << 24;  // the same bound the addon's parser states
  const std::string dim_range = "an integer from 1 to " + std::to_string(kMaxDim);
  if (config.inputs < 1 || config.inputs > kMaxDim) config_error("inputs", dim_range, config.inputs);
  if (config.units < 1 || config.units > kMaxDim) config_error("units", dim_range, config.units);
  if (config.motors < 1 || config.motors > config.units) {
    config_error("motors", "an integer from 1 to " + std::to_string(config.units), config.motors);
  }
  if (config.unfolds < 1 || config.unfolds > kMaxDim) config_error("unfolds", dim_range, config.unfolds);
  if (!(config.epsilon >= 0) || !std::isfinite(config.epsilon)) {
    config_error("epsilon", "a finite number ≥ 0", config.epsilon);
  }
  const std::size_t S = config.inputs, N = config.units, M = config.motors;
  if (static_cast<double>(std::max(S, N)) * N > std::numeric_limits<std::int32_t>::max()) {
    config_error("units", "at most 2^31 synapses (units × max(units, inputs))", config.units);
  }
  epsilon_ = static_cast<T>(config.epsilon);
  const bool implicit = config.implicit_constraints;
  constexpr bool kTwoBlockRows = NCP_LTC_AVX2 && std::is_same_v<T, float>;  // only the AVX2 float kernels use them
  // Each tensor's extent is checked inside the buffer (ParamSource) before anything is read.
  const auto offset = [&](const char* name, std::size_t length) {
    return source.offset(std::string("cell.") + name, length);
  };
  const T* params = source.data;

  gleak_offset_ = offset("gleak", N);
  vleak_offset_ = offset("vleak", N);
  cm_offset_ = offset("cm", N);
  sigma_offset_ = offset("sigma", N * N);
  mu_offset_ = offset("mu", N * N);
  w_offset_ = offset("w", N * N);
  erev_offset_ = offset("erev", N * N);
  sensory_sigma_offset_ = offset("sensory_sigma", S * N);
  sensory_mu_offset_ = offset("sensory_mu", S * N);
  sensory_w_offset_ = offset("sensory_w", S * N);
  sensory_erev_offset_ = offset("sensory_erev", S * N);
  const std::size_t mask_offset = offset("sparsity_mask", N * N);
  const std::size_t sensory_mask_offset = offset("sensory_sparsity_mask", S * N);

  input_w_.assign(S, T(1));
  input_b_.assign(S, T(0));
  output_w_.assign(M, T(1));
  output_b_.assign(M, T(0));
  // A mapping parameter present in this configuration: copied over its identity default; returns its offset.
  const auto read_mapping = [&](const char* name, Buffer<T>& values) {
    const std::size_t at = offset(name, values.size());
    std::copy(params + at, params + at + values.size(), values.begin());
    return at;
  };
  if (config.input_mapping != Mapping::None) input_w_offset_ = read_mapping("input_w", input_w_);
  if (config.input_mapping == Mapping::Affine) input_b_offset_ = read_mapping("input_b", input_b_);
  if (config.output_mapping != Mapping::None) output_w_offset_ = read_mapping("output_w", output_w_);
  if (config.output_mapping == Mapping::Affine) output_b_offset_ = read_mapping("output_b", output_b_);

  recurrent_ = pack_synapses<T>(config.units, config.units, params + mask_offset, params + w_offset_,
                                params + sigma_offset_, params + mu_offset_, params + erev_offset_, implicit, true,
                                kTwoBlockRows, nullptr);
  sensory_ = pack_synapses<T>(config.inputs, config.units, params + sensory_mask_offset, params + sensory_w_offset_,
                              params + sensory_sigma_offset_, params + sensory_mu_offset_,
                              params + sensory_erev_offset_, implicit, false, kTwoBlockRows, &recurrent_.lane_of);
  const std::size_t lanes = recurrent_.lane_count();  // the same for both projections (N destinations)

  // Per-neuron parameters in lane order; padding lanes (p ≥ N) keep f(gleak) = 1 and zeros elsewhere.
  gleak_.assign(lanes, T(1));
  gleak_vleak_.assign(lanes, T(0));
  vleak_.assign(lanes, T(0));
  cm_.assign(lanes, T(0));
  gleak_grad_scale_.assign(lanes, T(0));
  cm_grad_scale_.assign(lanes, T(0));
  sensory_lane_.resize(lanes);
  for (std::size_t p = 0; p < lanes; ++p) {
    const int j = recurrent_.neuron_of_lane[p];
    if (j < 0) {
      sensory_lane_[p] = static_cast<std::int32_t>(p);  // padding lanes are [N, lanes) in both orders
      continue;
    }
    sensory_lane_[p] = sensory_.lane_of[j];
    const T gleak = params[gleak_offset_ + j], cm = params[cm_offset_ + j];
    gleak_[p] = positive_fn(gleak, implicit);
    vleak_[p] = params[vleak_offset_ + j];
    gleak_vleak_[p] = gleak_[p] * vleak_[p];
    cm_[p] = positive_fn(cm, implicit);
    gleak_grad_scale_[p] = positive_fn_grad(gleak, implicit);
    cm_grad_scale_[p] = positive_fn_grad(cm, implicit);
  }

  // Scratch regions, each rounded up to 8 scalars so they start 32-byte aligned relative to each other.
  std::size_t cursor = 0;
  const auto take = [&cursor](std::size_t n) {
    const std::size_t at = cursor;
    cursor += (n + 7) / 8 * 8;
    return at;
  };
  // Per-slot gradients live in backward's layout (by_source when used); size them for both.
  const std::size_t slots = std::max(recurrent_.slot_count(), recurrent_.by_source.slot_count());
  const std::size_t sensory_slots = std::max(sensory_.slot_count(), sensory_.by_source.slot_count());
  ScratchLayout& z = scratch_;
  z.xm = take(padded_inputs());
  z.sens_num = take(lanes);
  z.sens_den = take(lanes);
  z.num_s = take(lanes);
  z.den_s = take(lanes);
  z.lane_num = take(lanes);
  z.lane_den = take(lanes);
  z.v0 = take(lanes);
  z.v_a = take(lanes);
  z.v_b = take(lanes);
  z.denominator = take(lanes);
  z.cmt = take(lanes);
  z.a = take(std::max(slots, sensory_slots));
  z.a_erev = take(std::max(slots, sensory_slots));
  z.dxm = take(padded_inputs());
  z.dv = take(lanes);
  z.dv_prev = take(lanes);
  z.d_cmt = take(lanes);
  z.d_numerator = take(lanes);
  z.d_denominator = take(lanes);
  z.d_num_s = take(lanes);
  z.d_den_s = take(lanes);
  z.d_sens_num = take(lanes);
  z.d_sens_den = take(lanes);
  z.source_lanes = take(std::max(recurrent_.source_lane_count(), sensory_.source_lane_count()));
  z.g_weight = take(slots);
  z.g_sigma = take(slots);
  z.g_mu = take(slots);
  z.g_erev = take(slots);
  z.d_source = take(slots + 1);  // + the zero entry the transposed padding points at
  z.gs_weight = take(sensory_slots);
  z.gs_sigma = take(sensory_slots);
  z.gs_mu = take(sensory_slots);
  z.gs_erev = take(sensory_slots);
  z.ds_source = take(sensory_slots + 1);
  z.total = cursor;
}

template <typename T>
void LtcCell<T>::check_elapsed_time(T dt) const {
  if (!(dt > T(0)) || !std::isfinite(dt)) {
    throw InvalidArgument(InvalidArgument::Kind::Range,
                          "LTC: expected positive finite elapsed times for timespans, received " +
                              describe_number(static_cast<double>(dt)) + ".");
  }
}

// xm has room for whole blocks of kLanes (the two-block kernels read them); the tail is zero.
template <typename T>
void LtcCell<T>::map_input(const T* x, T* xm) const {
  const int S = config_.inputs;
  for (int i = 0; i < S; ++i) xm[i] = x[i] * input_w_[i] + input_b_[i];
  std::fill(xm + S, xm + padded_inputs(), T(0));
}

template <typename T>
void LtcCell<T>::forward(const T* x, const T* h, T dt, T* h_next, T* y, T* tape, T* scratch,
                         std::uint64_t /*step_key: LTC is deterministic*/) const {
  check_elapsed_time(dt);
  const int N = config_.units, U = config_.unfolds;
  const std::size_t lanes = recurrent_.lane_count();
  const ScratchLayout& z = scratch_;
  T* xm = scratch + z.xm;
  T* sens_num = scratch + z.sens_num;
  T* sens_den = scratch + z.sens_den;
  T* num_s = scratch + z.num_s;
  T* den_s = scratch + z.den_s;
  T* lane_num = scratch + z.lane_num;
  T* lane_den = scratch + z.lane_den;
  T* v0 = scratch + z.v0;
  T* cmt = scratch + z.cmt;
  T* a = scratch + z.a;
  T* a_erev = scratch + z.a_erev;
  const std::int32_t* lane_of = recurrent_.lane_of.data();

  map_input(x, xm);
  project(sensory_, xm, sens_num, sens_den, a, a_erev);
  const std::size_t sensory_active = static_cast<std::size_t>(sensory_.active_blocks) * SynapseBlocks<T>::kLanes;
  std::fill(sens_num + sensory_active, sens_num + lanes, T(0));  // neurons without sensory synapses
  std::fill(sens_den + sensory_active, sens_den + lanes, T(0));
  // What every unfold of this step shares: cmt, and the update's numerator and denominator terms other than the
  // recurrent sums (unfold_update), in recurrent lane order.
  // Two loops: the divisions vectorise only apart from the permutation's gather.
  const T dt_per_unfold = dt / static_cast<T>(U);
  for (std::size_t p = 0; p < lanes; ++p) {
    cmt[p] = cm_[p] / dt_per_unfold;
    den_s[p] = cmt[p] + gleak_[p];
  }
  for (std::size_t p = 0; p < lanes; ++p) {
    const std::int32_t q = sensory_lane_[p];
    num_s[p] = gleak_vleak_[p] + sens_num[q];
    den_s[p] = den_s[p] + sens_den[q] + epsilon_;
  }
  std::fill(v0 + N, v0 + lanes, T(0));  // padding lanes; lane_of maps the N neurons onto [0, N)
  for (int j = 0; j < N; ++j) v0[lane_of[j]] = h[j];

  const std::size_t recurrent_active = static_cast<std::size_t>(recurrent_.active_blocks) * SynapseBlocks<T>::kLanes;
  const T* v = v0;
  for (int k = 0; k < U; ++k) {
    // v_{k+1} and the denominator go to the tape when backward will need them, else to scratch.
    T* v_next = tape ? tape + static_cast<std::size_t>(k) * lanes : scratch + (k % 2 ? z.v_b : z.v_a);
    T* denominator = tape ? tape + static_cast<std::size_t>(U + k) * lanes : scratch + z.denominator;
    project(recurrent_, v, lane_num, lane_den, a, a_erev);
    unfold_update(recurrent_active, lanes, v, cmt, num_s, den_s, lane_num, lane_den, denominator, v_next);
    v = v_next;
  }
  for (int j = 0; j < N; ++j) h_next[j] = v[lane_of[j]];
  for (int m = 0; m < config_.motors; ++m) y[m] = v[lane_of[m]] * output_w_[m] + output_b_[m];
}

template <typename T>
void LtcCell<T>::backward(const T* x, const T* h, T dt, const T* tape, const T* dh_next, const T* dy, T* dx, T* dh,
                          T* ddt, T* grad, T* scratch, std::uint64_t /*step_key*/) const {
  check_elapsed_time(dt);
  const int S = config_.inputs, N = config_.units, M = config_.motors, U = config_.unfolds;
  const std::size_t lanes = recurrent_.lane_count();
  const ScratchLayout& z = scratch_;
  const std::int32_t* lane_of = recurrent_.lane_of.data();
  T* v0 = scratch + z.v0;
  std::fill(v0 + N, v0 + lanes, T(0));  // padding lanes; lane_of maps the N neurons onto [0, N)
  for (int j = 0; j < N; ++j) v0[lane_of[j]] = h[j];
  const auto v_at = [&](int k) { return k == 0 ? v0 : tape + static_cast<std::size_t>(k - 1) * lanes; };
  const T* v_last = v_at(U);

  T* dv = scratch + z.dv;            // dL/dv_{k+1}, lane order
  T* dv_prev = scratch + z.dv_prev;  // dL/dv_k
  T* cmt = scratch + z.cmt;
  T* d_cmt = scratch + z.d_cmt;
  T* d_num_s = scratch + z.d_num_s;
  T* d_den_s = scratch + z.d_den_s;
  T* d_numerator = scratch + z.d_numerator;
  T* d_denominator = scratch + z.d_denominator;
  std::fill(d_cmt, d_cmt + lanes, T(0));
  std::fill(d_num_s, d_num_s + lanes, T(0));
  std::fill(d_den_s, d_den_s + lanes, T(0));
  scratch[z.d_source + recurrent_.slot_count()] = T(0);  // what transposed padding reads

  // y = v_U[0:M] ⊙ output_w + output_b
  std::fill(dv + N, dv + lanes, T(0));
  for (int j = 0; j < N; ++j) dv[lane_of[j]] = dh_next[j];
  for (int m = 0; m < M; ++m) {
    dv[lane_of[m]] += dy[m] * output_w_[m];
    if (config_.output_mapping != Mapping::None) grad[output_w_offset_ + m] += dy[m] * v_last[lane_of[m]];
    if (config_.output_mapping == Mapping::Affine) grad[output_b_offset_ + m] += dy[m];
  }

  const T dt_per_unfold = dt / static_cast<T>(U);
  for (std::size_t p = 0; p < lanes; ++p) cmt[p] = cm_[p] / dt_per_unfold;

  // Unfolds in reverse: v_{k+1} = numerator / denominator.
  for (int k = U - 1; k >= 0; --k) {
    const T* v = v_at(k);
    const T* denominator = tape + static_cast<std::size_t>(U + k) * lanes;
    unfold_update_backward(lanes, v, v_at(k + 1), denominator, cmt, dv, d_numerator, d_denominator, dv_prev, d_cmt,
                           d_num_s, d_den_s);
    // (The recurrent projection's lane order is the state's: its gradients need no permutation.)
    project_backward(recurrent_, v, d_numerator, d_denominator, d_numerator, d_denominator, scratch + z.g_weight,
                     scratch + z.g_sigma, scratch + z.g_mu, scratch + z.g_erev, scratch + z.d_source,
                     scratch + z.source_lanes, dv_prev);
    T* const next_dv = dv_prev;  // dL/dv_k becomes the incoming gradient of unfold k − 1
    dv_prev = dv;
    dv = next_dv;
  }
  for (int j = 0; j < N; ++j) dh[j] = dv[lane_of[j]];

  // cmt = f(cm) / (Δ / U); f(gleak) in numerator (·vleak) and denominator. The divisions run per lane position
  // (vectorised, into the now free d_numerator / d_denominator); the sums keep neuron order.
  T* d_cm = d_numerator;
  T* d_dt_terms = d_denominator;
  for (std::size_t p = 0; p < lanes; ++p) {
    d_cm[p] = d_cmt[p] / dt_per_unfold * cm_grad_scale_[p];
    d_dt_terms[p] = d_cmt[p] * cmt[p] / dt;
  }
  T d_dt = T(0);
  for (int j = 0; j < N; ++j) {
    const std::int32_t p = lane_of[j];
    grad[cm_offset_ + j] += d_cm[p];
    d_dt -= d_dt_terms[p];
    grad[gleak_offset_ + j] += (d_num_s[p] * vleak_[p] + d_den_s[p]) * gleak_grad_scale_[p];
    grad[vleak_offset_ + j] += d_num_s[p] * gleak_[p];
  }
  *ddt = d_dt;

  // Sensory synapses (evaluated once per step), then the input mapping.
  T* xm = scratch + z.xm;
  T* dxm = scratch + z.dxm;
  T* d_sens_num = scratch + z.d_sens_num;
  T* d_sens_den = scratch + z.d_sens_den;
  map_input(x, xm);
  if (!uses_by_source(sensory_)) {  // the portable loop wants them in the sensory projection's lane order
    for (std::size_t p = 0; p < lanes; ++p) {
      d_sens_num[sensory_lane_[p]] = d_num_s[p];
      d_sens_den[sensory_lane_[p]] = d_den_s[p];
    }
  }
  scratch[z.ds_source + sensory_.slot_count()] = T(0);
  std::fill(dxm, dxm + padded_inputs(), T(0));
  project_backward(sensory_, xm, d_num_s, d_den_s, d_sens_num, d_sens_den, scratch + z.gs_weight, scratch + z.gs_sigma,
                   scratch + z.gs_mu, scratch + z.gs_erev, scratch + z.ds_source, scratch + z.source_lanes, dxm);
  for (int i = 0; i < S; ++i) {
    dx[i] += dxm[i] * input_w_[i];
    if (config_.input_mapping != Mapping::None) grad[input_w_offset_ + i] += dxm[i] * x[i];
    if (config_.input_mapping == Mapping::Affine) grad[input_b_offset_ + i] += dxm[i];
  }
}

template <typename T>
void LtcCell<T>::begin_gradients(T* scratch) const {
  const ScratchLayout& z = scratch_;
  std::fill(scratch + z.g_weight, scratch + z.d_source, T(0));    // g_weight, g_sigma, g_mu, g_erev
  std::fill(scratch + z.gs_weight, scratch + z.ds_source, T(0));  // gs_weight, gs_sigma, gs_mu, gs_erev
}

template <typename T>
void LtcCell<T>::end_gradients(T* scratch, T* grad) const {
  const ScratchLayout& z = scratch_;
  flush_synapse_grads(recurrent_, scratch + z.g_weight, scratch + z.g_sigma, scratch + z.g_mu, scratch + z.g_erev,
                      grad, w_offset_, sigma_offset_, mu_offset_, erev_offset_);
  flush_synapse_grads(sensory_, scratch + z.gs_weight, scratch + z.gs_sigma, scratch + z.gs_mu, scratch + z.gs_erev,
                      grad, sensory_w_offset_, sensory_sigma_offset_, sensory_mu_offset_, sensory_erev_offset_);
}

template <typename T>
CellWork LtcCell<T>::work_per_step() const {
  return ltc_work_per_step(config_, synapse_count(), sensory_synapse_count(), sizeof(T));
}

template class LtcCell<float>;
template class LtcCell<double>;

}  // namespace ncp::core
