// Copyright 2026 ncp-silicon authors.
// The fully connected CfC cell with backbone (SPEC.md §3), one sample per call (contract: core/cell.h).
//
//   z = [x; h]  →  backbone (backbone_layers × act(Linear), Dropout after layers 2+)  →  f
//   pure:      h' = −A·exp(−Δ·(|w_tau| + |ff1(f)|))·ff1(f) + A
//   otherwise: t1 = tanh(ff1(f)), t2 = tanh(ff2(f)), ti = σ(time_a(f)·Δ + time_b(f))
//              no_gate: h' = t1 + ti·t2        default: h' = t1·(1 − ti) + ti·t2
//   output = h'
//
// The head (ff1/ff2/time_a/time_b or the pure form) is detail::CfcHead, shared with the wired cell.
// src/backend/reference/cfc-cell.ts is the readable twin of this file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/cell.h"
#include "core/dropout.h"
#include "core/memory.h"
#include "core/work.h"

namespace ncp::core {

// Bytes per SIMD vector: the dense layers pad rows and columns to whole vectors, and execute the padding (work
// accounting counts it, so profiles report this width).
#if defined(__AVX__)
inline constexpr int kCfcVectorBytes = 32;
#else
inline constexpr int kCfcVectorBytes = 16;
#endif

enum class CfcMode { Default, NoGate, Pure };
enum class CfcActivation { LecunTanh, Tanh, Relu, Gelu, Silu };

struct CfcConfig {
  int inputs = 0;  // S
  int units = 0;   // N (= state size = output size)
  CfcMode mode = CfcMode::Default;
  CfcActivation activation = CfcActivation::LecunTanh;
  int backbone_units = 128;  // U_b
  int backbone_layers = 1;   // 0: the heads read z = [x; h] directly (as ncps with backbone_layers=0)
  double backbone_dropout = 0.0;  // in [0, 1); after backbone layers 2+ only, in training only
};

// ncps's LeCun tanh is 1.7159·tanh(0.666·x): 0.666, not LeCun's 2/3 (ncps/torch/cfc_cell.py:33).
constexpr double lecun_tanh_outer_scale = 1.7159;
constexpr double lecun_tanh_inner_scale = 0.666;

namespace detail {

// A dense layer y = W·x + b over a packed copy of one or more nn.Linear's of equal shape (rows concatenated
// in blocks), kept twice: transposed (in × out) for the forward pass and row-major (out × in) for dx, each
// zero-padded to whole SIMD vectors (in_pad, out_pad) so that no scalar tails accumulate through memory.
// A block may be masked: it then uses W ⊙ mask, as F.linear(x, W * mask, b), and its weight gradient is
// (dy ⊗ x) ⊙ mask, exactly 0 where the mask is 0.
template <typename T>
struct PackedLinear {
  int in = 0, out = 0;
  int in_pad = 0, out_pad = 0;
  int block_rows = 0;
  Buffer<T> wt;    // in × out_pad (transposed, masked)
  Buffer<T> w;     // out × in_pad (masked)
  Buffer<T> bias;  // out_pad
  Buffer<T> mask;  // block_rows × in (shared by every masked block), or empty
  std::vector<char> block_masked;
  std::vector<std::size_t> weight_offsets, bias_offsets;  // per block, in the flat parameter buffer

  PackedLinear() = default;
  explicit PackedLinear(int in_features) : in(in_features) {}

  // Appends nn.Linear `prefix` (prefix.weight rows × in, prefix.bias rows); mask: rows × in or nullptr.
  void append(const ParamSource<T>& params, const std::string& prefix, int rows, const T* row_mask);
  void finish();  // pads and transposes

  // y = W·x + b; y has room for out_pad values (the padding comes out 0).
  void forward(const T* x, T* y) const;
  // Given dy = dL/dy (out values): dx = Wᵀ·dy (overwrite; room for in_pad values);
  // grad_W += (dy ⊗ x) ⊙ mask, grad_b += dy (flat layout).
  void backward(const T* x, const T* dy, T* dx, T* grad) const;

