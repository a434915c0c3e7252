// Copyright 2026 ncp-silicon authors.
// What one LTC step costs for one sample (core/work.h conventions), from the cell's structure: only the synapses
// that exist (mask ≠ 0; SPEC.md §2 says masked ones add exactly zero and the kernel skips them), times the
// unfolds, times the operations per synapse. Padding slots of the packed layout are not counted: they are an
// implementation detail whose share the report's achieved/peak ratio absorbs. docs/monitoring.md has the table.
#pragma once

#include <cstdint>

#include "core/ltc.h"
#include "core/work.h"

namespace ncp::core {

// Per synapse and evaluation, forward: t = slope·v + intercept (2), 2^t, 1 + 2^t (1), f(w) / (…) (1),
// num += a·erev (2), den += a (1).
constexpr std::uint64_t kLtcSynapseFlops = 2 + kExp2Flops + 1 + 1 + 2 + 1;
// Backward, per synapse and evaluation: recompute σ (2 + 2^t + 2) and a (1); dA = dNum·erev + dDen (2);
// the gradients of erev (2), w (3), sigma (3, with v − mu) and mu (2); dZ = dA·a·(1 − σ) (3); dv_source (2).
constexpr std::uint64_t kLtcSynapseBackwardFlops = 4 + kExp2Flops + 1 + 2 + 2 + 3 + 3 + 2 + 3 + 2;
// Per neuron and unfold: numerator cmt·v + f(gleak)·vleak + num + numS (4), denominator
// cmt + f(gleak) + den + denS + ε (4), the division (1).
constexpr std::uint64_t kLtcNeuronFlops = 9;
// Backward per neuron and unfold: dNum (1), dDen (2), dv (2), dcmt (3), df(gleak) (3), dvleak (2), dnumS (1), ddenS (1).
constexpr std::uint64_t kLtcNeuronBackwardFlops = 15;

// Parameters a mapping has per feature (affine: w and b), and what its backward reads per feature (the weight
// and the read-modify-write of each gradient).
inline std::uint64_t ltc_mapping_params(Mapping m) { return m == Mapping::Affine ? 2 : m == Mapping::Linear ? 1 : 0; }
inline std::uint64_t ltc_mapping_backward_reads(Mapping m) { return m == Mapping::Affine ? 3 : m == Mapping::Linear ? 2 : 0; }

// synapses / sensory_synapses: the counts the cell evaluates (LtcCell::synapse_count(), sensory_synapse_count()).
inline CellWork ltc_work_per_step(const LtcConfig& c, std::uint64_t synapses, std::uint64_t sensory_synapses,
                                  std::uint64_t scalar_bytes) {
  const std::uint64_t E = scalar_bytes, S = c.inputs, N = c.units, M = c.motors, U = c.unfolds;
  const std::uint64_t in_map = ltc_mapping_params(c.input_mapping), out_map = ltc_mapping_params(c.output_mapping);
  const std::uint64_t synapse_read = 5 * E + 4;  // f(w)·mask, slope, intercept, erev, source index, v[source]
  CellWork work;
  work.kind = "ltc";

  WorkCounts& f = work.forward;
  f.flops = in_map * S                              // x·input_w + input_b
            + sensory_synapses * kLtcSynapseFlops   // numS, denS
            + N + 1                                 // cmt = f(cm) / (Δ / U)
            + U * (synapses * kLtcSynapseFlops + N * kLtcNeuronFlops)
            + out_map * M;                          // v[0:M]·output_w + output_b
  f.bytes_read = (S + in_map * S) * E + sensory_synapses * synapse_read  // x, mapping, sensory synapses
                 + 2 * N * E                                              // h, f(cm)
                 + U * (synapses * synapse_read + 6 * N * E)  // synapses; v, cmt, f(gleak), f(gleak)·vleak, numS, denS
                 + (M + out_map * M) * E;                     // v[0:M], mapping
  f.bytes_written = U * N * E + (N + M) * E;  // v per unfold; h', y

  work.tape.bytes_written = 2 * U * N * E;  // v_1 … v_U and the denominators

  WorkCounts& b = work.backward;
  const std::uint64_t synapse_backward_read = 15 * E + 4;  // 7 packed arrays, index, v, dNum, dDen, 4 grads, dv
  const std::uint64_t synapse_backward_written = 5 * E;    // 4 grads, dv_source
  const std::uint64_t out_flops = c.output_mapping == Mapping::Affine ? 5 : c.output_mapping == Mapping::Linear ? 4 : 1;
  const std::uint64_t in_flops = c.input_mapping == Mapping::Affine ? 5 : c.input_mapping == Mapping::Linear ? 4 : 1;
  b.flops = out_flops * M                                                   // output mapping
            + U * (N * kLtcNeuronBackwardFlops + synapses * kLtcSynapseBackwardFlops)
            + 9 * N                                                         // cm, gleak gradients and dΔ
            + sensory_synapses * kLtcSynapseBackwardFlops
            + in_flops * S;                                                 // input mapping
  b.bytes_read = (N + 2 * M + ltc_mapping_backward_reads(c.output_mapping) * M) * E  // dh', dy, v_U[0:M]; w, grads
                 + U * (12 * N * E + synapses * synapse_backward_read)
                 + 7 * N * E
                 + sensory_synapses * synapse_backward_read
                 + (3 * S + ltc_mapping_backward_reads(c.input_mapping) * S) * E;  // dXm, x, dx; w, grads
  b.bytes_written = (N + out_map * M) * E                                   // dv; output grads
                    + U * (8 * N * E + synapses * synapse_backward_written)
                    + 2 * N * E
                    + sensory_synapses * synapse_backward_written
                    + (S + in_map * S) * E;                                 // dx; input grads
  return work;
}

}  // namespace ncp::core
