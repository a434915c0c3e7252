// Copyright 2026 ncp-silicon authors.
// The fully connected CfC cell (declared in core/cfc.h): backbone, head, dropout, tape and work accounting. The
// dense kernels are in cfc_dense.h / cfc_dense.cpp, the head in cfc_head.cpp.
#include "core/cfc.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "core/cfc_dense.h"
#include "core/math.h"

namespace ncp::core {

using namespace cfc_kernels;

// ---------------------------------------------------------------------------------------------------------
// CfcCell

namespace {

const CfcConfig& checked(const CfcConfig& c) {
  auto fail = [](const std::string& what, const std::string& field, const std::string& got) {
    throw InvalidArgument(InvalidArgument::Kind::Range,
                          "CfC: expected " + what + " for config." + field + ", received " + got + ".");
  };
  if (c.inputs < 1) fail("a positive integer", "inputs", "number " + std::to_string(c.inputs));
  if (c.units < 1) fail("a positive integer", "units", "number " + std::to_string(c.units));
  if (c.backbone_layers < 0) {
    fail("a non-negative integer", "backboneLayers", "number " + std::to_string(c.backbone_layers));
  }
  if (c.backbone_layers > 0 && c.backbone_units < 1) {
    fail("a positive integer", "backboneUnits", "number " + std::to_string(c.backbone_units));
  }
  if (!(c.backbone_dropout >= 0.0 && c.backbone_dropout < 1.0)) {
    fail("a number in [0, 1)", "backboneDropout", "number " + std::to_string(c.backbone_dropout));
  }
  return c;
}

}  // namespace

template <typename T>
CfcCell<T>::CfcCell(const CfcConfig& config, const ParamSource<T>& params)
    : config_(checked(config)),
      head_(config.mode, config.backbone_layers > 0 ? config.backbone_units : config.inputs + config.units,
            config.units, params, "cell", nullptr) {
  const int S = config_.inputs, N = config_.units, U = config_.backbone_units, layers = config_.backbone_layers;
  for (int l = 0; l < layers; ++l) {
    detail::PackedLinear<T> linear(l == 0 ? S + N : U);
    linear.append(params, "cell.backbone." + std::to_string(l), U, nullptr);
    linear.finish();
    backbone_.push_back(std::move(linear));
  }
  backbone_tape_ = static_cast<std::size_t>(layers) * (layers > 0 ? U : 0);
  stride_ = layers > 0 ? static_cast<std::size_t>(backbone_[0].out_pad) : 0;
  width_ = static_cast<std::size_t>(head_.in_pad());
  for (const auto& linear : backbone_) width_ = std::max<std::size_t>(width_, linear.in_pad);
  // z | pre-activation | backbone outputs | act' | g | df ×2 | head scratch | tape (when forward gets none)
  scratch_size_ = static_cast<std::size_t>(S + N) + stride_ + 2 * layers * stride_ + N + 2 * width_ +
                  head_.scratch_size() + tape_size();
}

template <typename T>
void CfcCell<T>::activate_layer(std::size_t l, const T* pre, T* out, T* d_act, std::uint64_t step_key) const {
  const int U = config_.backbone_units;
  const double p = config_.backbone_dropout;
  activate(config_.activation, U, pre, out, d_act);
  if (l == 0 || p == 0.0 || step_key == 0) return;
  const T scale = T(1) / (T(1) - T(p));
  for (int j = 0; j < U; ++j) {
    const T s = dropout_keeps(step_key, static_cast<std::uint32_t>(l), static_cast<std::uint32_t>(j), p) ? scale : T(0);
    out[j] *= s;
    if (d_act) d_act[j] *= s;
  }
}

template <typename T>
typename CfcCell<T>::Scratch CfcCell<T>::split(T* scratch) const {
  const std::size_t S = config_.inputs, N = config_.units, layers = backbone_.size();
  Scratch s;
  s.z = scratch;
  s.pre = s.z + S + N;
  s.outs = s.pre + stride_;
  s.d_act = s.outs + layers * stride_;
  s.g = s.d_act + layers * stride_;
  s.df = s.g + N;
  s.df_next = s.df + width_;
  s.head = s.df_next + width_;
  s.tape = s.head + head_.scratch_size();
  return s;
}

template <typename T>
void CfcCell<T>::forward(const T* x, const T* h, T dt, T* h_next, T* y, T* tape, T* scratch,
                         std::uint64_t step_key) const {
  const int S = config_.inputs, N = config_.units;
  const std::size_t U = config_.backbone_units;
  const Scratch s = split(scratch);
  T* tp = tape ? tape : s.tape;
  std::copy(x, x + S, s.z);
  std::copy(h, h + N, s.z + S);
  const T* f = s.z;
  for (std::size_t l = 0; l < backbone_.size(); ++l) {
    backbone_[l].forward(f, s.pre);  // out_pad values; the tape keeps the U real ones
    std::copy(s.pre, s.pre + U, tp + l * U);
    activate_layer(l, s.pre, s.outs + l * stride_, nullptr, step_key);
    f = s.outs + l * stride_;
  }
  head_.forward(f, dt, h_next, tp + backbone_tape_, s.head);
  std::copy(h_next, h_next + N, y);
}

template <typename T>
void CfcCell<T>::backward(const T* x, const T* h, T dt, const T* tape, const T* dh_next, const T* dy, T* dx, T* dh,
                          T* ddt, T* grad, T* scratch, std::uint64_t step_key) const {
  const int S = config_.inputs, N = config_.units;
  const std::size_t U = config_.backbone_units;
  const Scratch s = split(scratch);
  std::copy(x, x + S, s.z);
  std::copy(h, h + N, s.z + S);
  for (std::size_t l = 0; l < backbone_.size(); ++l) {
    activate_layer(l, tape + l * U, s.outs + l * stride_, s.d_act + l * stride_, step_key);
  }
  for (int j = 0; j < N; ++j) s.g[j] = dh_next[j] + dy[j];  // y = h'
  const T* f = backbone_.empty() ? s.z : s.outs + (backbone_.size() - 1) * stride_;
  T* df = s.df;
  T* df_next = s.df_next;
  *ddt = head_.backward(f, dt, tape + backbone_tape_, s.g, df, grad, s.head);
  for (std::size_t l = backbone_.size(); l-- > 0;) {
    const T* act_grad = s.d_act + l * stride_;
    for (std::size_t j = 0; j < U; ++j) df[j] *= act_grad[j];
    const T* in = l == 0 ? s.z : s.outs + (l - 1) * stride_;
    backbone_[l].backward(in, df, df_next, grad);
    std::swap(df, df_next);
  }
  for (int k = 0; k < S; ++k) dx[k] += df[k];
  std::copy(df + S, df + S + N, dh);
}

// ---------------------------------------------------------------------------------------------------------
// Work accounting (core/work.h). Each figure follows the loops above; docs/monitoring.md lists the formulas.


namespace {

// Activation cost per unit, forward only and with its derivative (backward recomputes both from the tape).
std::uint64_t activation_flops(CfcActivation kind, bool with_grad) {
  switch (kind) {
    case CfcActivation::LecunTanh: return kTanhFlops + 2 + (with_grad ? 3 : 0);
    case CfcActivation::Tanh: return kTanhFlops + (with_grad ? 2 : 0);
    case CfcActivation::Relu: return 0;  // compare and select only
    case CfcActivation::Gelu: return kErfFlops + 4 + (with_grad ? kExpFlops + 5 : 0);
    case CfcActivation::Silu: return kSigmoidFlops + 1 + (with_grad ? 4 : 0);
  }
  return 0;
}

}  // namespace

template <typename T>
CellWork CfcCell<T>::work_per_step() const {
  const std::uint64_t E = sizeof(T), S = config_.inputs, N = config_.units, U = config_.backbone_units;
  const bool dropout = config_.backbone_dropout > 0.0;
  CellWork work;
  work.kind = "cfc";
  WorkCounts& f = work.forward;
  f.bytes_read = (S + N) * E;  // x, h
  f.bytes_written = N * E;     // y (h' is the head's output)
  for (std::size_t l = 0; l < backbone_.size(); ++l) {
    f += backbone_[l].forward_work();
    f.flops += U * activation_flops(config_.activation, false);
    f.bytes_read += U * E;       // pre-activation
    f.bytes_written += 2 * U * E;  // tape copy, activation
    if (l > 0 && dropout) {  // calls with a dropout seed only: the scale on the outputs
      work.dropout.flops += U;
      work.dropout.bytes_read += U * E;
      work.dropout.bytes_written += U * E;
    }
  }
  f += head_.forward_work();
  WorkCounts& b = work.backward;
  b.flops = N + S;                         // g = dh' + dy; dx += df
  b.bytes_read = (2 * N + 2 * S + S + N) * E;  // dh', dy, dx, df; x, h into z
  b.bytes_written = (N + S + N) * E;       // g, dx, dh
  b += head_.backward_work();
  for (std::size_t l = 0; l < backbone_.size(); ++l) {
    b.flops += U * activation_flops(config_.activation, true) + U;  // recompute act and act'; df ·= act'
    if (l > 0 && dropout) work.dropout_backward.flops += 2 * U;  // the scale on the recomputed act and act'
    b.bytes_read += (U + 2 * U) * E;     // pre-activation; df, act'
    b.bytes_written += (2 * U + U) * E;  // activation, act'; df
    b += backbone_[l].backward_work();
  }
  return work;
}

template class CfcCell<float>;
template class CfcCell<double>;

}  // namespace ncp::core
