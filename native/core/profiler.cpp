// Copyright 2026 ncp-silicon authors.
#include "core/profiler.h"

#include <chrono>
#include <mutex>
#include <utility>

namespace ncp::core {
namespace {

std::mutex& log_mutex() {
  static std::mutex m;
  return m;
}
std::vector<KernelRecord>& log_records() {
  static std::vector<KernelRecord> records;
  return records;
}
std::uint64_t g_dropped = 0;  // guarded by log_mutex()

}  // namespace

void set_profiling(bool on) {
  if (on) {
    // Room for the first records up front, so the first calls of a profile do not pay for the log's growth.
    std::lock_guard<std::mutex> lock(log_mutex());
    log_records().reserve(4096);
  }
  g_profiling.store(on, std::memory_order_relaxed);
}

void record_kernel(const KernelRecord& record) {
  std::lock_guard<std::mutex> lock(log_mutex());
  auto& records = log_records();
  if (records.size() >= kMaxKernelRecords) {
    ++g_dropped;
    return;
  }
  records.push_back(record);
}

std::vector<KernelRecord> drain_kernel_records(std::uint64_t* dropped) {
  std::vector<KernelRecord> out;
  std::lock_guard<std::mutex> lock(log_mutex());
  out.swap(log_records());
  if (dropped) *dropped = g_dropped;
  g_dropped = 0;
  return out;
}

double monotonic_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

int current_thread_index() {
  static std::atomic<int> next{1};
  thread_local int index = next.fetch_add(1, std::memory_order_relaxed);
  return index;
}

}  // namespace ncp::core
