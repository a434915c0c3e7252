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
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>

#include "core/ltc_work.h"
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

// log2 e in long double, for the constructor's slope/intercept products (one rounding to T).
constexpr long double kLog2e = 1.4426950408889634073599246810018921L;

constexpr int kLanes = SynapseBlocks<float>::kLanes;
static_assert(SynapseBlocks<double>::kLanes == kLanes, "one lane count for both types");

// One incoming synapse while packing: its index into the vector the projection reads, and its parameter entry.
struct Incoming {
  std::int32_t index;  // sensory: the input feature; recurrent: the source's lane position
  std::int32_t matrix_index;  // source · N + destination
};
// A row of a destination block: per lane, the synapse it evaluates (matrix_index −1: padding).
using Row = std::array<Incoming, kLanes>;
constexpr Incoming kPadding = {0, -1};

// A two-block row's code for one slot: the position in its block, and the sign bit if that is the second block.
std::int32_t lane_code(int position, bool in_second) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(position) | (in_second ? 0x80000000u : 0u));
}

int count_bits(unsigned x) {
  int n = 0;
  for (; x != 0; x &= x - 1) ++n;
  return n;
}

// SELL rows: row r holds every lane's r-th incoming synapse (in the order given).
std::vector<Row> sell_rows(const std::vector<std::vector<Incoming>>& lanes) {
  std::size_t depth = 0;
  for (const auto& list : lanes) depth = std::max(depth, list.size());
  std::vector<Row> rows(depth);
  for (std::size_t r = 0; r < depth; ++r) {
    rows[r].fill(kPadding);
    for (std::size_t l = 0; l < lanes.size(); ++l) {
      if (r < lanes[l].size()) rows[r][l] = lanes[l][r];
    }
  }
  return rows;
}

// Two-block rows (see ltc.h), built greedily so that the row count stays close to SELL's (the largest number of
// synapses in a lane): for every candidate pair of blocks of the indexed vector, each lane would take its next
// synapse from the block of the pair it has more left in; the row keeps the pair that serves the most lanes among
// those with the most synapses left (else the row count grows), then the most lanes, then the most synapses
// left in the pair, then the lowest blocks. Within a lane and block, synapses keep their given order.
std::vector<Row> two_block_rows(const std::vector<std::vector<Incoming>>& lanes, int blocks) {
  const std::size_t n = lanes.size();
  // Queue q = l·blocks + b holds lane l's synapses in block b (in their order): queued[head[q] .. head[q] + rem[q]).
  std::vector<int> head(n * blocks + 1, 0), rem(n * blocks, 0), left(n, 0);
  std::size_t total = 0;
  for (std::size_t l = 0; l < n; ++l) {
    for (const Incoming& in : lanes[l]) ++rem[l * blocks + in.index / kLanes];
    left[l] = static_cast<int>(lanes[l].size());
    total += lanes[l].size();
  }
  for (std::size_t q = 0; q < n * blocks; ++q) head[q + 1] = head[q] + rem[q];
  std::vector<Incoming> queued(total);
  {
    std::vector<int> fill(head.begin(), head.end() - 1);
    for (std::size_t l = 0; l < n; ++l) {
      for (const Incoming& in : lanes[l]) queued[fill[l * blocks + in.index / kLanes]++] = in;
    }
  }
  std::vector<Row> rows;
  rows.reserve(static_cast<std::size_t>(*std::max_element(left.begin(), left.end())) + 8);
  std::vector<unsigned> has(blocks, 0);  // per block: the lanes (bits) with synapses left in it
  std::vector<int> mass(blocks, 0);      // per block: synapses left in it
  for (std::size_t l = 0; l < n; ++l) {
    for (int b = 0; b < blocks; ++b) {
      has[b] |= static_cast<unsigned>(rem[l * blocks + b] > 0) << l;
      mass[b] += rem[l * blocks + b];
    }
  }
  for (;;) {
    const int most = *std::max_element(left.begin(), left.end());
    if (most == 0) return rows;
    unsigned critical_lanes = 0;
    for (std::size_t l = 0; l < n; ++l) critical_lanes |= static_cast<unsigned>(left[l] == most) << l;
    int best1 = -1, best2 = -1, best_critical = -1, best_served = -1, best_mass = -1;
    for (int b1 = 0; b1 < blocks; ++b1) {
      if (!has[b1]) continue;
      for (int b2 = b1; b2 < blocks; ++b2) {
        if (!has[b2]) continue;
        const unsigned served_lanes = has[b1] | has[b2];
        const int critical = count_bits(served_lanes & critical_lanes);
        const int served = count_bits(served_lanes);
        const int pair_mass = mass[b1] + (b2 != b1 ? mass[b2] : 0);
        if (critical > best_critical || (critical == best_critical && served > best_served) ||
            (critical == best_critical && served == best_served && pair_mass > best_mass)) {
          best1 = b1, best2 = b2, best_critical = critical, best_served = served, best_mass = pair_mass;
        }
      }
    }
    Row row;
    row.fill(kPadding);
    for (std::size_t l = 0; l < n; ++l) {
      const int r1 = rem[l * blocks + best1], r2 = best2 != best1 ? rem[l * blocks + best2] : 0;
      if (r1 + r2 == 0) continue;
      const int b = r2 > r1 ? best2 : best1;  // the block it has more left in
      const std::size_t q = l * blocks + b;
      row[l] = queued[head[q]++];
      if (--rem[q] == 0) has[b] &= ~(1u << l);
      --mass[b];
      --left[l];
    }
    rows.push_back(row);
  }
}

