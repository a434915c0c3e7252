// Copyright 2026 ncp-silicon authors.
// The row builders declared in ltc_rows.h.
#include "core/ltc_rows.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <mutex>

#include "core/memory.h"

namespace ncp::core::ltc_detail {
namespace {

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

}  // namespace

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

}  // namespace ncp::core::ltc_detail
