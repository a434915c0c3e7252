// Copyright 2026 ncp-silicon authors.
// The LTC cell: SPEC.md §2 for one sample, over the packed synapse layout described in ltc.h.
//
//   x ← x ⊙ input_w + input_b
//   numS_j = Σ_i sa_ij·sensory_erev_ij, denS_j = Σ_i sa_ij,   sa_ij = f(sensory_w)·σ(sensory_sigma·(x_i − sensory_mu))·mask
//   cmt = f(cm) / (Δ / U)
//   U times:  a_ij = f(w)·σ(sigma·(v_i − mu))·mask
//             v_j ← (cmt·v_j + f(gleak)·vleak + Σ_i a_ij·erev_ij + numS_j) / (cmt + f(gleak) + Σ_i a_ij + denS_j + ε)
//   y = v[0:M] ⊙ output_w + output_b
#include "core/ltc.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <string>

#include "core/math.h"

namespace ncp::core {
namespace {

// A number as JS would print it in an error message ("number 0", "number NaN", "number -Infinity").
std::string describe_number(double value) {
  if (std::isnan(value)) return "number NaN";
  if (std::isinf(value)) return value > 0 ? "number Infinity" : "number -Infinity";
  char text[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return std::string("number ") + text;
}

[[noreturn]] void config_error(const char* field, const std::string& expected, double received) {
  throw InvalidArgument(InvalidArgument::Kind::Range,
                        "LTC: expected " + expected + " for config." + field + ", received " + describe_number(received) + ".");
}

template <typename T>
T positive_fn(T x, bool implicit) {  // f
  return implicit ? softplus(x) : x;
}
template <typename T>
T positive_fn_grad(T x, bool implicit) {  // f'
  return implicit ? softplus_grad(x) : T(1);
}

// Packs the synapses of a (sources × units) projection whose mask entry is nonzero (see ltc.h).
template <typename T>
SynapseBlocks<T> pack_synapses(int sources, int units, const T* mask, const T* w, const T* sigma, const T* mu,
                               const T* erev, bool implicit) {
  constexpr int W = SynapseBlocks<T>::kLanes;
  const auto at = [units](int i, int j) { return static_cast<std::size_t>(i) * units + j; };
  std::vector<int> degree(units, 0);
  for (int i = 0; i < sources; ++i) {
    for (int j = 0; j < units; ++j) degree[j] += mask[at(i, j)] != T(0);
  }
  std::vector<int> order(units);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return degree[a] > degree[b]; });

  SynapseBlocks<T> s;
  s.blocks = (units + W - 1) / W;
  s.lane_of.assign(units, 0);
  s.block_begin.assign(s.blocks + 1, 0);
  for (int p = 0; p < units; ++p) s.lane_of[order[p]] = p;
  for (int b = 0; b < s.blocks; ++b) {
    const int depth = degree[order[b * W]];  // the largest in-degree of the block (sorted descending)
    s.block_begin[b + 1] = s.block_begin[b] + depth * W;
  }
  const std::size_t slots = s.block_begin[s.blocks];
  s.source.assign(slots, 0);
  s.weight.assign(slots, T(0));
  s.sigma.assign(slots, T(0));
  s.mu.assign(slots, T(0));
  s.erev.assign(slots, T(0));

  struct Real {
    std::int32_t matrix_index, slot;
    T scale;
  };
  std::vector<Real> real;
  for (int p = 0; p < units; ++p) {
    const int j = order[p];
    const int b = p / W, lane = p % W;
    int row = 0;
    for (int i = 0; i < sources; ++i) {
      const std::size_t m = at(i, j);
      if (mask[m] == T(0)) continue;
      const std::int32_t k = s.block_begin[b] + row * W + lane;
      ++row;
      s.source[k] = i;
      s.weight[k] = positive_fn(w[m], implicit) * mask[m];
      s.sigma[k] = sigma[m];
      s.mu[k] = mu[m];
      s.erev[k] = erev[m];
      real.push_back({static_cast<std::int32_t>(m), k, mask[m] * positive_fn_grad(w[m], implicit)});
    }
  }
  // The transpose: outgoing synapses per source, sources in blocks sorted by out-degree.
  std::vector<std::vector<std::int32_t>> outgoing(sources);
  for (const Real& r : real) outgoing[r.matrix_index / units].push_back(r.slot);
  std::vector<int> source_order(sources);
  std::iota(source_order.begin(), source_order.end(), 0);
  std::stable_sort(source_order.begin(), source_order.end(),
                   [&](int a, int b) { return outgoing[a].size() > outgoing[b].size(); });
  s.sources = sources;
  s.source_blocks = (sources + W - 1) / W;
  s.source_of_lane = source_order;
  s.source_block_begin.assign(s.source_blocks + 1, 0);
  for (int b = 0; b < s.source_blocks; ++b) {
    const int depth = static_cast<int>(outgoing[source_order[b * W]].size());
    s.source_block_begin[b + 1] = s.source_block_begin[b] + depth * W;
  }
  s.outgoing.assign(s.source_block_begin[s.source_blocks], static_cast<std::int32_t>(slots));
  for (int p = 0; p < sources; ++p) {
    const auto& list = outgoing[source_order[p]];
    for (std::size_t row = 0; row < list.size(); ++row) {
      s.outgoing[s.source_block_begin[p / W] + row * W + p % W] = list[row];
    }
  }

