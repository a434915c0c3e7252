// Copyright 2026 ncp-silicon authors.
// The built-in training losses (mse, mae, bce on logits, crossEntropy with probability or index targets) and
// their gradient dLoss/dOutput, for the fused forwardBackwardLoss call: the sequence runner (core/sequence.h)
// hands each sample's output rows to an OutputLoss between its forward and its backward, so a training batch
// costs one forward and one backward. src/train/losses.ts is the reference these follow term for term: the
// output is `rows` positions of P values, a 0 in `mask` drops a position, every loss is a mean (over valid
// elements for mse/mae/bce, over valid positions for crossEntropy), and every sum runs in double.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace ncp::core {

enum class LossKind { Mse, Mae, Bce, CrossEntropy };

// The loss of one call. target: the output's layout (rows·P), or rows class indices when target_is_index;
// mask: one 0/1 per row or nullptr. count: how many terms the mean is over (loss_count below), fixed before
// the run because every gradient is divided by it. The caller validated target indices and mask values.
template <typename T>
struct OutputLoss {
  LossKind kind = LossKind::Mse;
  const T* target = nullptr;
  const T* mask = nullptr;
  bool target_is_index = false;
  int outputs = 0;  // P
  double count = 0;

  // One position: adds its loss term (double) and writes its P gradient values at d_output. A masked position
  // (or an empty mean) gets a zero gradient and adds nothing.
  double row(const T* output, std::size_t r, T* d_output) const {
    const std::size_t P = static_cast<std::size_t>(outputs);
    if (count == 0 || (mask && mask[r] == T(0))) {
      std::fill(d_output, d_output + P, T(0));
      return 0.0;
    }
    if (kind == LossKind::CrossEntropy) return cross_entropy_row(output, r, d_output);
    const T* t = target + r * P;
    double sum = 0.0;
    for (std::size_t k = 0; k < P; ++k) {
      const double x = output[k], y = t[k];
      const double d = x - y;
      double g;
      if (kind == LossKind::Mse) {
        sum += d * d;
        g = (2 * d) / count;
      } else if (kind == LossKind::Mae) {
        sum += std::fabs(d);
        g = static_cast<double>((d > 0) - (d < 0)) / count;
        if (std::isnan(d)) g = d;
      } else {
        // On logits: max(x, 0) − x·t + log(1 + e^{−|x|}) never overflows; its derivative is σ(x) − t.
        sum += std::max(x, 0.0) - x * y + std::log1p(std::exp(-std::fabs(x)));
        g = (sigmoid(x) - y) / count;
      }
      d_output[k] = static_cast<T>(g);
    }
    return sum;
  }

 private:
  static double sigmoid(double x) {
    // Two branches so that neither e^{−x} nor e^{x} can overflow.
    if (x >= 0) return 1 / (1 + std::exp(-x));
    const double e = std::exp(x);
    return e / (1 + e);
  }

  // −Σ t_k log softmax(x)_k, writing (softmax·Σt − t)/count.
  double cross_entropy_row(const T* x, std::size_t r, T* d_output) const {
    const std::size_t P = static_cast<std::size_t>(outputs);
    double max = -std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < P; ++k) max = std::max(max, static_cast<double>(x[k]));
    double z = 0;
    for (std::size_t k = 0; k < P; ++k) z += std::exp(static_cast<double>(x[k]) - max);
    const double log_z = max + std::log(z);
    if (target_is_index) {
      const std::size_t c = static_cast<std::size_t>(target[r]);
      for (std::size_t k = 0; k < P; ++k) {
        d_output[k] = static_cast<T>((std::exp(static_cast<double>(x[k]) - log_z) - (k == c ? 1 : 0)) / count);
      }
      return log_z - static_cast<double>(x[c]);
    }
    const T* t = target + r * P;
    double mass = 0, dot = 0;
    for (std::size_t k = 0; k < P; ++k) {
      mass += static_cast<double>(t[k]);
      dot += static_cast<double>(t[k]) * static_cast<double>(x[k]);
    }
    for (std::size_t k = 0; k < P; ++k) {
      d_output[k] = static_cast<T>((std::exp(static_cast<double>(x[k]) - log_z) * mass - t[k]) / count);
    }
    return log_z * mass - dot;
  }
};

// The number of terms a loss over `rows` positions of P values averages: valid positions × P, or valid
// positions for crossEntropy.
template <typename T>
double loss_count(LossKind kind, const T* mask, std::size_t rows, int outputs) {
  std::size_t valid = rows;
  if (mask) valid = static_cast<std::size_t>(std::count_if(mask, mask + rows, [](T m) { return m != T(0); }));
  return kind == LossKind::CrossEntropy ? static_cast<double>(valid) : static_cast<double>(valid) * outputs;
}

}  // namespace ncp::core
