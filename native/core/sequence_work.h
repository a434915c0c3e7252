// Copyright 2026 ncp-silicon authors.
// Work accounting of one sequence call (core/work.h conventions), for profiles: the per-step cell, LSTM and
// projection costs times B·L, the call's inputs and outputs, and in training the per-chunk gradient buffers.
#pragma once

#include <cstdint>

#include "core/sequence_io.h"
#include "core/work.h"

namespace ncp::core {

// What a model's calls cost, independent of the call: sizes and per-step work (lstm / projection: zero when the
// model has none; their figures for forward or forward+backward, as the call is).
struct SequenceCosts {
  std::uint64_t S = 0, H = 0, P = 0, params = 0;
  CellWork cell;
  WorkCounts lstm_step, projection_step;
};

// The FLOPs and bytes of one call: the projection only where an output is written; `chunks` is how many
// per-chunk gradient buffers the call used (zeroed, then summed into d_params). *unique: the compulsory traffic.
template <typename T>
WorkCounts sequence_call_work(const SequenceForward<T>& io, const SequenceBackward<T>* grads, int chunks,
                              const SequenceCosts& c, std::uint64_t* unique) {
  const std::uint64_t B = io.batch, L = io.steps, S = c.S, H = c.H;
  const std::uint64_t P = c.P, E = sizeof(T), params = c.params;
  const std::uint64_t outputs = io.return_sequences ? L : 1;
  const bool backward = grads != nullptr;
  WorkCounts step = c.cell.forward;
  if (backward) step += c.cell.tape + c.cell.backward;
  if (io.dropout_seed != 0) step += backward ? c.cell.dropout + c.cell.dropout_backward : c.cell.dropout;
  step += c.lstm_step;
  WorkCounts total = step * (B * L);
  total += c.projection_step * (B * outputs);
  WorkCounts io_bytes;
  io_bytes.bytes_read = (B * L * S + (io.timespans ? B * L : 0) + (io.h0 ? B * H : 0) + (io.c0 ? B * H : 0)) * E;
  io_bytes.bytes_written = (B * outputs * P + B * H + (io.c_final ? B * H : 0) + (io.h_sequence ? B * L * H : 0)) * E;
  if (backward) {
    io_bytes.bytes_read += (B * outputs * P + (grads->d_h_final ? B * H : 0) + (grads->d_c_final ? B * H : 0)) * E;
    io_bytes.bytes_written += (B * L * S + (grads->d_timespans ? B * L : 0) + (grads->d_h0 ? B * H : 0) +
                               (grads->d_c0 ? B * H : 0)) * E;
    const std::uint64_t C = static_cast<std::uint64_t>(chunks);
    total.flops += C * params;                   // the chunk sums
    total.bytes_read += 2 * C * params * E;      // each chunk's buffer and d_params
    total.bytes_written += 2 * C * params * E;   // zeroing each chunk's buffer; d_params
  }
  *unique = params * E * (backward ? 3 : 1) + io_bytes.bytes_read + io_bytes.bytes_written;
  return total + io_bytes;
}

}  // namespace ncp::core
