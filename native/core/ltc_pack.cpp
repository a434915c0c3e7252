// Copyright 2026 ncp-silicon authors.
// The LTC synapse packing declared in ltc_pack.h: per destination block, SELL or two-block rows; the transpose
// for the portable backward; source-major rows for the AVX2 float backward. It runs once per cell, in the
// constructor, so it is compiled apart from the per-step kernels (ltc_kernels.h, ltc_avx2.h).
#include "core/ltc_pack.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <vector>

#include "core/memory.h"

namespace ncp::core::ltc_detail {
namespace {

// log2 e in long double, for the constructor's slope/intercept products (one rounding to T).
constexpr long double kLog2e = 1.4426950408889634073599246810018921L;

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

// A splitmix64 step: the tie-breaking stream of a seeded packing pass (never 0 for the seeds used here).
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return (x ^ (x >> 31)) | 1;
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

// One greedy pass for two-block rows (see ltc.h), keeping the row count close to SELL's (the largest number of
// synapses in a lane): for every candidate pair of blocks of the indexed vector, each lane would take its next
// synapse from the block of the pair it has more left in; the row keeps the pair that serves the most lanes among
// those with the most synapses left (else the row count grows), then the most lanes, then — with seed 0 — the
// most synapses left in the pair and the lowest blocks, or — with another seed — a pseudo-random one of the pairs
// tied so far. Within a lane and block, synapses keep their given order.
std::vector<Row> two_block_rows_pass(const std::vector<std::vector<Incoming>>& lanes, int blocks, std::uint64_t seed) {
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
    int best1 = -1, best2 = -1, best_critical = -1, best_served = -1, best_mass = -1, ties = 0;
    for (int b1 = 0; b1 < blocks; ++b1) {
      if (!has[b1]) continue;
      for (int b2 = b1; b2 < blocks; ++b2) {
        if (!has[b2]) continue;
        const unsigned served_lanes = has[b1] | has[b2];
        const int critical = count_bits(served_lanes & critical_lanes);
        const int served = count_bits(served_lanes);
        const int pair_mass = mass[b1] + (b2 != b1 ? mass[b2] : 0);
        const bool better = critical > best_critical || (critical == best_critical && served > best_served);
        const bool tied = critical == best_critical && served == best_served;
        // Seeded passes keep each tied pair with probability 1/ties (reservoir sampling).
        const bool take = better || (tied && (seed == 0 ? pair_mass > best_mass
                                                         : (seed = splitmix64(seed)) % static_cast<unsigned>(++ties) == 0));
        if (better) ties = 1;
        if (take) best1 = b1, best2 = b2, best_critical = critical, best_served = served, best_mass = pair_mass;
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

// Two-block rows: the fewest rows of kPasses greedy passes (the deterministic one, then seeded ones breaking ties
// differently: on AutoNCP(64, 8) the first pass gives 74 recurrent rows and the best of 64 gives 71, 4% less work per
// unfold), with fewer passes for large problems so packing stays a few milliseconds. Deterministic: the same lanes
// always give the same rows. Parameter changes rebuild the cell without changing the mask, so results are memoised
// per set of lanes (the key holds every synapse, so a hit is exact).
std::vector<Row> two_block_rows(const std::vector<std::vector<Incoming>>& lanes, int blocks) {
  std::vector<std::int32_t> key{blocks, static_cast<std::int32_t>(lanes.size())};
  std::size_t depth = 0;
  for (const auto& list : lanes) {
    key.push_back(static_cast<std::int32_t>(list.size()));
    for (const Incoming& in : list) key.insert(key.end(), {in.index, in.matrix_index});
    depth = std::max(depth, list.size());
  }
  static std::mutex mutex;
  static std::map<std::vector<std::int32_t>, std::vector<Row>> memo;
  static std::size_t memo_bytes = 0;
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto hit = memo.find(key); hit != memo.end()) return hit->second;
  }
  constexpr int kPasses = 64;
  const std::int64_t pass_cost = static_cast<std::int64_t>(depth + 1) * blocks * (blocks + 1) / 2;
  const int passes = static_cast<int>(std::clamp<std::int64_t>((std::int64_t{1} << 18) / std::max<std::int64_t>(pass_cost, 1), 1, kPasses));
  std::vector<Row> best = two_block_rows_pass(lanes, blocks, 0);
  for (int pass = 1; pass < passes && best.size() > depth; ++pass) {
    std::vector<Row> rows = two_block_rows_pass(lanes, blocks, splitmix64(static_cast<std::uint64_t>(pass)));
    if (rows.size() < best.size()) best = std::move(rows);
  }
  // Bounded (a process may build many different wirings): past 16 MiB of entries, start over. Counted as
  // workspace memory (core/memory.h): like the per-thread arenas, it is kept for reuse rather than owned by a model.
  const std::size_t bytes = key.size() * sizeof(std::int32_t) + best.size() * sizeof(Row);
  std::lock_guard<std::mutex> lock(mutex);
  if (memo_bytes + bytes > (std::size_t{16} << 20)) {
    memo.clear();
    note_freed(MemoryCategory::Workspace, memo_bytes);
    memo_bytes = 0;
  }
  if (memo.emplace(std::move(key), best).second) {
    memo_bytes += bytes;
    note_allocated(MemoryCategory::Workspace, bytes);
  }
  return best;
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
