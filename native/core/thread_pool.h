// Copyright 2026 ncp-silicon authors.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace ncp::core {

// A fixed pool of worker threads shared by every kernel in the process.
//
// parallel_for splits [0, n) into contiguous chunks, one per participating thread, so the assignment of
// work to chunks (and hence the order of any reduction done over chunks) depends only on n and the
// thread count: the same inputs and thread count give bit-identical results.
// The calling thread runs chunk 0 itself and then helps drain the queue, so nested or concurrent calls
// from several async workers cannot deadlock.
class ThreadPool {
 public:
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Total threads that take part in a parallel_for (workers + the caller).
  int num_threads() const { return num_threads_; }

  // fn(chunk_index, begin, end) for each of min(num_threads, n) contiguous chunks of [0, n).
  // Exceptions thrown by fn are rethrown on the calling thread (the first one wins).
  // One chunk runs inline, with no std::function (whose capture would be heap-allocated on the single-step path).
  template <typename Fn>
  void parallel_for(std::size_t n, Fn&& fn) {
    if (n == 0) return;
    if (chunk_count(n) == 1) return fn(0, std::size_t{0}, n);
    run_chunks(n, std::function<void(int, std::size_t, std::size_t)>(std::ref(fn)));
  }

  // How many chunks parallel_for(n, …) will use; lets callers size per-chunk scratch up front.
  int chunk_count(std::size_t n) const;

 private:
  struct Task {
    std::function<void()> run;
  };
  void run_chunks(std::size_t n, const std::function<void(int, std::size_t, std::size_t)>& fn);
  void worker_loop();
  bool run_one_pending();

  int num_threads_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable has_work_;
  std::vector<Task> queue_;
  bool stopping_ = false;
};

// The process-wide pool, shared: every call that uses it holds it (a PoolLease) until the call returns.
// set_num_threads swaps in a new pool at once and never waits; the old one is destroyed, its idle workers
// joined, by whoever drops the last reference (the JS thread or a libuv worker, never one of its own workers,
// which hold no lease), so a resize can neither free a pool under running work nor block on it.
std::shared_ptr<ThreadPool> shared_thread_pool();
void set_num_threads(int num_threads);
int current_num_threads();
int default_num_threads();

// The pool one call of n items runs on, held for the whole call so its chunk count cannot change midway.
// A call of one item (the single-step path) runs inline on the calling thread and takes no lease: no lock, no
// reference count.
class PoolLease {
 public:
  explicit PoolLease(std::size_t n) : pool_(n > 1 ? shared_thread_pool() : nullptr) {}
  int chunk_count(std::size_t n) const { return pool_ ? pool_->chunk_count(n) : (n > 0 ? 1 : 0); }
  template <typename Fn>
  void parallel_for(std::size_t n, Fn&& fn) {
    if (pool_) pool_->parallel_for(n, std::forward<Fn>(fn));
    else if (n > 0) fn(0, std::size_t{0}, n);
  }

 private:
  std::shared_ptr<ThreadPool> pool_;
};

}  // namespace ncp::core
