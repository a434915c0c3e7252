// Copyright 2026 ncp-silicon authors.
// Measures this machine's ceilings for the roofline: peak memory bandwidth (a STREAM-triad-style kernel over
// arrays far larger than the last-level cache, on every hardware thread) and peak float32 FMA throughput (many
// independent vector FMA chains per thread, on every hardware thread and on one).
//
// It runs its own threads, one per hardware thread, rather than the kernels' pool: the ceilings describe the
// machine, not whatever thread count the process has set.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ncp::core {

struct CalibrationOptions {
  std::size_t array_bytes = std::size_t{64} << 20;  // per triad array (three of them)
  int threads = 0;                                   // 0: std::thread::hardware_concurrency()
  double seconds_per_fma_run = 0.08;                 // target length of one FMA measurement
  int repeats = 4;                                   // best of
};

struct CalibrationResult {
  int threads = 0;
  std::uint64_t triad_array_bytes = 0;
  // STREAM convention: 3 arrays × their bytes per triad (2 read, 1 written; write-allocate traffic not counted).
  double triad_bytes_per_second = 0;
  double fma_flops_per_second = 0;             // all threads, 2 FLOPs per FMA lane
  double fma_flops_per_second_one_thread = 0;
  int fma_vector_bytes = 0;                    // width of the vectors the FMA loop used (32 AVX2, 16 NEON, 4 scalar)
  double seconds = 0;                          // total time spent measuring
};

CalibrationResult calibrate(const CalibrationOptions& options);

}  // namespace ncp::core
