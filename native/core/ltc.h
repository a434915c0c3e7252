// Copyright 2026 ncp-silicon authors.
// The LTC cell (SPEC.md §2) for one sample, implementing the Cell contract of core/cell.h.
//
// ncps evaluates every (source, destination) pair densely and multiplies by the sparsity mask; masked
// synapses contribute exactly zero, so this cell keeps only the synapses whose mask entry is nonzero,
// packed once in the constructor into a "sliced ELL" layout (SELL-C-σ with C = kLanes):
//   * destinations are sorted by in-degree (descending) and grouped into blocks of kLanes;
//   * a block holds rows of kLanes slots, slot (row, lane) being one incoming synapse of the lane-th destination
//     of the block, or padding (f(w) = 0); a block has as many rows as its largest in-degree (plain SELL), or a
//     few more when rows are also made to read at most two aligned blocks of the source vector (see below);
//   * every per-synapse value lives in its own array (structure of arrays) indexed by slot.
// The sigmoid's argument is folded into base 2 in the constructor: σ(sigma·(v − mu)) = 1 / (1 + 2^t) with
// t = slope·v + intercept, slope = −sigma·log2 e, intercept = sigma·mu·log2 e: one multiply-add, and t − round(t)
// is exact, so 2^t needs no Cody–Waite reduction. Per evaluation, every slot's activation is computed branch-free
// and vectorised, and summed per destination a row at a time, one vector of kLanes destinations per row, in a
// fixed order (deterministic). For AutoNCP(64, 8) this evaluates ~8x fewer sigmoids than ncps.
//
// The cell keeps its state in lane order (the recurrent projection's destination order, padded to whole
// blocks) from the start of a step to its end, so the per-unfold update, the tape and backward's per-neuron
// work are plain vector loops with no permutation; only h, h_next, y and dh are mapped at the boundary.
//
// Backward recomputes the sigmoids from the taped states instead of storing per-synapse values, so the tape is
// O(U·N) per step: the U states v_1 … v_U and the U denominators, in lane order. The portable loops walk the same
// blocks and sum d/d v_source per source through a transposed copy of the block structure (a gather per row,
// never a scatter).
//
// Where the build targets AVX2 + FMA, float runs explicit AVX2 kernels (ltc_avx2.h) over two extra layouts, used
// when they cost at most 30% more rows than SELL: "two-block rows" for forward (the gather of v[source] becomes
// two in-register permutes and a blend) and source-major rows (by_source) for backward (v_source is one load per
// block of sources, d/d v_source is summed in a register, and the per-destination gradients are gathered with
// two permutes). Double, and every other build, use the portable loops, which GCC/Clang vectorise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/cell.h"
#include "core/memory.h"
#include "core/work.h"

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

  int blocks = 0;         // ceil(N / kLanes): lane positions run over [0, blocks·kLanes)
  int active_blocks = 0;  // blocks with at least one synapse; a prefix, since blocks are sorted by depth
  Buffer<std::int32_t> block_begin;     // blocks + 1 slot offsets; block depth = size / kLanes
  Buffer<std::int32_t> lane_of;         // destination neuron → its lane position (block·kLanes + lane)
  Buffer<std::int32_t> neuron_of_lane;  // lane position → destination neuron, −1 for padding lanes

  // Per slot (padding: source 0, f(w)·mask = 0, slope = intercept = 0, so it adds exactly zero). `source`
  // indexes the vector the projection reads: the input features (sensory) or the state in lane order
  // (recurrent, whose sources are its own destinations).
  Buffer<std::int32_t> source;
  Buffer<T> weight;            // f(w) · mask
  // −sigma·log2 e and sigma·mu·log2 e, so that σ(sigma·(v − mu)) = 1 / (1 + 2^(slope·v + intercept)).
  Buffer<T> slope, intercept;
  Buffer<T> sigma, mu, erev;

  // The transpose, for backward's d/d v_source: sources sorted by out-degree and grouped into blocks of
  // kLanes; slot (row, lane) of source block b holds the packed slot of the row-th outgoing synapse of that
  // source, or slot_count() (an extra zero entry of the per-slot buffer) if it has fewer.
  int sources = 0;
  int source_blocks = 0;
  Buffer<std::int32_t> source_block_begin;  // source_blocks + 1 offsets
  Buffer<std::int32_t> outgoing;             // per transposed slot: a packed slot index
  Buffer<std::int32_t> source_target;        // source lane position → the index `source` uses for it

  // Optional "two-block rows" layout, used by the explicit AVX2 float kernels (ltc_avx2.h) when it costs few extra
  // rows: every row reads at most two aligned kLanes-blocks of the source vector, so the gather of v[source] is
  // two in-register permutes and a blend instead of kLanes scalar loads. Empty otherwise.
  bool two_block_rows = false;
  Buffer<std::int32_t> row_blocks;  // per row: the offsets (multiples of kLanes) of its two source blocks
  Buffer<std::int32_t> lane_code;   // per slot: source mod kLanes, sign bit set if it lies in the second block

  // Optional source-major rows for the AVX2 float backward (used when `by_source.used`): the sources in the order
  // `source` indexes them, in blocks of kLanes; slot (row, lane) of source block b holds one outgoing synapse of
  // source b·kLanes + lane, or padding, and every row's destinations (recurrent lane positions, for both
  // projections) lie in at most two aligned kLanes-blocks. Backward then loads v_source once per block, gathers
  // the per-destination gradients with two permutes per row, and sums d/d v_source in a register.
  struct BySource {
    bool used = false;
    Buffer<std::int32_t> block_begin;  // source blocks + 1 slot offsets
    Buffer<T> weight, slope, intercept, sigma, mu, erev;
    Buffer<std::int32_t> row_blocks, lane_code;  // as above, for the destinations
    Buffer<std::int32_t> slot;  // per real synapse (in the order of SynapseBlocks::slot): its slot here
    std::size_t slot_count() const { return weight.size(); }
  } by_source;

  // Per real synapse, sorted by position in the (sources × N) parameter matrices.
  Buffer<std::int32_t> slot;          // where it lives in the packed arrays
  Buffer<std::int32_t> matrix_index;  // source · N + destination
  Buffer<T> weight_grad_scale;        // mask · f'(w): d weight / d w

  std::size_t slot_count() const { return source.size(); }
  std::size_t lane_count() const { return static_cast<std::size_t>(blocks) * kLanes; }
  std::size_t source_lane_count() const { return static_cast<std::size_t>(source_blocks) * kLanes; }
  std::size_t synapse_count() const { return slot.size(); }
};

