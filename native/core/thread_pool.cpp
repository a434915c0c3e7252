// Copyright 2026 ncp-silicon authors.
#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>

namespace ncp::core {

ThreadPool::ThreadPool(int num_threads) : num_threads_(std::max(1, num_threads)) {
  for (int i = 1; i < num_threads_; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  has_work_.notify_all();
  for (auto& t : workers_) t.join();
}

int ThreadPool::chunk_count(std::size_t n) const {
  return static_cast<int>(std::min<std::size_t>(n, static_cast<std::size_t>(num_threads_)));
}

bool ThreadPool::run_one_pending() {
  Task task;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.empty()) return false;
    task = std::move(queue_.back());
    queue_.pop_back();
  }
  task.run();
  return true;
}

void ThreadPool::worker_loop() {
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      has_work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_ && queue_.empty()) return;
      task = std::move(queue_.back());
      queue_.pop_back();
    }
    task.run();
  }
}

void ThreadPool::run_chunks(std::size_t n, const std::function<void(int, std::size_t, std::size_t)>& fn) {
  const int chunks = chunk_count(n);
  auto bounds = [n, chunks](int c) { return n * static_cast<std::size_t>(c) / static_cast<std::size_t>(chunks); };

  struct Join {
    std::atomic<int> remaining;
    std::mutex mutex;
    std::condition_variable done;
    std::exception_ptr error;
  };
  auto join = std::make_shared<Join>();
  join->remaining = chunks - 1;

  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int c = 1; c < chunks; ++c) {
      const std::size_t begin = bounds(c), end = bounds(c + 1);
      queue_.push_back(Task{[join, &fn, c, begin, end] {
        try {
          fn(c, begin, end);
        } catch (...) {
          std::lock_guard<std::mutex> guard(join->mutex);
          if (!join->error) join->error = std::current_exception();
        }
        if (join->remaining.fetch_sub(1) == 1) {
          std::lock_guard<std::mutex> guard(join->mutex);
          join->done.notify_all();
        }
      }});
    }
  }
  has_work_.notify_all();

  std::exception_ptr own_error;
  try {
    fn(0, bounds(0), bounds(1));
  } catch (...) {
    own_error = std::current_exception();
  }
  // Help with queued chunks (ours or another caller's) rather than sleeping while they wait.
  while (join->remaining.load() > 0 && run_one_pending()) {
  }
  {
    std::unique_lock<std::mutex> lock(join->mutex);
    join->done.wait(lock, [&] { return join->remaining.load() == 0; });
  }
  if (own_error) std::rethrow_exception(own_error);
  if (join->error) std::rethrow_exception(join->error);
}

int default_num_threads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

namespace {
std::mutex& pool_mutex() {
  static std::mutex m;
  return m;
}
std::shared_ptr<ThreadPool>& pool_slot() {  // guarded by pool_mutex()
  static std::shared_ptr<ThreadPool> pool;
  return pool;
}
}  // namespace

std::shared_ptr<ThreadPool> shared_thread_pool() {
  std::lock_guard<std::mutex> lock(pool_mutex());
  auto& slot = pool_slot();
  if (!slot) slot = std::make_shared<ThreadPool>(default_num_threads());
  return slot;
}

int current_num_threads() { return shared_thread_pool()->num_threads(); }

void set_num_threads(int num_threads) {
  std::shared_ptr<ThreadPool> old;  // released after the lock: its destructor joins the idle workers
  {
    std::lock_guard<std::mutex> lock(pool_mutex());
    auto& slot = pool_slot();
    if (slot && slot->num_threads() == num_threads) return;
    old = std::move(slot);
    slot = std::make_shared<ThreadPool>(num_threads);
  }
}

}  // namespace ncp::core