  std::sort(real.begin(), real.end(), [](const Real& a, const Real& b) { return a.matrix_index < b.matrix_index; });
  for (const Real& r : real) {
    s.matrix_index.push_back(r.matrix_index);
    s.slot.push_back(r.slot);
    s.weight_grad_scale.push_back(r.scale);
  }
  return s;
}

// Σ over each destination's synapses of a = f(w)·σ(sigma·(v_source − mu)): lane_num gets Σ a·erev and
// lane_den gets Σ a, in lane order. Two passes: the sigmoids over all slots in one long loop (vectorised, with
// a gather of v[source]), then the per-block sums, one vector of kLanes destinations per row. (Fusing them
// runs out of vector registers: the exp constants push the accumulators onto the stack.)
template <typename T>
void synapse_sums(const SynapseBlocks<T>& s, const T* __restrict v, T* __restrict lane_num, T* __restrict lane_den,
                  T* __restrict a, T* __restrict a_erev) {
  constexpr int W = SynapseBlocks<T>::kLanes;
  const std::int32_t* __restrict source = s.source.data();
  const T* __restrict weight = s.weight.data();
  const T* __restrict sigma = s.sigma.data();
  const T* __restrict mu = s.mu.data();
  const T* __restrict erev = s.erev.data();
  const std::int32_t slots = static_cast<std::int32_t>(s.slot_count());
  for (std::int32_t k = 0; k < slots; ++k) {
    a[k] = weight[k] * simd_sigmoid(sigma[k] * (v[source[k]] - mu[k]));
    a_erev[k] = a[k] * erev[k];
  }
  for (int b = 0; b < s.blocks; ++b) {
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
// caller sums it per source). The sigmoid is recomputed rather than read from a tape. kFirst: the first
// evaluation of the step overwrites the per-slot gradients instead of accumulating (no zero-fill needed).
template <bool kFirst, typename T>
void synapse_sums_backward(const SynapseBlocks<T>& s, const T* __restrict v, const T* __restrict d_num_lanes,
                           const T* __restrict d_den_lanes, T* __restrict g_weight, T* __restrict g_sigma,
                           T* __restrict g_mu, T* __restrict g_erev, T* __restrict d_source) {
  constexpr int W = SynapseBlocks<T>::kLanes;
  const std::int32_t* __restrict source = s.source.data();
  const T* __restrict weight = s.weight.data();
  const T* __restrict sigma = s.sigma.data();
  const T* __restrict mu = s.mu.data();
  const T* __restrict erev = s.erev.data();
  for (int b = 0; b < s.blocks; ++b) {
    T d_num[W], d_den[W];
    for (int l = 0; l < W; ++l) {
      d_num[l] = d_num_lanes[b * W + l];
      d_den[l] = d_den_lanes[b * W + l];
    }
    const std::int32_t end = s.block_begin[b + 1];
    for (std::int32_t row = s.block_begin[b]; row < end; row += W) {
      for (int l = 0; l < W; ++l) {
        const std::int32_t k = row + l;
        const T diff = v[source[k]] - mu[k];
        const T sig = simd_sigmoid(sigma[k] * diff);
        const T a = weight[k] * sig;
        const T d_a = d_num[l] * erev[k] + d_den[l];
        const T d_z = d_a * a * (T(1) - sig);  // d/d (sigma·(v − mu))
        if constexpr (kFirst) {
          g_erev[k] = d_num[l] * a;
          g_weight[k] = d_a * sig;
          g_sigma[k] = d_z * diff;
          g_mu[k] = -(d_z * sigma[k]);
        } else {
          g_erev[k] += d_num[l] * a;
          g_weight[k] += d_a * sig;
          g_sigma[k] += d_z * diff;
          g_mu[k] -= d_z * sigma[k];
        }
        d_source[k] = d_z * sigma[k];
      }
    }
  }
}

// d_v[source] += Σ of d_source over the source's outgoing synapses, through the transposed blocks: a gather
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
  for (int p = 0; p < s.sources; ++p) d_v[s.source_of_lane[p]] += source_lanes[p];
}

// grad[matrix entries] += the packed per-slot gradients (weight through mask·f'(w)).
template <typename T>
void flush_synapse_grads(const SynapseBlocks<T>& s, const T* g_weight, const T* g_sigma, const T* g_mu,
                         const T* g_erev, T* grad, std::size_t w_offset, std::size_t sigma_offset,
                         std::size_t mu_offset, std::size_t erev_offset) {
  const std::size_t n = s.synapse_count();
  for (std::size_t q = 0; q < n; ++q) {
    const std::size_t m = s.matrix_index[q];
    const std::int32_t k = s.slot[q];
    grad[w_offset + m] += g_weight[k] * s.weight_grad_scale[q];
    grad[sigma_offset + m] += g_sigma[k];
    grad[mu_offset + m] += g_mu[k];
    grad[erev_offset + m] += g_erev[k];
  }
}

// One unfold's update per neuron j, given the synapse sums (lane order) and the sensory sums:
// v_next = (cmt·v + f(gleak)·vleak + num) / (cmt + f(gleak) + den + ε), keeping the denominator.
template <typename T>
void unfold_update(int n, const T* __restrict v, const T* __restrict cmt, const T* __restrict gleak,
                   const T* __restrict gleak_vleak, const T* __restrict num_s, const T* __restrict den_s,
                   const T* __restrict lane_num, const T* __restrict lane_den, const std::int32_t* __restrict lane_of,
                   T epsilon, T* __restrict denominator, T* __restrict v_next) {
  for (int j = 0; j < n; ++j) {
    const std::int32_t p = lane_of[j];
    const T numerator = cmt[j] * v[j] + gleak_vleak[j] + (lane_num[p] + num_s[j]);
    denominator[j] = cmt[j] + gleak[j] + (lane_den[p] + den_s[j]) + epsilon;
    v_next[j] = numerator / denominator[j];
  }
}

// Reverse of unfold_update: from dv = dL/dv_next, the gradients of numerator and denominator; the part of
// dL/dv that flows through cmt·v; and the running sums over unfolds for cmt, the sensory sums and f(gleak).
template <typename T>
void unfold_update_backward(int n, const T* __restrict v, const T* __restrict v_next,
                            const T* __restrict denominator, const T* __restrict cmt, const T* __restrict dv,
                            T* __restrict d_numerator, T* __restrict d_denominator, T* __restrict dv_prev,
                            T* __restrict d_cmt, T* __restrict d_num_s, T* __restrict d_den_s) {
  for (int j = 0; j < n; ++j) {
    d_numerator[j] = dv[j] / denominator[j];
    d_denominator[j] = -d_numerator[j] * v_next[j];
    dv_prev[j] = d_numerator[j] * cmt[j];
    d_cmt[j] += d_numerator[j] * v[j] + d_denominator[j];
    d_num_s[j] += d_numerator[j];    // also d/d (f(gleak)·vleak), summed over unfolds
    d_den_s[j] += d_denominator[j];  // also d/d f(gleak) through the denominator
  }
}

}  // namespace

template <typename T>
LtcCell<T>::LtcCell(const LtcConfig& config, const T* params, const ParamOffsets& offsets) : config_(config) {
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
  const auto offset = [&](const char* name) { return offset_of(offsets, std::string("rnn_cell.") + name); };

  gleak_offset_ = offset("gleak");
  vleak_offset_ = offset("vleak");
  cm_offset_ = offset("cm");
  sigma_offset_ = offset("sigma");
  mu_offset_ = offset("mu");
  w_offset_ = offset("w");
  erev_offset_ = offset("erev");
  sensory_sigma_offset_ = offset("sensory_sigma");
  sensory_mu_offset_ = offset("sensory_mu");
  sensory_w_offset_ = offset("sensory_w");
  sensory_erev_offset_ = offset("sensory_erev");
  const std::size_t mask_offset = offset("sparsity_mask");
  const std::size_t sensory_mask_offset = offset("sensory_sparsity_mask");

  input_w_.assign(S, T(1));
  input_b_.assign(S, T(0));
  output_w_.assign(M, T(1));
  output_b_.assign(M, T(0));
  if (config.input_mapping != Mapping::None) {
    input_w_offset_ = offset("input_w");
    std::copy(params + input_w_offset_, params + input_w_offset_ + S, input_w_.begin());
  }
  if (config.input_mapping == Mapping::Affine) {
    input_b_offset_ = offset("input_b");
    std::copy(params + input_b_offset_, params + input_b_offset_ + S, input_b_.begin());
  }
  if (config.output_mapping != Mapping::None) {
    output_w_offset_ = offset("output_w");
    std::copy(params + output_w_offset_, params + output_w_offset_ + M, output_w_.begin());
  }
  if (config.output_mapping == Mapping::Affine) {
    output_b_offset_ = offset("output_b");
    std::copy(params + output_b_offset_, params + output_b_offset_ + M, output_b_.begin());
  }

  gleak_.resize(N);
  gleak_vleak_.resize(N);
  vleak_.resize(N);
  cm_.resize(N);
  gleak_grad_scale_.resize(N);
  cm_grad_scale_.resize(N);
  for (std::size_t j = 0; j < N; ++j) {
    const T gleak = params[gleak_offset_ + j], cm = params[cm_offset_ + j];
    gleak_[j] = positive_fn(gleak, implicit);
    vleak_[j] = params[vleak_offset_ + j];
    gleak_vleak_[j] = gleak_[j] * vleak_[j];
    cm_[j] = positive_fn(cm, implicit);
    gleak_grad_scale_[j] = positive_fn_grad(gleak, implicit);
    cm_grad_scale_[j] = positive_fn_grad(cm, implicit);
  }

  sensory_ = pack_synapses<T>(config.inputs, config.units, params + sensory_mask_offset, params + sensory_w_offset_,
                              params + sensory_sigma_offset_, params + sensory_mu_offset_,
                              params + sensory_erev_offset_, implicit);
  recurrent_ = pack_synapses<T>(config.units, config.units, params + mask_offset, params + w_offset_,
                                params + sigma_offset_, params + mu_offset_, params + erev_offset_, implicit);

  // Scratch regions, each rounded up to 8 scalars so they start 32-byte aligned relative to each other.
  std::size_t cursor = 0;
  const auto take = [&cursor](std::size_t n) {
    const std::size_t at = cursor;
    cursor += (n + 7) / 8 * 8;
    return at;
  };
  const std::size_t lanes = recurrent_.lane_count();  // the same for both projections (N destinations)
  const std::size_t slots = recurrent_.slot_count(), sensory_slots = sensory_.slot_count();
  ScratchLayout& z = scratch_;
  z.xm = take(S);
  z.num_s = take(N);
  z.den_s = take(N);
  z.num_lanes = take(lanes);
  z.den_lanes = take(lanes);
  z.v_a = take(N);
  z.v_b = take(N);
  z.denominator = take(N);
  z.cmt = take(N);
  z.a = take(std::max(slots, sensory_slots));
  z.a_erev = take(std::max(slots, sensory_slots));
  z.dxm = take(S);
  z.dv = take(N);
  z.dv_prev = take(N);
  z.d_cmt = take(N);
  z.d_numerator = take(N);
  z.d_denominator = take(N);
  z.d_num_s = take(N);
  z.d_den_s = take(N);
  z.d_num_lanes = take(lanes);
  z.d_den_lanes = take(lanes);
  z.d_num_s_lanes = take(lanes);
  z.d_den_s_lanes = take(lanes);
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

template <typename T>
void LtcCell<T>::map_input(const T* x, T* xm) const {
  for (int i = 0; i < config_.inputs; ++i) xm[i] = x[i] * input_w_[i] + input_b_[i];
}

template <typename T>
void LtcCell<T>::sensory_sums(const T* xm, T* num_s, T* den_s, T* lane_num, T* lane_den, T* a, T* a_erev) const {
  synapse_sums(sensory_, xm, lane_num, lane_den, a, a_erev);
  for (int j = 0; j < config_.units; ++j) {
    num_s[j] = lane_num[sensory_.lane_of[j]];
    den_s[j] = lane_den[sensory_.lane_of[j]];
  }
}

template <typename T>
void LtcCell<T>::forward(const T* x, const T* h, T dt, T* h_next, T* y, T* tape, T* scratch,
                         std::uint64_t /*step_key: LTC is deterministic*/) const {
  check_elapsed_time(dt);
  const int N = config_.units, U = config_.unfolds;
  const ScratchLayout& z = scratch_;
  T* xm = scratch + z.xm;
  T* num_s = scratch + z.num_s;
  T* den_s = scratch + z.den_s;
  T* lane_num = scratch + z.num_lanes;
  T* lane_den = scratch + z.den_lanes;
  T* cmt = scratch + z.cmt;
  T* a = scratch + z.a;
  T* a_erev = scratch + z.a_erev;

  map_input(x, xm);
  sensory_sums(xm, num_s, den_s, lane_num, lane_den, a, a_erev);
  const T dt_per_unfold = dt / static_cast<T>(U);
  for (int j = 0; j < N; ++j) cmt[j] = cm_[j] / dt_per_unfold;

  const T* v = h;
  for (int k = 0; k < U; ++k) {
    // v_{k+1} and the denominator go to the tape when backward will need them, else to scratch.
    T* v_next = tape ? tape + static_cast<std::size_t>(k) * N : scratch + (k % 2 ? z.v_b : z.v_a);
    T* denominator = tape ? tape + static_cast<std::size_t>(U + k) * N : scratch + z.denominator;
    synapse_sums(recurrent_, v, lane_num, lane_den, a, a_erev);
    unfold_update(N, v, cmt, gleak_.data(), gleak_vleak_.data(), num_s, den_s, lane_num, lane_den,
                  recurrent_.lane_of.data(), epsilon_, denominator, v_next);
    v = v_next;
  }
  std::copy(v, v + N, h_next);
  for (int m = 0; m < config_.motors; ++m) y[m] = v[m] * output_w_[m] + output_b_[m];
}

template <typename T>
void LtcCell<T>::backward(const T* x, const T* h, T dt, const T* tape, const T* dh_next, const T* dy, T* dx, T* dh,
                          T* ddt, T* grad, T* scratch, std::uint64_t /*step_key*/) const {
  check_elapsed_time(dt);
  const int S = config_.inputs, N = config_.units, M = config_.motors, U = config_.unfolds;
  const ScratchLayout& z = scratch_;
  const auto v_at = [&](int k) { return k == 0 ? h : tape + static_cast<std::size_t>(k - 1) * N; };
  const T* v_last = v_at(U);

  T* dv = scratch + z.dv;            // dL/dv_{k+1}
  T* dv_prev = scratch + z.dv_prev;  // dL/dv_k
  T* cmt = scratch + z.cmt;
  T* d_cmt = scratch + z.d_cmt;
  T* d_num_s = scratch + z.d_num_s;
  T* d_den_s = scratch + z.d_den_s;
  T* d_numerator = scratch + z.d_numerator;
  T* d_denominator = scratch + z.d_denominator;
  T* d_num_lanes = scratch + z.d_num_lanes;
  T* d_den_lanes = scratch + z.d_den_lanes;
  const std::size_t lanes = recurrent_.lane_count();
  std::fill(d_num_lanes, d_num_lanes + lanes, T(0));  // empty lanes stay zero
  std::fill(d_den_lanes, d_den_lanes + lanes, T(0));
  std::fill(d_cmt, d_cmt + N, T(0));
  std::fill(d_num_s, d_num_s + N, T(0));
  std::fill(d_den_s, d_den_s + N, T(0));
  scratch[z.d_source + recurrent_.slot_count()] = T(0);  // what transposed padding reads

  // y = v_U[0:M] ⊙ output_w + output_b
  std::copy(dh_next, dh_next + N, dv);
  for (int m = 0; m < M; ++m) {
    dv[m] += dy[m] * output_w_[m];
    if (config_.output_mapping != Mapping::None) grad[output_w_offset_ + m] += dy[m] * v_last[m];
    if (config_.output_mapping == Mapping::Affine) grad[output_b_offset_ + m] += dy[m];
  }

  const T dt_per_unfold = dt / static_cast<T>(U);
  for (int j = 0; j < N; ++j) cmt[j] = cm_[j] / dt_per_unfold;
  const std::int32_t* lane_of = recurrent_.lane_of.data();

  // Unfolds in reverse: v_{k+1} = numerator / denominator.
  for (int k = U - 1; k >= 0; --k) {
    const T* v = v_at(k);
    const T* denominator = tape + static_cast<std::size_t>(U + k) * N;
    unfold_update_backward(N, v, v_at(k + 1), denominator, cmt, dv, d_numerator, d_denominator, dv_prev, d_cmt,
                           d_num_s, d_den_s);
    for (int j = 0; j < N; ++j) {
      d_num_lanes[lane_of[j]] = d_numerator[j];
      d_den_lanes[lane_of[j]] = d_denominator[j];
    }
    if (k == U - 1) {
      synapse_sums_backward<true>(recurrent_, v, d_num_lanes, d_den_lanes, scratch + z.g_weight, scratch + z.g_sigma,
                                  scratch + z.g_mu, scratch + z.g_erev, scratch + z.d_source);
    } else {
      synapse_sums_backward<false>(recurrent_, v, d_num_lanes, d_den_lanes, scratch + z.g_weight, scratch + z.g_sigma,
                                   scratch + z.g_mu, scratch + z.g_erev, scratch + z.d_source);
    }
    gather_sources(recurrent_, scratch + z.d_source, scratch + z.source_lanes, dv_prev);
    T* const next_dv = dv_prev;  // dL/dv_k becomes the incoming gradient of unfold k − 1
    dv_prev = dv;
    dv = next_dv;
  }
  std::copy(dv, dv + N, dh);

  // cmt = f(cm) / (Δ / U); f(gleak) in numerator (·vleak) and denominator.
  T d_dt = T(0);
  for (int j = 0; j < N; ++j) {
    grad[cm_offset_ + j] += d_cmt[j] / dt_per_unfold * cm_grad_scale_[j];
    d_dt -= d_cmt[j] * cmt[j] / dt;
    grad[gleak_offset_ + j] += (d_num_s[j] * vleak_[j] + d_den_s[j]) * gleak_grad_scale_[j];
    grad[vleak_offset_ + j] += d_num_s[j] * gleak_[j];
  }
  *ddt = d_dt;
  flush_synapse_grads(recurrent_, scratch + z.g_weight, scratch + z.g_sigma, scratch + z.g_mu, scratch + z.g_erev,
                      grad, w_offset_, sigma_offset_, mu_offset_, erev_offset_);

  // Sensory synapses (evaluated once per step), then the input mapping.
  T* xm = scratch + z.xm;
  T* dxm = scratch + z.dxm;
  T* d_num_s_lanes = scratch + z.d_num_s_lanes;
  T* d_den_s_lanes = scratch + z.d_den_s_lanes;
  map_input(x, xm);
  std::fill(d_num_s_lanes, d_num_s_lanes + lanes, T(0));
  std::fill(d_den_s_lanes, d_den_s_lanes + lanes, T(0));
  for (int j = 0; j < N; ++j) {
    d_num_s_lanes[sensory_.lane_of[j]] = d_num_s[j];
    d_den_s_lanes[sensory_.lane_of[j]] = d_den_s[j];
  }
  scratch[z.ds_source + sensory_.slot_count()] = T(0);
  synapse_sums_backward<true>(sensory_, xm, d_num_s_lanes, d_den_s_lanes, scratch + z.gs_weight, scratch + z.gs_sigma,
                        scratch + z.gs_mu, scratch + z.gs_erev, scratch + z.ds_source);
  std::fill(dxm, dxm + S, T(0));
  gather_sources(sensory_, scratch + z.ds_source, scratch + z.source_lanes, dxm);
  flush_synapse_grads(sensory_, scratch + z.gs_weight, scratch + z.gs_sigma, scratch + z.gs_mu, scratch + z.gs_erev,
                      grad, sensory_w_offset_, sensory_sigma_offset_, sensory_mu_offset_, sensory_erev_offset_);
  for (int i = 0; i < S; ++i) {
    dx[i] += dxm[i] * input_w_[i];
    if (config_.input_mapping != Mapping::None) grad[input_w_offset_ + i] += dxm[i] * x[i];
    if (config_.input_mapping == Mapping::Affine) grad[input_b_offset_ + i] += dxm[i];
  }
}

template class LtcCell<float>;
template class LtcCell<double>;

}  // namespace ncp::core
