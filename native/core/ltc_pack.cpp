// Copyright 2026 ncp-silicon authors.
// The LTC synapse packing declared in ltc_pack.h: per destination block, SELL or two-block rows (built by
// ltc_rows.cpp); the transpose for the portable backward; source-major rows for the AVX2 float backward. It runs
// once per cell, in the constructor, so it is compiled apart from the per-step kernels (ltc_kernels.h, ltc_avx2.h).
#include "core/ltc_pack.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "core/ltc_rows.h"

namespace ncp::core::ltc_detail {
namespace {

// log2 e in long double, for the constructor's slope/intercept products (one rounding to T).
constexpr long double kLog2e = 1.4426950408889634073599246810018921L;

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

}  // namespace

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

template SynapseBlocks<float> pack_synapses<float>(int, int, const float*, const float*, const float*, const float*,
                                                   const float*, bool, bool, bool, const Buffer<std::int32_t>*);
template SynapseBlocks<double> pack_synapses<double>(int, int, const double*, const double*, const double*,
                                                     const double*, const double*, bool, bool, bool,
                                                     const Buffer<std::int32_t>*);

}  // namespace ncp::core::ltc_detail
