// Copyright 2026 ncp-silicon authors.
// What one sequence call reads and writes (SequenceForward, SequenceBackward) and the interface every runnable
// model offers the addons (SequenceModelBase). core/sequence.h implements it for any Cell.
#pragma once

#include <atomic>
#include <cstdint>
#include <stdexcept>

#include "core/loss.h"

namespace ncp::core {

// Pointers into the buffers of one call (for async calls, the addon's own copies: never JS memory). Layouts: input B×L×S (batch first) or L×B×S; timespans
// B×L or L×B; outputs B×L×P / L×B×P (every step) or B×P (last step only); states B×H.
template <typename T>
struct SequenceForward {
  int batch = 0, steps = 0;
  bool batch_first = true, return_sequences = true;
  const T* input = nullptr;
  const T* timespans = nullptr;  // nullptr: Δ = 1 at every step
  const T* h0 = nullptr;         // nullptr: zeros
  const T* c0 = nullptr;         // mixed memory only; nullptr: zeros
  T* output = nullptr;
  T* h_final = nullptr;
  T* c_final = nullptr;     // mixed memory only
  T* h_sequence = nullptr;  // optional B×L×H, state after every step, always batch first
  const std::atomic<bool>* cancel = nullptr;
  // 0: inference semantics (no dropout). Otherwise the seed of this call's backbone-dropout masks (training).
  std::uint64_t dropout_seed = 0;
  bool is_step = false;  // the call came from model.step (profiles name it "<cell>.step")
};

// Gradients of a scalar loss. d_output has the output's shape; d_h_final / d_c_final are optional extra
// cotangents on the final state. Results: d_input, d_timespans, d_h0, d_c0 are overwritten; d_params
// (flat, the parameter layout) is accumulated into.
template <typename T>
struct SequenceBackward {
  const T* d_output = nullptr;
  const T* d_h_final = nullptr;
  const T* d_c_final = nullptr;
  T* d_input = nullptr;
  T* d_timespans = nullptr;
  T* d_h0 = nullptr;
  T* d_c0 = nullptr;
  T* d_params = nullptr;
  // The fused loss (forwardBackwardLoss): when set, d_output is not read; instead each sample's output rows
  // become its d_output rows in loss_d_output (the output's layout) right after that sample's forward, while
  // its tape is still there, and the sample's loss sum lands in loss_sums[b]. One forward, one backward.
  const OutputLoss<T>* loss = nullptr;
  T* loss_d_output = nullptr;
  double* loss_sums = nullptr;
};

struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled") {}
};

template <typename T>
class SequenceModelBase {
 public:
  virtual ~SequenceModelBase() = default;
  virtual int input_size() const = 0;
  virtual int state_size() const = 0;
  virtual int output_size() const = 0;
  virtual bool mixed_memory() const = 0;
  virtual void forward(const SequenceForward<T>& io) const = 0;
  virtual void forward_backward(const SequenceForward<T>& io, const SequenceBackward<T>& grads) const = 0;
};

}  // namespace ncp::core
