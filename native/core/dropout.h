// Copyright 2026 ncp-silicon authors.
// CfC backbone dropout's masks, drawn from counters instead of a stream, so forward and backward (and every
// backend: the CPU kernels, the TypeScript reference, the MLX graph) drop the same units without storing a mask.
#pragma once

#include <cstdint>

namespace ncp::core {

// The per-(call, sample, step) key handed to cells for dropout masks: splitmix64 finaliser, kept to 53 bits
// so the TypeScript reference (src/backend/reference/sequence.ts, dropoutKey) can hold it in a number.
inline std::uint64_t mix_key(std::uint64_t seed, std::uint64_t sample, std::uint64_t step) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (sample * 1000003ull + step + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  z &= (1ull << 53) - 1;
  return z == 0 ? 1 : z;
}

// The 64 random bits for (key, layer, unit): output number counter + 1 of a SplitMix64 generator seeded
// with key, counter = layer·2³² + unit. The TypeScript reference has the identical dropoutBits().
inline std::uint64_t dropout_bits(std::uint64_t key, std::uint32_t layer, std::uint32_t unit) {
  const std::uint64_t counter = (static_cast<std::uint64_t>(layer) << 32) | unit;
  std::uint64_t z = key + (counter + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Whether dropout keeps the unit: u = top 53 bits / 2⁵³ ∈ [0, 1), kept when u ≥ p (probability 1 − p).
// Compared in double whatever T is, so both backends and both dtypes drop the same units.
inline bool dropout_keeps(std::uint64_t key, std::uint32_t layer, std::uint32_t unit, double p) {
  const double u = static_cast<double>(dropout_bits(key, layer, unit) >> 11) * 0x1p-53;
  return u >= p;
}

}  // namespace ncp::core