  // core/work.h: forward multiplies every (padded) output row by every input; backward computes dx over the
  // padded inputs and the weight gradients over the real ones (masked blocks: one more multiply per weight).
  WorkCounts forward_work() const;
  WorkCounts backward_work() const;
};

// The CfC head on a feature vector f (length in): new hidden state of `units` neurons.
// Tape per step: default / no_gate [t1 | t2 | ti | time_a] (4 units), pure [ff1 | decay] (2 units).
template <typename T>
class CfcHead {
 public:
  // Reads `prefix`.ff1.* (and ff2, time_a, time_b, or w_tau, A); mask (units × in) multiplies ff1 and ff2 only.
  CfcHead(CfcMode mode, int in, int units, const ParamSource<T>& params, const std::string& prefix,
          const T* mask);

  int in() const { return linear_.in; }
  // Room backward needs for df (in, padded to whole SIMD vectors).
  int in_pad() const { return linear_.in_pad; }
  int units() const { return units_; }
  std::size_t tape_size() const { return static_cast<std::size_t>(mode_ == CfcMode::Pure ? 2 : 4) * units_; }
  std::size_t scratch_size() const { return static_cast<std::size_t>(linear_.out_pad); }

  void forward(const T* f, T dt, T* out, T* tape, T* scratch) const;
  // The h' forward wrote, rebuilt from its tape.
  void output_from_tape(const T* tape, T* out) const;
  // g = dL/dh'. df = dL/df (overwrite, in values); grad += parameter gradients; returns dL/dΔ.
  T backward(const T* f, T dt, const T* tape, const T* g, T* df, T* grad, T* scratch) const;

  // core/work.h, per call of forward / backward / output_from_tape.
  WorkCounts forward_work() const;
  WorkCounts backward_work() const;
  WorkCounts output_from_tape_work() const;

 private:
  CfcMode mode_;
  int units_;
  PackedLinear<T> linear_;  // rows: ff1 | ff2 | time_a | time_b, or ff1 (pure)
  Buffer<T> w_tau_abs_, w_tau_sign_, a_;
  std::size_t w_tau_offset_ = 0, a_offset_ = 0;
};

}  // namespace detail

template <typename T>
class CfcCell {
 public:
  using Scalar = T;

  // Reads cell.backbone.{layer}.*, cell.ff1.* … from the flat parameter buffer (copied).
  CfcCell(const CfcConfig& config, const ParamSource<T>& params);

  int input_size() const { return config_.inputs; }
  int state_size() const { return config_.units; }
  int output_size() const { return config_.units; }
  // Per step: every backbone pre-activation, then the head's tape.
  std::size_t tape_size() const { return backbone_tape_ + head_.tape_size(); }
  std::size_t scratch_size() const { return scratch_size_; }

  void forward(const T* x, const T* h, T dt, T* h_next, T* y, T* tape, T* scratch, std::uint64_t step_key) const;
  void backward(const T* x, const T* h, T dt, const T* tape, const T* dh_next, const T* dy, T* dx, T* dh, T* ddt,
                T* grad, T* scratch, std::uint64_t step_key) const;

  // What one step costs (core/work.h; formulas in docs/monitoring.md).
  CellWork work_per_step() const;

 private:
  struct Scratch {
    T *z, *pre, *outs, *d_act, *g, *df, *df_next, *head, *tape;
  };
  Scratch split(T* scratch) const;
  // Backbone layer l's output from its pre-activation: act, then dropout (layers 2+, nonzero key only).
  // d_act (optional) gets d out / d pre, dropout factor included.
  void activate_layer(std::size_t l, const T* pre, T* out, T* d_act, std::uint64_t step_key) const;

  CfcConfig config_;
  std::vector<detail::PackedLinear<T>> backbone_;
  detail::CfcHead<T> head_;
  std::size_t backbone_tape_ = 0;  // backbone_layers × U_b
  std::size_t stride_ = 0;         // U_b padded to whole SIMD vectors: per-layer stride in scratch
  std::size_t width_ = 0;          // room for any layer's input gradient (padded)
  std::size_t scratch_size_ = 0;
};

extern template class CfcCell<float>;
extern template class CfcCell<double>;
namespace detail {
extern template struct PackedLinear<float>;
extern template struct PackedLinear<double>;
extern template class CfcHead<float>;
extern template class CfcHead<double>;
}  // namespace detail

}  // namespace ncp::core
