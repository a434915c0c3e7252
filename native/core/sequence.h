// Copyright 2026 ncp-silicon authors.
// The sequence runner: drives any Cell (core/cell.h) over a batch of sequences. It owns what every cell
// shares — batch split over the thread pool, per-step timespans, the mixed-memory LSTM, the output
// projection, and backpropagation through time — so each cell file holds only its own math. Beside it:
// sequence_io.h (the call's buffers, the model interface), sequence_scratch.h (tape sizes, workspace),
// sequence_work.h (work counting) and sequence_profile.h (profile records).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/cell.h"
#include "core/dropout.h"
#include "core/loss.h"
#include "core/lstm.h"
#include "core/memory.h"
#include "core/profiler.h"
#include "core/sequence_io.h"
#include "core/sequence_profile.h"
#include "core/sequence_scratch.h"
#include "core/sequence_work.h"
#include "core/thread_pool.h"
#include "core/work.h"

namespace ncp::core {

template <typename Cell>
class SequenceModel final : public SequenceModelBase<typename Cell::Scalar> {
 public:
  using T = typename Cell::Scalar;

  // work: what one step of `cell` costs (core/work.h), for profiles.
  // The LSTM and the projection copy their parameters, as the cells do: the model never reads `params` again.
  SequenceModel(Cell cell, bool mixed_memory, int proj_size, const ParamSource<T>& params, CellWork work)
      : cell_(std::move(cell)), param_count_(params.count), work_(work) {
    if (mixed_memory) lstm_.emplace(cell_.input_size(), cell_.state_size(), params);
    if (proj_size > 0) proj_.emplace(cell_.output_size(), proj_size, params);
  }

  int input_size() const override { return cell_.input_size(); }
  int state_size() const override { return cell_.state_size(); }
  int output_size() const override { return proj_ ? proj_->outputs() : cell_.output_size(); }
  bool mixed_memory() const override { return lstm_.has_value(); }

  void forward(const SequenceForward<T>& io) const override { run(io, nullptr); }
  void forward_backward(const SequenceForward<T>& io, const SequenceBackward<T>& grads) const override {
    run(io, &grads);
  }

 private:
  SequenceSizes sizes(int steps) const {
    SequenceSizes z{};
    z.S = cell_.input_size();
    z.H = cell_.state_size();
    z.O = cell_.output_size();
    z.P = output_size();
    z.L = steps;
    z.cell_tape = cell_.tape_size();
    z.lstm_tape = lstm_ ? lstm_->tape_size() : 0;
    // Per step: state before the step, (LSTM: c before, h after the LSTM, its tape), cell y, cell tape.
    z.step_tape = z.H + (lstm_ ? 2 * z.H + z.lstm_tape : 0) + z.O + z.cell_tape;
    return z;
  }

  void run(const SequenceForward<T>& io, const SequenceBackward<T>* grads) const {
    // Profiling off costs this one relaxed load; on, two clock reads and one locked append per call.
    if (!profiling_enabled()) {
      run_unprofiled(io, grads);
      return;
    }
    const double start_ms = monotonic_ms();
    const int chunks = run_unprofiled(io, grads);
    const double end_ms = monotonic_ms();
    std::uint64_t unique_bytes = 0;
    const WorkCounts work = sequence_call_work(io, grads, chunks, costs(grads != nullptr), &unique_bytes);
    record_sequence_call(io, grads != nullptr, work_.kind, start_ms, end_ms, work, unique_bytes);
  }

  SequenceCosts costs(bool backward) const {
    SequenceCosts c;
    c.S = cell_.input_size();
    c.H = cell_.state_size();
    c.P = output_size();
    c.params = param_count_;
    c.cell = work_;
    if (lstm_) c.lstm_step = lstm_->work_per_step(backward);
    if (proj_) c.projection_step = proj_->work_per_step(backward);
    return c;
  }

