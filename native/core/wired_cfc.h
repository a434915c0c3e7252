// Copyright 2026 ncp-silicon authors.
// The wired CfC cell (ncps WiredCfCCell, SPEC.md §3 "Wired CfC"), one sample per call (contract: core/cell.h).
//
// One backbone-free CfC head per wiring layer [inter, command, motor]: layer 0 reads x, layer l reads layer
// l−1's new hidden state. Layer l's non-trainable cell.layer_l.sparsity_mask (n_l × (in_l + n_l))
// multiplies its ff1 and ff2 weights only (never time_a / time_b); the masked products W ⊙ mask are built
// once here. State = [layer 0 | layer 1 | …] by layer; output = the last layer's new hidden state.
// src/backend/reference/wired-cfc-cell.ts is the readable twin of this file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/cell.h"
#include "core/cfc.h"

namespace ncp::core {

struct WiredCfcConfig {
  int inputs = 0;  // S
  CfcMode mode = CfcMode::Default;
  std::vector<int> layer_sizes;  // neurons per wiring layer, in order
};

template <typename T>
class WiredCfcCell {
 public:
  using Scalar = T;

  // Reads cell.layer_{l}.{sparsity_mask, ff1, ff2, time_a, time_b | w_tau, A} (copied).
  WiredCfcCell(const WiredCfcConfig& config, const ParamSource<T>& params);

  int input_size() const { return config_.inputs; }
  int state_size() const { return state_size_; }
  int output_size() const { return config_.layer_sizes.back(); }
  std::size_t tape_size() const { return tape_size_; }
  std::size_t scratch_size() const { return scratch_size_; }

  // step_key is unused: a wired cell has no dropout.
  void forward(const T* x, const T* h, T dt, T* h_next, T* y, T* tape, T* scratch, std::uint64_t step_key) const;
  void backward(const T* x, const T* h, T dt, const T* tape, const T* dh_next, const T* dy, T* dx, T* dh, T* ddt,
                T* grad, T* scratch, std::uint64_t step_key) const;

  // What one step costs (core/work.h; formulas in docs/monitoring.md).
  CellWork work_per_step() const;

 private:
  struct Scratch {
    T *z, *head, *g, *dz, *dz_next, *input, *tape;
  };
  Scratch split(T* scratch) const;

  WiredCfcConfig config_;
  std::vector<detail::CfcHead<T>> layers_;
  std::vector<int> state_offsets_;          // where layer l's state starts in h
  std::vector<std::size_t> tape_offsets_;   // where layer l's tape starts
  int state_size_ = 0;
  std::size_t max_in_ = 0, max_units_ = 0, max_head_scratch_ = 0;
  std::size_t tape_size_ = 0, scratch_size_ = 0;
};

extern template class WiredCfcCell<float>;
extern template class WiredCfcCell<double>;

}  // namespace ncp::core
