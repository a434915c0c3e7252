// Copyright 2026 ncp-silicon authors.
// Work accounting: how many floating-point operations a kernel call performs and how many bytes it moves,
// derived from the kernel's own structure (synapses × unfolds × operations per synapse, GEMV rows × columns as
// executed, parameter and state bytes read and written), never measured by sampling counters.
//
// Conventions (docs/monitoring.md explains them for users):
//   * A FLOP is one floating-point add, subtract, multiply or divide; a fused multiply-add counts 2.
//   * A special function counts the arithmetic of our implementation (core/math.h): e^x and 2^x are a range
//     reduction plus a degree-6/7 polynomial by Horner's rule, kExpFlops; σ and tanh add their few operations.
//     Compares, selects, absolute values and integer/bit operations count 0.
//   * Bytes are the operands the step's equations read and write: parameters (as the kernel stores them, e.g.
//     the packed per-synapse arrays), states, inputs and outputs, counted each time the kernel uses them (the
//     recurrent synapses once per unfold). Scratch vectors that live between two loops of one equation are not
//     counted, nor are state copies between steps. So GB/s can exceed DRAM bandwidth when the working set sits
//     in cache; "unique bytes" (parameters once + inputs + outputs) is the compulsory traffic of a call.
#pragma once

#include <cstdint>

namespace ncp::core {

struct WorkCounts {
  std::uint64_t flops = 0;
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_written = 0;

  WorkCounts& operator+=(const WorkCounts& o) {
    flops += o.flops;
    bytes_read += o.bytes_read;
    bytes_written += o.bytes_written;
    return *this;
  }
  friend WorkCounts operator+(WorkCounts a, const WorkCounts& b) { return a += b; }
  friend WorkCounts operator*(WorkCounts a, std::uint64_t n) {
    a.flops *= n;
    a.bytes_read *= n;
    a.bytes_written *= n;
    return a;
  }
};

// What one step of a cell costs for one sample: the forward step as inference runs it, what forward adds when it
// also writes the tape for backward (training), and the backward step on its own.
struct CellWork {
  const char* kind = "cell";  // "ltc", "cfc", "wired_cfc": the kernel family in profiles
  WorkCounts forward;
  WorkCounts tape;
  WorkCounts backward;
  WorkCounts dropout;           // added to a call's forward when it has a dropout seed (training masks)
  WorkCounts dropout_backward;  // and to its backward
};

// Special functions, as core/math.h computes them in float. e^x: x·log2e + shifter and − shifter (3), the two-part
// ln 2 reduction (4), a degree-7 polynomial by Horner (14) and the 2^n scale (1) = 22. 2^t (LTC synapses fold
// log2 e into their coefficients): + shifter, − shifter, t − n (3), a degree-6 polynomial (12), the scale (1) = 16.
// Double runs longer polynomials; we count the same figures for both types so counts do not depend on dtype.
constexpr std::uint64_t kExpFlops = 22;
constexpr std::uint64_t kExp2Flops = 16;
constexpr std::uint64_t kSigmoidFlops = kExpFlops + 2;  // 1 / (1 + e^−x): add, divide (a negation is a sign flip)
constexpr std::uint64_t kTanhFlops = kExpFlops + 4;     // 1 − 2 / (e^{2|x|} + 1): multiply, add, divide, subtract
constexpr std::uint64_t kErfFlops = 24;                 // std::erf (libm rational approximation, ~a dozen FMAs)

// y = W·x + b over `in` inputs and `rows` outputs as the kernel executes it: rows padded to whole SIMD
// vectors (`rows_executed`), every column of the packed (masked) matrix multiplied. T = scalar bytes.
inline WorkCounts dense_forward_work(std::uint64_t in, std::uint64_t rows_executed, std::uint64_t T) {
  WorkCounts w;
  w.flops = 2 * in * rows_executed;                              // one FMA per weight
  w.bytes_read = (in * rows_executed + rows_executed + in) * T;  // W, b, x
  w.bytes_written = rows_executed * T;                           // y
  return w;
}

}  // namespace ncp::core