// Builds s.by_source (see ltc.h) from the destination-major layout, if its two-block rows need at most 30% more
// rows than the sources' out-degrees (SELL depth of the transpose). destination_lane: the recurrent lane position
// of every destination.
template <typename T>
void pack_by_source(SynapseBlocks<T>& s, int sources, int units, bool recurrent,
                    const Buffer<std::int32_t>& destination_lane) {
  constexpr int W = kLanes;
  const int source_blocks = recurrent ? s.blocks : (sources + W - 1) / W;
  const int destination_blocks = s.blocks;
  if (destination_blocks > 32) return;
  const std::int64_t pairs = static_cast<std::int64_t>(destination_blocks) * (destination_blocks + 1) / 2;
  // Outgoing synapses per position of the source vector, from the real synapses (sorted by source, then
  // destination); Incoming.matrix_index holds the synapse's index q in that list.
  std::vector<std::vector<Incoming>> outgoing(static_cast<std::size_t>(source_blocks) * W);
  for (std::size_t q = 0; q < s.synapse_count(); ++q) {  // (sorted by source: each list fills in one stretch)
    const int i = s.matrix_index[q] / units, j = s.matrix_index[q] % units;
    outgoing[recurrent ? s.lane_of[i] : i].push_back({destination_lane[j], static_cast<std::int32_t>(q)});
  }
  std::vector<std::vector<Row>> rows(source_blocks);
  std::int64_t depth_total = 0, total = 0;
  for (int b = 0; b < source_blocks; ++b) {
    std::vector<std::vector<Incoming>> lanes(outgoing.begin() + b * W, outgoing.begin() + (b + 1) * W);
    std::size_t depth = 0;
    for (auto& list : lanes) {
      std::sort(list.begin(), list.end(), [](const Incoming& x, const Incoming& y) { return x.index < y.index; });
      depth = std::max(depth, list.size());
    }
    depth_total += static_cast<std::int64_t>(depth);
    if (depth_total * pairs > (std::int64_t{1} << 22)) return;
    rows[b] = two_block_rows(lanes, destination_blocks);
    total += static_cast<std::int64_t>(rows[b].size());
  }
  if (total * 10 > depth_total * 13) return;

  auto& z = s.by_source;
  z.block_begin.assign(source_blocks + 1, 0);
  for (int b = 0; b < source_blocks; ++b) {
    z.block_begin[b + 1] = z.block_begin[b] + static_cast<std::int32_t>(rows[b].size()) * W;
  }
  const std::size_t slots = static_cast<std::size_t>(z.block_begin[source_blocks]);
  for (auto* field : {&z.weight, &z.slope, &z.intercept, &z.sigma, &z.mu, &z.erev}) field->assign(slots, T(0));
  z.row_blocks.assign(2 * slots / W, 0);
  z.lane_code.assign(slots, 0);
  z.slot.assign(s.synapse_count(), 0);
  for (int b = 0; b < source_blocks; ++b) {
    for (std::size_t r = 0; r < rows[b].size(); ++r) {
      const std::size_t row = static_cast<std::size_t>(z.block_begin[b]) / W + r;
      int first = -1, second = -1;
      for (const Incoming& in : rows[b][r]) {
        if (in.matrix_index < 0) continue;
        const int block = in.index / W;
        if (first < 0) first = block;
        if (block != first) second = block;
      }
      if (second < 0) second = first;
      z.row_blocks[2 * row] = first * W;
      z.row_blocks[2 * row + 1] = second * W;
      for (int l = 0; l < W; ++l) {
        const Incoming& in = rows[b][r][l];
        if (in.matrix_index < 0) continue;
        const std::size_t k = row * W + l, q = static_cast<std::size_t>(in.matrix_index);
        const std::size_t from = static_cast<std::size_t>(s.slot[q]);  // the same synapse, destination-major
        z.weight[k] = s.weight[from];
        z.slope[k] = s.slope[from];
        z.intercept[k] = s.intercept[from];
        z.sigma[k] = s.sigma[from];
        z.mu[k] = s.mu[from];
        z.erev[k] = s.erev[from];
        const bool in_second = in.index / W == second && second != first;
        z.lane_code[k] = lane_code(in.index % W, in_second);
        z.slot[q] = static_cast<std::int32_t>(k);
      }
    }
  }
  z.used = true;
}

