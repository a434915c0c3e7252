// Copyright 2026 ncp-silicon authors.
// The contract between a recurrent cell and the sequence runner (core/sequence.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace ncp::core {

// A user error: the addon maps kind Type → JS TypeError and kind Range → JS RangeError.
// Messages use the JS names the caller sees ("LTC.forward: expected … for timespans, received …").
struct InvalidArgument : std::invalid_argument {
  enum class Kind { Type, Range };
  Kind kind;
  InvalidArgument(Kind k, const std::string& message) : std::invalid_argument(message), kind(k) {}
};

// Where each named parameter starts in the model's flat parameter buffer, in elements.
// Keys are the native parameter names ("cell.gleak", "cell.sensory_w", "cell.backbone.0.weight" (by layer),
// "cell.layer_1.ff1.weight", "lstm.input_map.weight", "fc.weight", …). The checkpoint (ncps) names are TypeScript's
// alone: src/io/ncps-names.ts maps them to these (nativeParamOffsets) before a model reaches an addon.
// Gradients use a buffer of the same length and the same offsets.
using ParamOffsets = std::map<std::string, std::size_t>;

inline std::size_t offset_of(const ParamOffsets& offsets, const std::string& name) {
  auto it = offsets.find(name);
  if (it == offsets.end()) {
    throw InvalidArgument(InvalidArgument::Kind::Range, "native kernel: the parameter layout has no entry '" + name + "'.");
  }
  return it->second;
}

// The flat parameter buffer a layer reads once, in its constructor (layers copy what they need and keep no
// pointer into it). Every tensor is checked to lie inside the buffer, offset + length ≤ count without overflow,
// before an element is read: the offsets come from the caller (the addon's args), so they are not trusted.
template <typename T>
struct ParamSource {
  const T* data;
  std::size_t count;
  const ParamOffsets& offsets;

  // Where `name` starts, holding `length` elements.
  std::size_t offset(const std::string& name, std::size_t length) const {
    const std::size_t at = offset_of(offsets, name);
    if (at > count || length > count - at) {
      throw InvalidArgument(InvalidArgument::Kind::Range,
                            "native kernel: expected an offset + " + std::to_string(length) + " elements ≤ " +
                                std::to_string(count) + " (the parameter count) for offsets." + name +
                                ", received offset " + std::to_string(at) + ".");
    }
    return at;
  }
  const T* tensor(const std::string& name, std::size_t length) const { return data + offset(name, length); }
};

// A Cell (LtcCell<T>, CfcCell<T>, …) is an immutable object built once from (dims, options, flat params);
// it may precompute transformed parameters (softplus, packed synapse lists) in its constructor, since the
// addon rebuilds it only when the parameter version changes. All methods are const and thread-safe:
// many threads call them at once, each with its own tape / scratch / grad buffers.
//
// It works on ONE sample at a time (the runner parallelises over the batch):
//
//   int input_size() const;        // S: features of x
//   int state_size() const;        // H: length of the state h
//   int output_size() const;       // O: length of the output y
//   std::size_t tape_size() const;     // scalars the cell stores per step for its backward pass
//   std::size_t scratch_size() const;  // scalars of per-thread scratch forward/backward may use
//
//   // One step. x: S, h: H (state before the step), dt > 0: elapsed time.
//   // Writes h_next (H) and y (O). If tape != nullptr, stores what backward needs (tape_size() scalars).
//   // x, h, h_next, y never alias.
//   // step_key is 0 for inference; in training (forwardBackward with training on) it is a unique nonzero
//   // key for (call seed, sample, step) from which stochastic cells (CfC backbone dropout) derive their
//   // masks with a counter-based hash, so forward and backward see the same mask without storing it.
//   void forward(const T* x, const T* h, T dt, T* h_next, T* y, T* tape, T* scratch,
//                std::uint64_t step_key) const;
//
//   // Exact reverse-mode step. Given the forward inputs, the tape written by forward for this step, and
//   // the incoming gradients dh_next (dL/dh_next, H) and dy (dL/dy, O; may be all zeros):
//   //   dx   += dL/dx   (S)   — accumulate: the runner may also add an LSTM contribution
//   //   dh    = dL/dh   (H)   — overwrite
//   //   *ddt  = dL/d dt       — overwrite
//   //   grad[offset(p) + k] += dL/dp_k for every trainable parameter p (flat layout, accumulate).
//   // Non-trainable buffers (sparsity masks) get no gradient.
//   void backward(const T* x, const T* h, T dt, const T* tape, const T* dh_next, const T* dy,
//                 T* dx, T* dh, T* ddt, T* grad, T* scratch, std::uint64_t step_key) const;
//
// Optional, for cells whose parameter gradients are cheaper to sum in their own layout (LTC: per packed synapse
// slot, scattered into the parameter matrices once per chunk instead of once per step). The runner calls them
// around each chunk of samples a thread runs; the accumulators live in scratch regions forward never touches.
//
//   void begin_gradients(T* scratch) const;         // before the chunk's first backward: zero the accumulators
//   void end_gradients(T* scratch, T* grad) const;  // after its last: grad[…] += the accumulated gradients
//
// A cell without them adds into grad directly in backward.
template <typename Cell, typename T, typename = void>
struct has_chunk_gradients : std::false_type {};
template <typename Cell, typename T>
struct has_chunk_gradients<Cell, T,
                           std::void_t<decltype(std::declval<const Cell&>().begin_gradients(std::declval<T*>())),
                                       decltype(std::declval<const Cell&>().end_gradients(std::declval<T*>(),
                                                                                          std::declval<T*>()))>>
    : std::true_type {};

}  // namespace ncp::core
