// Copyright 2026 ncp-silicon authors.
// PackedLinear (core/cfc.h): the packed, padded dense layer of the CfC backbone and heads.
#include <string>

#include "core/cfc.h"
#include "core/cfc_dense.h"

namespace ncp::core::detail {

using namespace cfc_kernels;

// ---------------------------------------------------------------------------------------------------------
// PackedLinear

template <typename T>
void PackedLinear<T>::append(const ParamSource<T>& source, const std::string& prefix, int rows, const T* row_mask) {
  if (block_rows == 0) block_rows = rows;
  const T* params = source.data;
  const std::size_t w_off = source.offset(prefix + ".weight", static_cast<std::size_t>(rows) * in);
  const std::size_t b_off = source.offset(prefix + ".bias", static_cast<std::size_t>(rows));
  weight_offsets.push_back(w_off);
  bias_offsets.push_back(b_off);
  block_masked.push_back(row_mask != nullptr);
  if (row_mask && mask.empty()) mask.assign(row_mask, row_mask + static_cast<std::size_t>(rows) * in);
  const std::size_t cells = static_cast<std::size_t>(rows) * in;
  for (std::size_t k = 0; k < cells; ++k) w.push_back(row_mask ? params[w_off + k] * row_mask[k] : params[w_off + k]);
  bias.insert(bias.end(), params + b_off, params + b_off + rows);
  out += rows;
}

template <typename T>
void PackedLinear<T>::finish() {
  in_pad = round_up_to_vector<T>(in);
  out_pad = round_up_to_vector<T>(out);
  const Buffer<T> dense = std::move(w);  // out × in
  w.assign(static_cast<std::size_t>(out) * in_pad, T(0));
  wt.assign(static_cast<std::size_t>(in) * out_pad, T(0));
  for (int j = 0; j < out; ++j) {
    for (int k = 0; k < in; ++k) {
      const T v = dense[static_cast<std::size_t>(j) * in + k];
      w[static_cast<std::size_t>(j) * in_pad + k] = v;
      wt[static_cast<std::size_t>(k) * out_pad + j] = v;
    }
  }
  bias.resize(out_pad, T(0));
}

template <typename T>
void PackedLinear<T>::forward(const T* x, T* y) const {
  std::copy(bias.begin(), bias.end(), y);
  accumulate_rows(in, out_pad, wt.data(), static_cast<std::size_t>(out_pad), x, y);
}

template <typename T>
void PackedLinear<T>::backward(const T* x, const T* dy, T* dx, T* grad) const {
  std::fill(dx, dx + in_pad, T(0));
  accumulate_rows(out, in_pad, w.data(), static_cast<std::size_t>(in_pad), dy, dx);
  for (std::size_t b = 0; b < weight_offsets.size(); ++b) {
    const T* dyb = dy + b * block_rows;
    T* gb = grad + bias_offsets[b];
    for (int j = 0; j < block_rows; ++j) gb[j] += dyb[j];
    accumulate_outer(block_rows, in, dyb, x, block_masked[b] ? mask.data() : nullptr, grad + weight_offsets[b]);
  }
}

// Work accounting (core/work.h); docs/monitoring.md lists the formulas.

template <typename T>
WorkCounts PackedLinear<T>::forward_work() const {
  return dense_forward_work(static_cast<std::uint64_t>(in), static_cast<std::uint64_t>(out_pad), sizeof(T));
}

template <typename T>
WorkCounts PackedLinear<T>::backward_work() const {
  const std::uint64_t E = sizeof(T), I = in, Ip = in_pad, O = out, R = block_rows;
  std::uint64_t masked = 0;
  for (char m : block_masked) masked += m != 0;
  WorkCounts w;
  // dx = Wᵀ·dy over the padded inputs; bias gradients; weight gradients (x·mask first where masked).
  w.flops = 2 * O * Ip + O + 2 * O * I + masked * R * I;
  w.bytes_read = (O * Ip + O + I + O + O * I + masked * R * I) * E;  // W, dy, x, bias and weight grads, masks
  w.bytes_written = (Ip + O + O * I) * E;                            // dx, bias and weight grads
  return w;
}

template struct PackedLinear<float>;
template struct PackedLinear<double>;

}  // namespace ncp::core::detail
