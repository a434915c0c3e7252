// Copyright 2026 ncp-silicon authors.
// The sequence runner's scratch: the sizes of one call's per-step tape and the per-chunk workspace carved from a
// per-thread arena (core/sequence.h uses both).
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>

#include "core/memory.h"

namespace ncp::core {

// Elements per sample: inputs S, state H, cell outputs O, model outputs P, steps L, and the tape of one step.
struct SequenceSizes {
  std::size_t S, H, O, P, L;
  std::size_t cell_tape, lstm_tape, step_tape;
};

// Per-chunk buffers carved from a per-thread arena that is reused across calls, so the low-latency
// single-step path does no allocation and no clearing: cells initialise the scratch they read, and the
// tape and state vectors are always written before they are read.
template <typename T>
struct SequenceWorkspace {
  T *tape, *h, *c, *h_next, *c_next, *y, *scratch, *dh, *dc, *dh_cell, *dy, *lstm_scratch;
  SequenceWorkspace(const SequenceSizes& z, std::size_t scratch_size, bool backward) {
    scratch_size = std::max<std::size_t>(scratch_size, 1);
    const std::size_t tape_size = backward ? z.step_tape * z.L : z.step_tape;
    const std::size_t backward_size = backward ? 3 * z.H + z.O + 4 * z.H : 0;
    T* p = arena(tape_size + 4 * z.H + z.O + scratch_size + backward_size);
    auto take = [&p](std::size_t n) { T* out = p; p += n; return out; };
    tape = take(tape_size);
    h = take(z.H), c = take(z.H), h_next = take(z.H), c_next = take(z.H), y = take(z.O);
    scratch = take(scratch_size);
#ifdef NCP_POISON_SCRATCH
    // Debug builds: cells must initialise what they read (the parity tests pass with this on).
    std::fill(scratch, scratch + scratch_size, std::numeric_limits<T>::quiet_NaN());
#endif
    dh = take(backward ? z.H : 0), dc = take(backward ? z.H : 0), dh_cell = take(backward ? z.H : 0);
    dy = take(backward ? z.O : 0), lstm_scratch = take(backward ? 4 * z.H : 0);
  }

 private:
  static T* arena(std::size_t n) {
    thread_local Buffer<T, MemoryCategory::Workspace> buffer;
    if (buffer.size() < n) buffer.resize(n);
    return buffer.data();
  }
};

}  // namespace ncp::core
