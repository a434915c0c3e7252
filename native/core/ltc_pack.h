// Copyright 2026 ncp-silicon authors.
// The synapse packing of the LTC cell (the layouts of ltc.h), which its constructor runs once per projection, and
// the small helpers that the packer (ltc_pack.cpp) and the cell (ltc.cpp) share. Internal to the LTC files.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include "core/format.h"
#include "core/ltc.h"
#include "core/math.h"

namespace ncp::core::ltc_detail {

// A number as JS would print it in an error message ("number 0", "number NaN", "number -Infinity").
inline std::string describe_number(double value) { return "number " + format_number(value); }

[[noreturn]] inline void config_error(const char* field, const std::string& expected, double received) {
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

// Lanes per packed row (SynapseBlocks<T>::kLanes, one value for both types), for the packer's rows and the AVX2
// float kernels.
inline constexpr int kLanes = SynapseBlocks<float>::kLanes;
static_assert(SynapseBlocks<double>::kLanes == kLanes, "one lane count for both types");

// Packs the synapses of a (sources × units) projection whose mask entry is nonzero (see ltc.h). For the
// recurrent projection (`recurrent`: sources are the destinations), `source` holds each source's lane position.
// `allow_two_block_rows`: use the two-block layout, and build `by_source`, when each needs at most 30% more rows
// than SELL; by_source's destinations are lane positions of `recurrent_lane_of` (the recurrent projection's lane_of;
// nullptr when packing the recurrent projection itself).
template <typename T>
SynapseBlocks<T> pack_synapses(int sources, int units, const T* mask, const T* w, const T* sigma, const T* mu,
                               const T* erev, bool implicit, bool recurrent, bool allow_two_block_rows,
                               const Buffer<std::int32_t>* recurrent_lane_of);

}  // namespace ncp::core::ltc_detail
