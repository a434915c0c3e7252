// Copyright 2026 ncp-silicon authors.
// The mixed-memory LSTM that runs before the cell at every step (SPEC.md §4):
//   z = W_in·x + b_in + W_rec·h  (no recurrent bias), chunks (i, ig, fg, og):
//   c' = c·σ(fg + 1) + tanh(i)·σ(ig),   h' = tanh(c')·σ(og).
#pragma once

#include <cstddef>

#include "core/cell.h"
#include "core/memory.h"
#include "core/work.h"

namespace ncp::core {

template <typename T>
class Lstm {
 public:
  // Reads lstm.input_map.weight (4H × S), lstm.input_map.bias (4H), lstm.recurrent_map.weight (4H × H).
  // Copies them: like the cells, it keeps no pointer into the caller's parameter buffer.
  Lstm(int inputs, int hidden, const ParamSource<T>& params);

  // Scalars stored per step: the four gate activations and tanh(c').
  std::size_t tape_size() const { return 5 * static_cast<std::size_t>(hidden_); }

  // One step for one sample (core/work.h): the forward (tape always written), plus backward when asked.
  WorkCounts work_per_step(bool backward) const;

  // (h, c) → (h_next, c_next); tape may be nullptr.
  void forward(const T* x, const T* h, const T* c, T* h_next, T* c_next, T* tape) const;

  // Given dh_next, dc_next: dx += …, dh = …, dc = … (overwrite), grad (flat) += ….
  // scratch needs 4H scalars.
  void backward(const T* x, const T* h, const T* c, const T* tape, const T* dh_next, const T* dc_next, T* dx,
                T* dh, T* dc, T* grad, T* scratch) const;

 private:
  int inputs_, hidden_;
  std::size_t w_in_offset_, b_in_offset_, w_rec_offset_;
  Buffer<T> w_in_, b_in_, w_rec_;
};

// The output projection of CfC's projSize: out = W·y + b (fc.weight P × O, fc.bias P).
template <typename T>
class Projection {
 public:
  // Copies fc.weight and fc.bias (no pointer into the caller's buffer is kept).
  Projection(int inputs, int outputs, const ParamSource<T>& params);
  int outputs() const { return outputs_; }
  // One projected output (core/work.h): the forward, plus backward when asked.
  WorkCounts work_per_step(bool backward) const;
  void forward(const T* y, T* out) const;
  // dy = Wᵀ·d_out (overwrite); grad += ….
  void backward(const T* y, const T* d_out, T* dy, T* grad) const;

 private:
  int inputs_, outputs_;
  std::size_t w_offset_, b_offset_;
  Buffer<T> w_, b_;
};

}  // namespace ncp::core
