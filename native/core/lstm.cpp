// Copyright 2026 ncp-silicon authors.
#include "core/lstm.h"

#include "core/math.h"

namespace ncp::core {

template <typename T>
Lstm<T>::Lstm(int inputs, int hidden, const ParamSource<T>& params) : inputs_(inputs), hidden_(hidden) {
  const std::size_t rows = 4 * static_cast<std::size_t>(hidden);
  const auto copy = [&params](const char* name, std::size_t length, Buffer<T>& to) {
    const std::size_t at = params.offset(name, length);
    to.assign(params.data + at, params.data + at + length);
    return at;
  };
  w_in_offset_ = copy("lstm.input_map.weight", rows * static_cast<std::size_t>(inputs), w_in_);
  b_in_offset_ = copy("lstm.input_map.bias", rows, b_in_);
  w_rec_offset_ = copy("lstm.recurrent_map.weight", rows * static_cast<std::size_t>(hidden), w_rec_);
}

template <typename T>
void Lstm<T>::forward(const T* x, const T* h, const T* c, T* h_next, T* c_next, T* tape) const {
  const int H = hidden_, S = inputs_;
  T z[4];
  for (int j = 0; j < H; ++j) {
    for (int g = 0; g < 4; ++g) {
      const int row = g * H + j;
      const T* wi = w_in_.data() + static_cast<std::size_t>(row) * S;
      const T* wr = w_rec_.data() + static_cast<std::size_t>(row) * H;
      T acc = b_in_[row];
      for (int k = 0; k < S; ++k) acc += wi[k] * x[k];
      for (int k = 0; k < H; ++k) acc += wr[k] * h[k];
      z[g] = acc;
    }
    const T input_act = fast_tanh(z[0]);
    const T input_gate = sigmoid(z[1]);
    const T forget_gate = sigmoid(z[2] + T(1));  // ncps adds 1 to the forget gate (ncps/torch/lstm.py)
    const T output_gate = sigmoid(z[3]);
    const T c_new = c[j] * forget_gate + input_act * input_gate;
    const T tanh_c = fast_tanh(c_new);
    c_next[j] = c_new;
    h_next[j] = tanh_c * output_gate;
    if (tape) {
      tape[j] = input_act;
      tape[H + j] = input_gate;
      tape[2 * H + j] = forget_gate;
      tape[3 * H + j] = output_gate;
      tape[4 * H + j] = tanh_c;
    }
  }
}

template <typename T>
void Lstm<T>::backward(const T* x, const T* h, const T* c, const T* tape, const T* dh_next, const T* dc_next,
                       T* dx, T* dh, T* dc, T* grad, T* dz) const {
  const int H = hidden_, S = inputs_;
  for (int j = 0; j < H; ++j) {
    const T input_act = tape[j], input_gate = tape[H + j], forget_gate = tape[2 * H + j];
    const T output_gate = tape[3 * H + j], tanh_c = tape[4 * H + j];
    const T d_c_new = dc_next[j] + dh_next[j] * output_gate * (T(1) - tanh_c * tanh_c);
    dz[3 * H + j] = dh_next[j] * tanh_c * output_gate * (T(1) - output_gate);
    dz[2 * H + j] = d_c_new * c[j] * forget_gate * (T(1) - forget_gate);
    dz[H + j] = d_c_new * input_act * input_gate * (T(1) - input_gate);
    dz[j] = d_c_new * input_gate * (T(1) - input_act * input_act);
    dc[j] = d_c_new * forget_gate;
  }
  T* g_w_in = grad + w_in_offset_;
  T* g_b_in = grad + b_in_offset_;
  T* g_w_rec = grad + w_rec_offset_;
  for (int k = 0; k < H; ++k) dh[k] = T(0);
  for (int row = 0; row < 4 * H; ++row) {
    const T d = dz[row];
    const T* wi = w_in_.data() + static_cast<std::size_t>(row) * S;
    const T* wr = w_rec_.data() + static_cast<std::size_t>(row) * H;
    T* gwi = g_w_in + static_cast<std::size_t>(row) * S;
    T* gwr = g_w_rec + static_cast<std::size_t>(row) * H;
    g_b_in[row] += d;
    for (int k = 0; k < S; ++k) {
      gwi[k] += d * x[k];
      dx[k] += d * wi[k];
    }
    for (int k = 0; k < H; ++k) {
      gwr[k] += d * h[k];
      dh[k] += d * wr[k];
    }
  }
}

template <typename T>
Projection<T>::Projection(int inputs, int outputs, const ParamSource<T>& params)
    : inputs_(inputs), outputs_(outputs) {
  const std::size_t weights = static_cast<std::size_t>(inputs) * static_cast<std::size_t>(outputs);
  w_offset_ = params.offset("fc.weight", weights);
  b_offset_ = params.offset("fc.bias", static_cast<std::size_t>(outputs));
  w_.assign(params.data + w_offset_, params.data + w_offset_ + weights);
  b_.assign(params.data + b_offset_, params.data + b_offset_ + outputs);
}

template <typename T>
void Projection<T>::forward(const T* y, T* out) const {
  for (int p = 0; p < outputs_; ++p) {
    const T* w = w_.data() + static_cast<std::size_t>(p) * inputs_;
    T acc = b_[p];
    for (int k = 0; k < inputs_; ++k) acc += w[k] * y[k];
    out[p] = acc;
  }
}

template <typename T>
void Projection<T>::backward(const T* y, const T* d_out, T* dy, T* grad) const {
  for (int k = 0; k < inputs_; ++k) dy[k] = T(0);
  T* g_w = grad + w_offset_;
  T* g_b = grad + b_offset_;
  for (int p = 0; p < outputs_; ++p) {
    const T d = d_out[p];
    const T* w = w_.data() + static_cast<std::size_t>(p) * inputs_;
    T* gw = g_w + static_cast<std::size_t>(p) * inputs_;
    g_b[p] += d;
    for (int k = 0; k < inputs_; ++k) {
      gw[k] += d * y[k];
      dy[k] += d * w[k];
    }
  }
}

// 4H rows of W_in·x + W_rec·h (one FMA per weight), then per unit two tanh, three σ, the +1 on the forget gate,
// c' = c·f + i·g (3) and h' = tanh(c')·o (1). Backward: per unit 22 operations for the gate derivatives, per row
// the bias gradient (1) and, per input and recurrent column, a weight-gradient FMA and a dx/dh FMA (4).
template <typename T>
WorkCounts Lstm<T>::work_per_step(bool backward) const {
  const std::uint64_t S = inputs_, H = hidden_, E = sizeof(T), weights = 4 * H * (S + H);
  WorkCounts w;
  w.flops = 2 * weights + H * (2 * kTanhFlops + 3 * kSigmoidFlops + 5);
  w.bytes_read = (weights + 4 * H + S + 2 * H) * E;  // W_in, W_rec, b_in, x, h, c
  w.bytes_written = 7 * H * E;                      // h', c', the 5H tape
  if (backward) {
    w.flops += 22 * H + 4 * H + 4 * weights;
    w.bytes_read += (8 * H + 2 * S + 2 * weights + 4 * H + H) * E;  // tape, c, dh', dc', h, x, dx, W, grads
    w.bytes_written += (2 * H + 4 * H + weights + S) * E;             // dc, dh, grads, dx
  }
  return w;
}

// out = W·y + b: one FMA per weight. Backward: per output the bias gradient, per weight a gradient FMA and a
// dy FMA.
template <typename T>
WorkCounts Projection<T>::work_per_step(bool backward) const {
  const std::uint64_t O = inputs_, P = outputs_, E = sizeof(T);
  WorkCounts w;
  w.flops = 2 * P * O;
  w.bytes_read = (P * O + P + O) * E;
  w.bytes_written = P * E;
  if (backward) {
    w.flops += P * (1 + 4 * O);
    w.bytes_read += (P + P * O + O + P + P * O) * E;  // d_out, W, y, grads
    w.bytes_written += (P + P * O + O) * E;           // grads, dy
  }
  return w;
}

template class Lstm<float>;
template class Lstm<double>;
template class Projection<float>;
template class Projection<double>;

}  // namespace ncp::core
