// Copyright 2026 ncp-silicon authors.
// The per-process log of kernel calls that startProfile()/stop() drain. The sequence runner records one entry
// per model call while profiling is on; while it is off the runner pays one relaxed atomic load per call.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "core/work.h"

namespace ncp::core {

enum class KernelCall : std::uint8_t { Forward = 0, ForwardBackward = 1, Step = 2 };

struct KernelRecord {
  const char* kind = "cell";  // a string literal (CellWork::kind)
  KernelCall call = KernelCall::Forward;
  bool is_double = false;
  int batch = 0, steps = 0;
  int thread = 0;            // small per-thread index (current_thread_index)
  double start_ms = 0;       // monotonic_ms() at entry
  double duration_ms = 0;    // wall time of the whole call on the calling thread
  WorkCounts work;
  std::uint64_t unique_bytes = 0;        // parameters once + inputs + outputs (compulsory traffic)
  std::int64_t native_live_bytes = 0;    // nativeMemory().liveBytes when the call ended
};

inline std::atomic<bool> g_profiling{false};
inline bool profiling_enabled() { return g_profiling.load(std::memory_order_relaxed); }
void set_profiling(bool on);

// Appends a record (thread-safe). The log is capped (kMaxKernelRecords); beyond it records are counted as dropped.
constexpr std::size_t kMaxKernelRecords = 1u << 21;
void record_kernel(const KernelRecord& record);
// Takes every record so far and the number dropped since the last drain, and empties the log.
std::vector<KernelRecord> drain_kernel_records(std::uint64_t* dropped);

// Milliseconds on the steady clock (the time base of KernelRecord::start_ms; JS maps it to performance.now()).
double monotonic_ms();
// 1, 2, 3 … in the order threads first ask; stable for a thread's life.
int current_thread_index();

}  // namespace ncp::core
