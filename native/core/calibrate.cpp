// Copyright 2026 ncp-silicon authors.
#include "core/calibrate.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "core/memory.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define NCP_CALIBRATE_AVX2 1
#elif defined(__ARM_NEON) || defined(__aarch64__)
#include <arm_neon.h>
#define NCP_CALIBRATE_NEON 1
#endif

namespace ncp::core {
namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// Runs body(thread, round) on `threads` threads for `rounds` rounds that start together (a spin barrier, so a
// round is timed from the moment every thread is ready to the moment the last one finishes) and returns the
// shortest round in seconds.
double best_round(int threads, int rounds, const std::function<void(int, int)>& body) {
  std::atomic<int> arrived{0}, finished{0}, started{-1};
  std::vector<double> begins(rounds, 0), ends(rounds, 0);
  auto run = [&](int t) {
    for (int r = 0; r < rounds; ++r) {
      if (arrived.fetch_add(1) + 1 == threads * (r + 1)) {
        begins[r] = now_seconds();
        started.store(r, std::memory_order_release);
      }
      while (started.load(std::memory_order_acquire) < r) std::this_thread::yield();
      body(t, r);
      if (finished.fetch_add(1) + 1 == threads * (r + 1)) ends[r] = now_seconds();
      while (finished.load(std::memory_order_acquire) < threads * (r + 1)) std::this_thread::yield();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(run, t);
  run(0);
  for (auto& th : pool) th.join();
  double best = ends[0] - begins[0];
  for (int r = 1; r < rounds; ++r) best = std::min(best, ends[r] - begins[r]);
  return std::max(best, 1e-9);
}

// `iterations` rounds of independent FMA chains; returns the FLOPs done (2 per lane per FMA). The chains
// converge to a fixed point (x·m + a with m < 1), so values stay finite however long it runs.
double fma_loop(std::uint64_t iterations, volatile float* sink) {
#if defined(NCP_CALIBRATE_AVX2)
  constexpr int kChains = 12;  // > FMA latency × ports (4 × 2 on current x86), and fits the 16 ymm registers
  __m256 acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm256_set1_ps(1.0f + 0.01f * k);
  const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-6f);
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_ps(acc[k], m, a);
  }
  __m256 total = acc[0];
  for (int k = 1; k < kChains; ++k) total = _mm256_add_ps(total, acc[k]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, total);
  *sink = lanes[0];
  return static_cast<double>(iterations) * kChains * 8 * 2;
#elif defined(NCP_CALIBRATE_NEON)
  constexpr int kChains = 16;  // 4 FMA pipes × 4 cycles on Apple cores; 32 NEON registers
  float32x4_t acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = vdupq_n_f32(1.0f + 0.01f * k);
  const float32x4_t m = vdupq_n_f32(0.999999f), a = vdupq_n_f32(1e-6f);
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int k = 0; k < kChains; ++k) acc[k] = vfmaq_f32(a, acc[k], m);  // a + acc·m
  }
  float32x4_t total = acc[0];
  for (int k = 1; k < kChains; ++k) total = vaddq_f32(total, acc[k]);
  *sink = vgetq_lane_f32(total, 0);
  return static_cast<double>(iterations) * kChains * 4 * 2;
#else
  constexpr int kChains = 16;
  float acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = 1.0f + 0.01f * k;
  for (std::uint64_t i = 0; i < iterations; ++i) {
    for (int k = 0; k < kChains; ++k) acc[k] = acc[k] * 0.999999f + 1e-6f;
  }
  float total = 0;
  for (int k = 0; k < kChains; ++k) total += acc[k];
  *sink = total;
  return static_cast<double>(iterations) * kChains * 2;
#endif
}

constexpr int fma_vector_bytes() {
#if defined(NCP_CALIBRATE_AVX2)
  return 32;
#elif defined(NCP_CALIBRATE_NEON)
  return 16;
#else
  return 4;
#endif
}

double fma_peak(int threads, const CalibrationOptions& o) {
  volatile float sink = 0;
  // Size the run from a short probe on one thread, so a run lasts about seconds_per_fma_run.
  std::uint64_t iterations = 1u << 18;
  const double t0 = now_seconds();
  fma_loop(iterations, &sink);
  const double probe = std::max(now_seconds() - t0, 1e-6);
  iterations = std::max<std::uint64_t>(iterations, static_cast<std::uint64_t>(iterations * o.seconds_per_fma_run / probe));
  std::vector<double> flops(threads, 0);
  const double best = best_round(threads, std::max(1, o.repeats - 1), [&](int t, int) {
    volatile float local = 0;
    flops[t] = fma_loop(iterations, &local);
  });
  double total = 0;
  for (double f : flops) total += f;
  return total / best;
}

double triad_bandwidth(int threads, const CalibrationOptions& o, std::uint64_t* array_bytes) {
  const std::size_t n = std::max<std::size_t>(o.array_bytes / sizeof(float), 1024);
  *array_bytes = n * sizeof(float);
  // Uninitialised (a vector would zero them on this thread), counted, and released on every path.
  CountingAllocator<float, MemoryCategory::Calibration> allocator;
  struct Arrays {
    CountingAllocator<float, MemoryCategory::Calibration>& allocator;
    std::size_t n;
    float *a = nullptr, *b = nullptr, *c = nullptr;
    ~Arrays() {
      for (float* p : {a, b, c}) if (p) allocator.deallocate(p, n);
    }
  } arrays{allocator, n};
  arrays.a = allocator.allocate(n);
  arrays.b = allocator.allocate(n);
  arrays.c = allocator.allocate(n);
  float* a = arrays.a;
  float* b = arrays.b;
  float* c = arrays.c;
  auto range = [n, threads](int t) {
    return std::pair<std::size_t, std::size_t>(n * t / threads, n * (t + 1) / threads);
  };
  // Touch every page on the thread that will use it (first-touch placement on NUMA machines).
  best_round(threads, 1, [&](int t, int) {
    auto [begin, end] = range(t);
    for (std::size_t i = begin; i < end; ++i) a[i] = 0.0f, b[i] = 1.0f, c[i] = 2.0f;
  });
  const float s = 3.0f;
  float* __restrict pa = a;
  const float* __restrict pb = b;
  const float* __restrict pc = c;
  const double best = best_round(threads, o.repeats + 1, [&](int t, int) {
    auto [begin, end] = range(t);
    for (std::size_t i = begin; i < end; ++i) pa[i] = pb[i] + s * pc[i];
  });
  return 3.0 * static_cast<double>(n * sizeof(float)) / best;
}

}  // namespace

CalibrationResult calibrate(const CalibrationOptions& options) {
  const double start = now_seconds();
  CalibrationResult r;
  const unsigned hw = std::thread::hardware_concurrency();
  r.threads = options.threads > 0 ? options.threads : (hw == 0 ? 1 : static_cast<int>(hw));
  r.fma_vector_bytes = fma_vector_bytes();
  r.triad_bytes_per_second = triad_bandwidth(r.threads, options, &r.triad_array_bytes);
  r.fma_flops_per_second_one_thread = fma_peak(1, options);
  r.fma_flops_per_second = r.threads == 1 ? r.fma_flops_per_second_one_thread : fma_peak(r.threads, options);
  r.seconds = now_seconds() - start;
  return r;
}

}  // namespace ncp::core
