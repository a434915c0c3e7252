// Copyright 2026 ncp-silicon authors.
// The LTC cell (SPEC.md §2) for one sample, implementing the Cell contract of core/cell.h.
//
// ncps evaluates every (source, destination) pair densely and multiplies by the sparsity mask; masked
// synapses contribute exactly zero, so this cell keeps only the synapses whose mask entry is nonzero,
// packed once in the constructor into a "sliced ELL" layout (SELL-C-σ with C = kLanes):
//   * destinations are sorted by in-degree (descending) and grouped into blocks of kLanes;
//   * a block of depth d (its largest in-degree) holds d rows of kLanes slots, slot (row, lane) being the
//     row-th incoming synapse of the lane-th destination of the block, or padding (f(w) = 0) if it has fewer;
//   * every per-synapse value lives in its own array (structure of arrays) indexed by slot.
// Per evaluation, one flat loop computes every slot's activation (vectorised: the sigmoid, SoA loads and a
// gather of v[source]); a second loop sums them per destination a row at a time, one vector of kLanes
// destinations per row, in a fixed order (deterministic, no reassociation needed). For AutoNCP(64, 8) this
// evaluates ~8x fewer sigmoids than ncps. Backward walks the same blocks, and sums d/d v_source per source
// through a transposed copy of the block structure (a gather per row, never a scatter).
//
// Backward recomputes the sigmoids from the taped states instead of storing per-synapse values, so the
// tape is O(U·N) per step: the U states v_1 … v_U and the U denominators.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/cell.h"

namespace ncp::core {

// The optional affine maps of SPEC.md §2: Affine (w, b), Linear (w only) or None.
enum class Mapping { None, Linear, Affine };

struct LtcConfig {
  int inputs = 0;   // S
  int units = 0;    // N
  int motors = 0;   // M (1 ≤ M ≤ N): the output is v[0:M], mapped
  int unfolds = 6;  // U
  double epsilon = 1e-8;
  Mapping input_mapping = Mapping::Affine;
  Mapping output_mapping = Mapping::Affine;
  bool implicit_constraints = true;  // f = softplus on w, sensory_w, cm, gleak; identity when false
};

// The synapses of one projection (sensory: S sources, recurrent: N sources) onto N destinations, packed
// as described above. Built once from the parameters; read-only afterwards.
template <typename T>
struct SynapseBlocks {
  // Destinations per block: one AVX2 vector of float (two of double; two or four NEON vectors). 8 for both
  // types because GCC vectorises the lane loop of backward at full width for double only with 8 lanes.
  static constexpr int kLanes = 8;

  int blocks = 0;
  std::vector<std::int32_t> block_begin;  // blocks + 1 slot offsets; block depth = size / kLanes
  std::vector<std::int32_t> lane_of;      // destination neuron → its lane position (block·kLanes + lane)

  // Per slot (padding: source 0, f(w)·mask = 0, so it adds exactly zero).
  std::vector<std::int32_t> source;
  std::vector<T> weight;  // f(w) · mask
  std::vector<T> sigma, mu, erev;

  // The transpose, for backward's d/d v_source: sources sorted by out-degree and grouped into blocks of
  // kLanes; slot (row, lane) of source block b holds the packed slot of the row-th outgoing synapse of that
  // source, or slot_count() (an extra zero entry of the per-slot buffer) if it has fewer.
  int sources = 0;
  int source_blocks = 0;
  std::vector<std::int32_t> source_block_begin;  // source_blocks + 1 offsets
  std::vector<std::int32_t> outgoing;             // per transposed slot: a packed slot index
  std::vector<std::int32_t> source_of_lane;       // source lane position → source id (first `sources` lanes)

  // Per real synapse, sorted by position in the (sources × N) parameter matrices.
  std::vector<std::int32_t> slot;         // where it lives in the packed arrays
  std::vector<std::int32_t> matrix_index;  // source · N + destination
  std::vector<T> weight_grad_scale;       // mask · f'(w): d weight / d w