  // Returns how many chunks the batch was split into.
  int run_unprofiled(const SequenceForward<T>& io, const SequenceBackward<T>* grads) const {
    const SequenceSizes z = sizes(io.steps);
    const std::size_t batch = static_cast<std::size_t>(io.batch);
    PoolLease pool(batch);  // this call's pool, alive until the call returns even if set_num_threads swaps it
    const int chunks = pool.chunk_count(batch);
    // Per-chunk gradient buffers, summed in chunk order afterwards: deterministic for a thread count.
    std::vector<Buffer<T, MemoryCategory::Gradients>> chunk_grads(grads ? chunks : 0);
    pool.parallel_for(batch, [&](int chunk, std::size_t begin, std::size_t end) {
      Buffer<T, MemoryCategory::Gradients>* grad = nullptr;
      if (grads) {
        chunk_grads[chunk].assign(param_count_, T(0));
        grad = &chunk_grads[chunk];
      }
      SequenceWorkspace<T> ws(z, cell_.scratch_size(), grads != nullptr);
      constexpr bool kChunkGradients = has_chunk_gradients<Cell, T>::value;
      if constexpr (kChunkGradients) {
        if (grad) cell_.begin_gradients(ws.scratch);
      }
      for (std::size_t b = begin; b < end; ++b) {
        if (io.cancel && io.cancel->load(std::memory_order_relaxed)) throw Cancelled();
        run_sample(io, grads, z, b, ws, grad ? grad->data() : nullptr);
      }
      if constexpr (kChunkGradients) {
        if (grad) cell_.end_gradients(ws.scratch, grad->data());
      }
    });
    if (grads) {
      T* out = grads->d_params;
      for (const auto& g : chunk_grads) {
        for (std::size_t k = 0; k < param_count_; ++k) out[k] += g[k];
      }
    }
    return chunks;
  }

  std::size_t in_index(const SequenceForward<T>& io, std::size_t b, std::size_t t) const {
    return io.batch_first ? b * io.steps + t : t * io.batch + b;
  }