template <typename T>
class LtcCell {
 public:
  using Scalar = T;

  // Reads cell.{gleak, vleak, cm, sigma, mu, w, erev, sensory_sigma, sensory_mu, sensory_w, sensory_erev,
  // sparsity_mask, sensory_sparsity_mask} and, as the mappings ask, cell.{input_w, input_b, output_w,
  // output_b}. Throws InvalidArgument for a bad config or a layout without a needed entry.
  LtcCell(const LtcConfig& config, const ParamSource<T>& params);

  int input_size() const { return config_.inputs; }
  int state_size() const { return config_.units; }
  int output_size() const { return config_.motors; }
  // v_1 … v_U and the U denominators, each in lane order (N rounded up to whole blocks of kLanes).
  std::size_t tape_size() const { return 2 * static_cast<std::size_t>(config_.unfolds) * recurrent_.lane_count(); }
  std::size_t scratch_size() const { return scratch_.total; }

  // Synapses actually evaluated (mask ≠ 0), for diagnostics and FLOP counts.
  std::size_t synapse_count() const { return recurrent_.synapse_count(); }
  std::size_t sensory_synapse_count() const { return sensory_.synapse_count(); }
  // What one step costs (core/work.h): existing synapses × unfolds × operations (core/ltc_work.h has the formula).
  CellWork work_per_step() const;

  void forward(const T* x, const T* h, T dt, T* h_next, T* y, T* tape, T* scratch, std::uint64_t step_key) const;
  void backward(const T* x, const T* h, T dt, const T* tape, const T* dh_next, const T* dy, T* dx, T* dh, T* ddt,
                T* grad, T* scratch, std::uint64_t step_key) const;
  // The synapse gradients accumulate per packed slot over a whole chunk of samples (core/cell.h): one scatter into
  // the (sources × N) parameter matrices per chunk rather than one per step.
  void begin_gradients(T* scratch) const;
  void end_gradients(T* scratch, T* grad) const;

 private:
  // Offsets (in scalars) of the per-thread scratch regions; forward uses a prefix of them. "Lanes" arrays
  // have lane_count() entries in the recurrent lane order unless named sens_* (the sensory lane order).
  struct ScratchLayout {
    std::size_t xm, sens_num, sens_den, num_s, den_s, lane_num, lane_den, v0, v_a, v_b, denominator, cmt, a, a_erev;
    std::size_t dxm, dv, dv_prev, d_cmt, d_numerator, d_denominator, d_num_s, d_den_s, d_sens_num, d_sens_den;
    std::size_t source_lanes;
    std::size_t g_weight, g_sigma, g_mu, g_erev, d_source;       // per recurrent slot
    std::size_t gs_weight, gs_sigma, gs_mu, gs_erev, ds_source;  // per sensory slot
    std::size_t total;
  };

  void check_elapsed_time(T dt) const;
  void map_input(const T* x, T* xm) const;
  // S rounded up to whole blocks of kLanes: the length of the xm / dxm scratch vectors.
  std::size_t padded_inputs() const {
    constexpr std::size_t W = SynapseBlocks<T>::kLanes;
    return (static_cast<std::size_t>(config_.inputs) + W - 1) / W * W;
  }

  LtcConfig config_;
  T epsilon_;
  SynapseBlocks<T> sensory_;
  SynapseBlocks<T> recurrent_;
  // Per lane position (recurrent lane order): f(gleak), f(gleak)·vleak, vleak, f(cm), and f' of gleak and cm
  // for the gradients. Padding lanes have f(gleak) = 1 and zeros elsewhere, so their state stays exactly 0.
  Buffer<T> gleak_, gleak_vleak_, vleak_, cm_, gleak_grad_scale_, cm_grad_scale_;
  // Recurrent lane position → the sensory projection's lane position of the same neuron (a permutation).
  Buffer<std::int32_t> sensory_lane_;
  // Mappings, with w = 1 and b = 0 where absent (so the math has no branches).
  Buffer<T> input_w_, input_b_, output_w_, output_b_;
  std::size_t gleak_offset_, vleak_offset_, cm_offset_;
  std::size_t sigma_offset_, mu_offset_, w_offset_, erev_offset_;
  std::size_t sensory_sigma_offset_, sensory_mu_offset_, sensory_w_offset_, sensory_erev_offset_;
  std::size_t input_w_offset_ = 0, input_b_offset_ = 0, output_w_offset_ = 0, output_b_offset_ = 0;
  ScratchLayout scratch_;
};

extern template class LtcCell<float>;
extern template class LtcCell<double>;

}  // namespace ncp::core
