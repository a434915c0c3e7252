// Copyright 2026 ncp-silicon authors.
#include "core/wired_cfc.h"

#include <algorithm>
#include <string>
#include <utility>

namespace ncp::core {
namespace {

const WiredCfcConfig& checked(const WiredCfcConfig& c) {
  auto fail = [](const std::string& what, const std::string& field, const std::string& got) {
    throw InvalidArgument(InvalidArgument::Kind::Range,
                          "CfC: expected " + what + " for config." + field + ", received " + got + ".");
  };
  if (c.inputs < 1) fail("a positive integer", "inputs", "number " + std::to_string(c.inputs));
  if (c.layer_sizes.empty()) fail("a non-empty array", "layerSizes", "Array(0)");
  for (std::size_t l = 0; l < c.layer_sizes.size(); ++l) {
    if (c.layer_sizes[l] < 1) {
      fail("a positive integer", "layerSizes[" + std::to_string(l) + "]", "number " + std::to_string(c.layer_sizes[l]));
    }
  }
  return c;
}

}  // namespace

template <typename T>
WiredCfcCell<T>::WiredCfcCell(const WiredCfcConfig& config, const ParamSource<T>& params)
    : config_(checked(config)) {
  int in = config_.inputs;
  for (std::size_t l = 0; l < config_.layer_sizes.size(); ++l) {
    const int n = config_.layer_sizes[l];
    const std::string prefix = "cell.layer_" + std::to_string(l);
    // ff1's and ff2's row mask: n rows over the layer input and the layer's own state.
    const T* mask = params.tensor(prefix + ".sparsity_mask", static_cast<std::size_t>(n) * (in + n));
    layers_.emplace_back(config_.mode, in + n, n, params, prefix, mask);
    state_offsets_.push_back(state_size_);
    tape_offsets_.push_back(tape_size_);
    state_size_ += n;
    tape_size_ += layers_.back().tape_size();
    max_in_ = std::max<std::size_t>(max_in_, layers_.back().in_pad());
    max_units_ = std::max<std::size_t>(max_units_, n);
    max_head_scratch_ = std::max(max_head_scratch_, layers_.back().scratch_size());
    in = n;
  }
  // z | head scratch | g | dz ×2 | rebuilt layer input | tape (used when forward gets no tape);
  // max_in_ is the widest layer input padded to whole SIMD vectors (room for a head's df).
  scratch_size_ = max_in_ + max_head_scratch_ + max_units_ + 2 * max_in_ + max_units_ + tape_size_;
}

template <typename T>
typename WiredCfcCell<T>::Scratch WiredCfcCell<T>::split(T* scratch) const {
  Scratch s;
  s.z = scratch;
  s.head = s.z + max_in_;
  s.g = s.head + max_head_scratch_;
  s.dz = s.g + max_units_;
  s.dz_next = s.dz + max_in_;
  s.input = s.dz_next + max_in_;
  s.tape = s.input + max_units_;
  return s;
}

template <typename T>
void WiredCfcCell<T>::forward(const T* x, const T* h, T dt, T* h_next, T* y, T* tape, T* scratch,
                              std::uint64_t /*step_key*/) const {
  const Scratch s = split(scratch);
  T* tp = tape ? tape : s.tape;
  const T* input = x;
  int in = config_.inputs;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const int n = layers_[l].units();
    const int at = state_offsets_[l];
    std::copy(input, input + in, s.z);
    std::copy(h + at, h + at + n, s.z + in);
    layers_[l].forward(s.z, dt, h_next + at, tp + tape_offsets_[l], s.head);
    input = h_next + at;
    in = n;
  }
  std::copy(input, input + in, y);
}

template <typename T>
void WiredCfcCell<T>::backward(const T* x, const T* h, T dt, const T* tape, const T* dh_next, const T* dy, T* dx,
                               T* dh, T* ddt, T* grad, T* scratch, std::uint64_t /*step_key*/) const {
  const Scratch s = split(scratch);
  T* dz = s.dz;            // this layer's dL/dz
  T* dz_next = s.dz_next;  // the layer above's dL/dz: its first n_l entries are dL/d(output of this layer)
  T total_ddt = T(0);
  for (std::size_t l = layers_.size(); l-- > 0;) {
    const detail::CfcHead<T>& layer = layers_[l];
    const int n = layer.units();
    const int in = layer.in() - n;
    const int at = state_offsets_[l];
    const T* input = x;
    if (l > 0) {
      layers_[l - 1].output_from_tape(tape + tape_offsets_[l - 1], s.input);
      input = s.input;
    }
    std::copy(input, input + in, s.z);
    std::copy(h + at, h + at + n, s.z + in);
    const T* d_out = l + 1 == layers_.size() ? dy : dz_next;
    for (int j = 0; j < n; ++j) s.g[j] = dh_next[at + j] + d_out[j];
    total_ddt += layer.backward(s.z, dt, tape + tape_offsets_[l], s.g, dz, grad, s.head);
    std::copy(dz + in, dz + in + n, dh + at);
    std::swap(dz, dz_next);
  }
  for (int k = 0; k < config_.inputs; ++k) dx[k] += dz_next[k];
  *ddt = total_ddt;
}

// Per layer: gather [input; own state] into z, then the head (core/work.h; docs/monitoring.md). Backward walks
// the layers in reverse, rebuilding each lower layer's output from its tape.
template <typename T>
CellWork WiredCfcCell<T>::work_per_step() const {
  const std::uint64_t E = sizeof(T);
  CellWork work;
  work.kind = "wired_cfc";
  std::uint64_t in = config_.inputs;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const std::uint64_t n = layers_[l].units();
    work.forward.bytes_read += (in + n) * E;  // the layer input and its own state
    work.forward += layers_[l].forward_work();
    WorkCounts& b = work.backward;
    if (l > 0) b += layers_[l - 1].output_from_tape_work();
    b.flops += n;                          // g = dh' + d(output)
    b.bytes_read += (in + n + 2 * n) * E;  // z; dh', d(output)
    b.bytes_written += (n + n) * E;        // g; dh
    b += layers_[l].backward_work();
    in = n;
  }
  work.forward.bytes_written += in * E;  // y
  work.backward.flops += config_.inputs;  // dx += dz
  work.backward.bytes_read += 2 * static_cast<std::uint64_t>(config_.inputs) * E;
  work.backward.bytes_written += static_cast<std::uint64_t>(config_.inputs) * E;
  return work;
}

template class WiredCfcCell<float>;
template class WiredCfcCell<double>;

}  // namespace ncp::core