  void run_sample(const SequenceForward<T>& io, const SequenceBackward<T>* grads, const SequenceSizes& z,
                  std::size_t b, SequenceWorkspace<T>& ws, T* grad) const {
    const std::size_t L = z.L, S = z.S, H = z.H, O = z.O, P = z.P;
    T* h = ws.h;
    T* c = ws.c;
    if (io.h0) std::copy(io.h0 + b * H, io.h0 + (b + 1) * H, h);
    else std::fill(h, h + H, T(0));
    if (lstm_) {
      if (io.c0) std::copy(io.c0 + b * H, io.c0 + (b + 1) * H, c);
      else std::fill(c, c + H, T(0));
    }
    const bool backward = grads != nullptr;
    const std::uint64_t seed = io.dropout_seed;

    for (std::size_t t = 0; t < L; ++t) {
      const T* x = io.input + in_index(io, b, t) * S;
      const T dt = io.timespans ? io.timespans[in_index(io, b, t)] : T(1);
      T* step = ws.tape + (backward ? t * z.step_tape : 0);
      if (backward) std::copy(h, h + H, step);  // state before the step, for BPTT
      T* cursor = step + H;
      const T* cell_h = h;
      if (lstm_) {
        T* c_before = cursor;
        T* h_after = cursor + H;
        T* lstm_tape = cursor + 2 * H;
        std::copy(c, c + H, c_before);
        lstm_->forward(x, h, c, h_after, ws.c_next, lstm_tape);
        std::copy(ws.c_next, ws.c_next + H, c);
        cell_h = h_after;
        cursor += 2 * H + z.lstm_tape;
      }
      T* y = cursor;
      T* cell_tape = backward ? cursor + O : nullptr;
      const std::uint64_t key = seed ? mix_key(seed, b, t) : 0;
      cell_.forward(x, cell_h, dt, ws.h_next, y, cell_tape, ws.scratch, key);
      std::copy(ws.h_next, ws.h_next + H, h);
      if (io.h_sequence) std::copy(h, h + H, io.h_sequence + (b * L + t) * H);

      if (io.return_sequences || t + 1 == L) {
        T* out = io.return_sequences ? io.output + in_index(io, b, t) * P : io.output + b * P;
        if (proj_) proj_->forward(y, out);
        else std::copy(y, y + O, out);
      }
    }
    std::copy(h, h + H, io.h_final + b * H);
    if (lstm_ && io.c_final) std::copy(c, c + H, io.c_final + b * H);
    if (!backward) return;
    if (grads->loss) apply_loss(io, *grads, b);
    const T* d_output = grads->loss ? grads->loss_d_output : grads->d_output;

    // Backpropagation through time, last step first.
    T* dh = ws.dh;
    T* dc = ws.dc;
    if (grads->d_h_final) std::copy(grads->d_h_final + b * H, grads->d_h_final + (b + 1) * H, dh);
    else std::fill(dh, dh + H, T(0));
    if (lstm_) {
      if (grads->d_c_final) std::copy(grads->d_c_final + b * H, grads->d_c_final + (b + 1) * H, dc);
      else std::fill(dc, dc + H, T(0));
    }
    for (std::size_t t = L; t-- > 0;) {
      const std::size_t idx = in_index(io, b, t);
      const T* x = io.input + idx * S;
      const T dt = io.timespans ? io.timespans[idx] : T(1);
      const T* step = ws.tape + t * z.step_tape;
      const T* h_before = step;
      const T* cursor = step + H;
      const T* cell_h = h_before;
      const T* c_before = nullptr;
      const T* lstm_tape = nullptr;
      if (lstm_) {
        c_before = cursor;
        cell_h = cursor + H;
        lstm_tape = cursor + 2 * H;
        cursor += 2 * H + z.lstm_tape;
      }
      const T* y = cursor;
      const T* cell_tape = cursor + O;

      T* dy = ws.dy;
      std::fill(dy, dy + O, T(0));
      if (io.return_sequences || t + 1 == L) {
        const T* d_out = io.return_sequences ? d_output + idx * P : d_output + b * P;
        if (proj_) proj_->backward(y, d_out, dy, grad);
        else std::copy(d_out, d_out + O, dy);
      }
      T* dx = grads->d_input + idx * S;
      std::fill(dx, dx + S, T(0));
      T ddt = T(0);
      const std::uint64_t key = seed ? mix_key(seed, b, t) : 0;
      T* dh_cell = ws.dh_cell;
      cell_.backward(x, cell_h, dt, cell_tape, dh, dy, dx, dh_cell, &ddt, grad, ws.scratch, key);
      if (grads->d_timespans) grads->d_timespans[idx] = io.timespans ? ddt : T(0);
      if (lstm_) {
        // dh_cell is dL/d(h after the LSTM); dc is dL/d(c after the LSTM).
        T* dc_before = ws.c_next;
        lstm_->backward(x, h_before, c_before, lstm_tape, dh_cell, dc, dx, dh, dc_before, grad,
                        ws.lstm_scratch);
        std::copy(dc_before, dc_before + H, dc);
      } else {
        std::copy(dh_cell, dh_cell + H, dh);
      }
    }
    if (grads->d_h0) std::copy(dh, dh + H, grads->d_h0 + b * H);
    if (lstm_ && grads->d_c0) std::copy(dc, dc + H, grads->d_c0 + b * H);
  }

  // Sample b's loss terms and d_output rows, from the output its forward just wrote (rows never shared between
  // samples, so chunks run this in parallel; the sums are added in sample order by the caller).
  void apply_loss(const SequenceForward<T>& io, const SequenceBackward<T>& grads, std::size_t b) const {
    const std::size_t P = output_size();
    double sum = 0.0;
    if (!io.return_sequences) {
      sum = grads.loss->row(io.output + b * P, b, grads.loss_d_output + b * P);
    } else {
      for (std::size_t t = 0; t < static_cast<std::size_t>(io.steps); ++t) {
        const std::size_t r = in_index(io, b, t);
        sum += grads.loss->row(io.output + r * P, r, grads.loss_d_output + r * P);
      }
    }
    grads.loss_sums[b] = sum;
  }

  Cell cell_;
  std::optional<Lstm<T>> lstm_;
  std::optional<Projection<T>> proj_;
  std::size_t param_count_;
  CellWork work_;
};

}  // namespace ncp::core