  std::size_t slot_count() const { return source.size(); }
  std::size_t lane_count() const { return static_cast<std::size_t>(blocks) * kLanes; }
  std::size_t source_lane_count() const { return static_cast<std::size_t>(source_blocks) * kLanes; }
  std::size_t synapse_count() const { return slot.size(); }
};

template <typename T>
class LtcCell {
 public:
  using Scalar = T;

  // Reads rnn_cell.{gleak, vleak, cm, sigma, mu, w, erev, sensory_sigma, sensory_mu, sensory_w, sensory_erev,
  // sparsity_mask, sensory_sparsity_mask} and, as the mappings ask, rnn_cell.{input_w, input_b, output_w,
  // output_b}. Throws InvalidArgument for a bad config or a layout without a needed entry.
  LtcCell(const LtcConfig& config, const T* params, const ParamOffsets& offsets);

  int input_size() const { return config_.inputs; }
  int state_size() const { return config_.units; }
  int output_size() const { return config_.motors; }
  std::size_t tape_size() const { return 2 * static_cast<std::size_t>(config_.unfolds) * config_.units; }
  std::size_t scratch_size() const { return scratch_.total; }

  // Synapses actually evaluated (mask ≠ 0), for diagnostics and FLOP counts.
  std::size_t synapse_count() const { return recurrent_.synapse_count(); }
  std::size_t sensory_synapse_count() const { return sensory_.synapse_count(); }

  void forward(const T* x, const T* h, T dt, T* h_next, T* y, T* tape, T* scratch, std::uint64_t step_key) const;
  void backward(const T* x, const T* h, T dt, const T* tape, const T* dh_next, const T* dy, T* dx, T* dh, T* ddt,
                T* grad, T* scratch, std::uint64_t step_key) const;

 private:
  // Offsets (in scalars) of the per-thread scratch regions; forward uses a prefix of them.
  struct ScratchLayout {
    std::size_t xm, num_s, den_s, num_lanes, den_lanes, v_a, v_b, denominator, cmt, a, a_erev;  // forward
    std::size_t dxm, dv, dv_prev, d_cmt, d_numerator, d_denominator, d_num_s, d_den_s;  // backward, per neuron
    std::size_t d_num_lanes, d_den_lanes, d_num_s_lanes, d_den_s_lanes;
    std::size_t source_lanes;
    std::size_t g_weight, g_sigma, g_mu, g_erev, d_source;       // per recurrent slot (contiguous, in this order)
    std::size_t gs_weight, gs_sigma, gs_mu, gs_erev, ds_source;  // per sensory slot (contiguous, in this order)
    std::size_t total;
  };

  void check_elapsed_time(T dt) const;
  void map_input(const T* x, T* xm) const;
  void sensory_sums(const T* xm, T* num_s, T* den_s, T* lane_num, T* lane_den, T* a, T* a_erev) const;

  LtcConfig config_;
  T epsilon_;
  SynapseBlocks<T> sensory_;
  SynapseBlocks<T> recurrent_;
  // Per neuron: f(gleak), f(gleak)·vleak, vleak, f(cm), and f' of gleak and cm for the gradients.
  std::vector<T> gleak_, gleak_vleak_, vleak_, cm_, gleak_grad_scale_, cm_grad_scale_;
  // Mappings, with w = 1 and b = 0 where absent (so the math has no branches).
  std::vector<T> input_w_, input_b_, output_w_, output_b_;
  std::size_t gleak_offset_, vleak_offset_, cm_offset_;
  std::size_t sigma_offset_, mu_offset_, w_offset_, erev_offset_;
  std::size_t sensory_sigma_offset_, sensory_mu_offset_, sensory_w_offset_, sensory_erev_offset_;
  std::size_t input_w_offset_ = 0, input_b_offset_ = 0, output_w_offset_ = 0, output_b_offset_ = 0;
  ScratchLayout scratch_;
};

extern template class LtcCell<float>;
extern template class LtcCell<double>;

}  // namespace ncp::core
