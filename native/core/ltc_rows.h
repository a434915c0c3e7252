// Copyright 2026 ncp-silicon authors.
// The row builders of the LTC synapse packing (ltc_pack.cpp): which synapse each lane of a destination block
// evaluates in each row, as plain SELL rows or as two-block rows (every row reads at most two aligned blocks of the
// source vector; see ltc.h). They depend only on the wiring, never on parameter values.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/ltc_pack.h"  // kLanes

namespace ncp::core::ltc_detail {

// One incoming synapse while packing: its index into the vector the projection reads, and its parameter entry.
struct Incoming {
  std::int32_t index;  // sensory: the input feature; recurrent: the source's lane position
  std::int32_t matrix_index;  // source · N + destination
};
// A row of a destination block: per lane, the synapse it evaluates (matrix_index −1: padding).
using Row = std::array<Incoming, kLanes>;
constexpr Incoming kPadding = {0, -1};

// A two-block row's code for one slot: the position in its block, and the sign bit if that is the second block.
inline std::int32_t lane_code(int position, bool in_second) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(position) | (in_second ? 0x80000000u : 0u));
}

// SELL rows: row r holds every lane's r-th incoming synapse (in the order given).
std::vector<Row> sell_rows(const std::vector<std::vector<Incoming>>& lanes);

// Two-block rows over a source vector of `blocks` blocks (the best of several greedy passes; memoised per lanes).
std::vector<Row> two_block_rows(const std::vector<std::vector<Incoming>>& lanes, int blocks);

}  // namespace ncp::core::ltc_detail
