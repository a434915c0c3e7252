// Copyright 2026 ncp-silicon authors.
// The profile record of one sequence call (core/profiler.h's log): what ran, on which thread, how long, and
// its work counts (core/sequence_work.h). The runner builds one only while profiling is on.
#pragma once

#include <cstdint>

#include "core/memory.h"
#include "core/profiler.h"
#include "core/sequence_io.h"
#include "core/thread_pool.h"
#include "core/work.h"

namespace ncp::core {

template <typename T>
void record_sequence_call(const SequenceForward<T>& io, bool backward, const char* kind, double start_ms,
                          double end_ms, const WorkCounts& work, std::uint64_t unique_bytes) {
  KernelRecord record;
  record.start_ms = start_ms;
  record.duration_ms = end_ms - start_ms;
  record.kind = kind;
  record.call = backward ? KernelCall::ForwardBackward : io.is_step ? KernelCall::Step : KernelCall::Forward;
  record.is_double = sizeof(T) == sizeof(double);
  record.batch = io.batch;
  record.steps = io.steps;
  record.thread = current_thread_index();
  record.work = work;
  record.unique_bytes = unique_bytes;
  record.native_live_bytes = native_live_bytes();
  record_kernel(record);
}

}  // namespace ncp::core