// Packs the synapses of a (sources × units) projection whose mask entry is nonzero (see ltc.h). For the
// recurrent projection (`recurrent`: sources are the destinations), `source` holds each source's lane position.
// `allow_two_block_rows`: use the two-block layout, and build `by_source`, when each needs at most 30% more rows
// than SELL; by_source's destinations are lane positions of `recurrent_lane_of` (the recurrent projection's lane_of;
// nullptr when packing the recurrent projection itself).
template <typename T>
SynapseBlocks<T> pack_synapses(int sources, int units, const T* mask, const T* w, const T* sigma, const T* mu,
                               const T* erev, bool implicit, bool recurrent, bool allow_two_block_rows,
                               const Buffer<std::int32_t>* recurrent_lane_of) {
  constexpr int W = kLanes;
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
  s.neuron_of_lane.assign(s.lane_count(), -1);
  for (int p = 0; p < units; ++p) {
    s.lane_of[order[p]] = p;
    s.neuron_of_lane[p] = order[p];
  }

  // Incoming synapses per lane of every block (ascending source), then the rows of every block.
  std::vector<std::vector<std::vector<Incoming>>> incoming(s.blocks, std::vector<std::vector<Incoming>>(W));
  std::int64_t sell_total = 0;
  for (int p = 0; p < units; ++p) {
    const int j = order[p];
    auto& list = incoming[p / W][p % W];
    list.reserve(static_cast<std::size_t>(degree[j]));
    for (int i = 0; i < sources; ++i) {
      const std::size_t m = at(i, j);
      if (mask[m] != T(0)) list.push_back({recurrent ? s.lane_of[i] : i, static_cast<std::int32_t>(m)});
    }
    if (p % W == 0) sell_total += static_cast<std::int64_t>(list.size());  // the block's depth (sorted descending)
  }
  const int source_blocks = (sources + W - 1) / W;
  const std::int64_t pairs = static_cast<std::int64_t>(source_blocks) * (source_blocks + 1) / 2;
  std::vector<std::vector<Row>> rows(s.blocks);
  bool two_block = allow_two_block_rows && source_blocks <= 32 && sell_total * pairs <= (std::int64_t{1} << 22);
  if (two_block) {
    std::int64_t total = 0;
    for (int b = 0; b < s.blocks; ++b) {
      rows[b] = two_block_rows(incoming[b], source_blocks);
      total += static_cast<std::int64_t>(rows[b].size());
    }
    two_block = total * 10 <= sell_total * 13;
  }
  if (!two_block) {
    for (int b = 0; b < s.blocks; ++b) rows[b] = sell_rows(incoming[b]);
  }
  s.two_block_rows = two_block;

  s.block_begin.assign(s.blocks + 1, 0);
  std::int64_t total = 0;
  for (int b = 0; b < s.blocks; ++b) {
    if (!rows[b].empty()) s.active_blocks = b + 1;
    total += static_cast<std::int64_t>(rows[b].size()) * W;
    if (total > std::numeric_limits<std::int32_t>::max()) {
      config_error("units", "at most 2^31 synapses (units × max(units, inputs))", units);
    }
    s.block_begin[b + 1] = static_cast<std::int32_t>(total);
  }
  const std::size_t slots = s.block_begin[s.blocks];
  s.source.assign(slots, 0);
  s.weight.assign(slots, T(0));
  s.slope.assign(slots, T(0));
  s.intercept.assign(slots, T(0));
  s.sigma.assign(slots, T(0));
  s.mu.assign(slots, T(0));
  s.erev.assign(slots, T(0));
  if (two_block) {
    s.row_blocks.assign(2 * slots / W, 0);
    s.lane_code.assign(slots, 0);
  }

  struct Real {
    std::int32_t matrix_index, slot;
    T scale;
  };
  std::vector<Real> real;
  for (int b = 0; b < s.blocks; ++b) {
    for (std::size_t r = 0; r < rows[b].size(); ++r) {
      const std::size_t row = s.block_begin[b] / W + r;
      int first = 0, second = 0;
      if (two_block) {  // the row's blocks: those of its first two distinct source blocks (in lane order)
        bool have_first = false;
        for (const Incoming& in : rows[b][r]) {
          if (in.matrix_index < 0) continue;
          const int block = in.index / W;
          if (!have_first) {
            first = second = block;
            have_first = true;
          } else if (block != first) {
            second = block;
          }
        }
        s.row_blocks[2 * row] = first * W;
        s.row_blocks[2 * row + 1] = second * W;
      }
      for (int l = 0; l < W; ++l) {
        const Incoming& in = rows[b][r][l];
        if (in.matrix_index < 0) continue;
        const std::size_t k = row * W + l;
        const std::size_t m = static_cast<std::size_t>(in.matrix_index);
        s.source[k] = in.index;
        s.weight[k] = positive_fn(w[m], implicit) * mask[m];
        s.slope[k] = static_cast<T>(-static_cast<long double>(sigma[m]) * kLog2e);
        s.intercept[k] = static_cast<T>(static_cast<long double>(sigma[m]) * mu[m] * kLog2e);
        s.sigma[k] = sigma[m];
        s.mu[k] = mu[m];
        s.erev[k] = erev[m];
        real.push_back({in.matrix_index, static_cast<std::int32_t>(k), mask[m] * positive_fn_grad(w[m], implicit)});
        if (two_block) {
          const bool in_second = in.index / W == second && second != first;
          s.lane_code[k] = lane_code(in.index % W, in_second);
        }
      }
    }
  }

  // The transpose: outgoing synapses per source, sources in blocks sorted by out-degree.
  std::vector<std::vector<std::int32_t>> outgoing(sources);
  std::sort(real.begin(), real.end(), [](const Real& a, const Real& b) { return a.matrix_index < b.matrix_index; });
  for (const Real& r : real) outgoing[r.matrix_index / units].push_back(r.slot);
  std::vector<int> source_order(sources);
  std::iota(source_order.begin(), source_order.end(), 0);
  std::stable_sort(source_order.begin(), source_order.end(),
                   [&](int a, int b) { return outgoing[a].size() > outgoing[b].size(); });
  s.sources = sources;
  s.source_blocks = (sources + W - 1) / W;
  s.source_target.resize(sources);
  for (int p = 0; p < sources; ++p) s.source_target[p] = recurrent ? s.lane_of[source_order[p]] : source_order[p];
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

  for (const Real& r : real) {
    s.matrix_index.push_back(r.matrix_index);
    s.slot.push_back(r.slot);
    s.weight_grad_scale.push_back(r.scale);
  }
  if (two_block) pack_by_source(s, sources, units, recurrent, recurrent_lane_of ? *recurrent_lane_of : s.lane_of);
  return s;
}

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

#if NCP_LTC_AVX2
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

// 1/d within ~2^-22 relative: the 12-bit approximate reciprocal and one Newton step. It replaces a division, the
// slowest instruction of these loops (one per 3.5–5 cycles on Zen and Skylake, against one rcp per cycle). For
// d ≥ 2^126 (σ below 1e-38) rcp flushes to 0 and so does the result.
inline __m256 reciprocal(const Constants& c, __m256 d) {
  const __m256 r = _mm256_rcp_ps(d);
  return _mm256_fmadd_ps(r, _mm256_fnmadd_ps(d, r, c.one), r);
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
    const __m256 sig = reciprocal(c, d[q]);
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
#endif

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
  constexpr bool kTwoBlockRows = NCP_LTC_AVX2 && std::is_same_v<T, float>;  // only the AVX2 float kernels use them
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
  const T dt_per_unfold = dt / static_cast<T>(U);
  for (std::size_t p = 0; p < lanes; ++p) {
    const std::int32_t q = sensory_lane_[p];
    cmt[p] = cm_[p] / dt_per_unfold;
    num_s[p] = gleak_vleak_[p] + sens_num[q];
    den_s[p] = cmt[p] + gleak_[p] + sens_den[q] + epsilon_;
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
