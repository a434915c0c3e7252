// Copyright 2026 ncp-silicon authors.
// Counting of the bytes native code holds, by the addon's own allocator rather than by guessing from RSS:
// every long-lived or per-call buffer of the kernels is a Buffer<T, Category>, whose allocator adds to an atomic
// live/peak pair per category on allocate and subtracts on deallocate. monitor/ reads them (nativeMemory()).
//
// Categories say who holds the bytes, so a report can tell a model's precomputed parameters (freed with the
// model) from per-thread scratch arenas (kept and reused across calls, freed only at thread exit) and per-call
// gradient buffers (freed when the call returns).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace ncp::core {

enum class MemoryCategory : int { Models = 0, Workspace = 1, Gradients = 2, Calibration = 3 };
constexpr int kMemoryCategories = 4;
inline const char* memory_category_name(MemoryCategory c) {
  switch (c) {
    case MemoryCategory::Models: return "models";
    case MemoryCategory::Workspace: return "workspace";
    case MemoryCategory::Gradients: return "gradients";
    case MemoryCategory::Calibration: return "calibration";
  }
  return "other";
}

struct MemoryCounter {
  std::atomic<std::int64_t> live{0};
  std::atomic<std::int64_t> peak{0};
};

// One live/peak pair per category plus the total. C++17 inline variables: a single instance in the addon.
inline MemoryCounter g_memory_counters[kMemoryCategories + 1];
constexpr int kMemoryTotal = kMemoryCategories;

namespace detail {
inline void raise_peak(MemoryCounter& counter, std::int64_t now) {
  std::int64_t seen = counter.peak.load(std::memory_order_relaxed);
  while (now > seen && !counter.peak.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
}
}  // namespace detail

inline void note_allocated(MemoryCategory category, std::size_t bytes) {
  const auto n = static_cast<std::int64_t>(bytes);
  for (MemoryCounter* c : {&g_memory_counters[static_cast<int>(category)], &g_memory_counters[kMemoryTotal]}) {
    detail::raise_peak(*c, c->live.fetch_add(n, std::memory_order_relaxed) + n);
  }
}

inline void note_freed(MemoryCategory category, std::size_t bytes) {
  const auto n = static_cast<std::int64_t>(bytes);
  g_memory_counters[static_cast<int>(category)].live.fetch_sub(n, std::memory_order_relaxed);
  g_memory_counters[kMemoryTotal].live.fetch_sub(n, std::memory_order_relaxed);
}

// index: a category, or kMemoryTotal for the sum.
inline std::int64_t native_live_bytes(int index = kMemoryTotal) {
  return g_memory_counters[index].live.load(std::memory_order_relaxed);
}
inline std::int64_t native_peak_bytes(int index = kMemoryTotal) {
  return g_memory_counters[index].peak.load(std::memory_order_relaxed);
}
// Peaks restart from what is live now (a profile's "peak since start").
inline void reset_native_peaks() {
  for (auto& c : g_memory_counters) c.peak.store(c.live.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

// A std::allocator-compatible allocator that counts what it hands out. Stateless: all instances are equal.
template <typename T, MemoryCategory C = MemoryCategory::Models>
struct CountingAllocator {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = CountingAllocator<U, C>;
  };

  CountingAllocator() noexcept = default;
  template <typename U>
  CountingAllocator(const CountingAllocator<U, C>&) noexcept {}

  T* allocate(std::size_t n) {
    T* p = std::allocator<T>().allocate(n);
    note_allocated(C, n * sizeof(T));
    return p;
  }
  void deallocate(T* p, std::size_t n) noexcept {
    note_freed(C, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }

  template <typename U>
  bool operator==(const CountingAllocator<U, C>&) const noexcept { return true; }
  template <typename U>
  bool operator!=(const CountingAllocator<U, C>&) const noexcept { return false; }
};

// The kernels' vector type: a std::vector whose bytes show up in nativeMemory() under category C.
template <typename T, MemoryCategory C = MemoryCategory::Models>
using Buffer = std::vector<T, CountingAllocator<T, C>>;

}  // namespace ncp::core
