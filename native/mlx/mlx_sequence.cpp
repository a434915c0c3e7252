// Copyright 2026 ncp-silicon authors.
#include "mlx/mlx_sequence.h"

#include <algorithm>

#include "core/dropout.h"
#include "mlx/mlx_cells.h"
#include "mlx/mlx_compile.h"

namespace ncp::mlx_backend {
namespace {

// Keep-and-scale factors of every backbone layer l ≥ 1 at step t: B×U each.
std::vector<mx::array> dropout_factors(const core::CfcConfig& c, std::uint64_t seed, int batch, int t) {
  std::vector<mx::array> out;
  const float scale = 1.0f / (1.0f - static_cast<float>(c.backbone_dropout));
  for (int l = 1; l < c.backbone_layers; ++l) {
    std::vector<float> f(static_cast<std::size_t>(batch) * c.backbone_units);
    for (int b = 0; b < batch; ++b) {
      const std::uint64_t key = core::mix_key(seed, b, t);
      for (int j = 0; j < c.backbone_units; ++j) {
        f[static_cast<std::size_t>(b) * c.backbone_units + j] =
            core::dropout_keeps(key, l, j, c.backbone_dropout) ? scale : 0.0f;
      }
    }
    out.emplace_back(f.begin(), mx::Shape{batch, c.backbone_units}, mx::float32);
  }
  return out;
}

std::vector<float> to_host(const mx::array& a) {
  const mx::array flat = mx::reshape(mx::contiguous(a), {-1});
  mx::eval(flat);
  const float* data = flat.data<float>();
  return std::vector<float>(data, data + flat.size());
}

// (L, B, …) ↔ the caller's layout.
mx::array to_time_major(const mx::array& a, bool batch_first) {
  if (!batch_first) return a;
  std::vector<int> axes(a.ndim());
  for (int i = 0; i < static_cast<int>(a.ndim()); ++i) axes[i] = i;
  std::swap(axes[0], axes[1]);
  return mx::transpose(a, axes);
}

// The mean loss of `output` (the caller's layout) as one scalar node: core/loss.h's terms in MLX ops, so MLX
// differentiates them. An empty mean (count 0) is 0 with zero gradients.
mx::array loss_of(const SequenceCall::Loss& loss, const mx::array& output, int P) {
  const mx::array x = mx::reshape(output, {-1, P});
  const int rows = static_cast<int>(x.shape(0));
  const mx::array t(loss.target.begin(), {rows, P}, mx::float32);
  mx::array terms = mx::zeros({rows}, mx::float32);
  switch (loss.kind) {
    case core::LossKind::Mse: terms = mx::sum(mx::square(mx::subtract(x, t)), 1); break;
    case core::LossKind::Mae: terms = mx::sum(mx::abs(mx::subtract(x, t)), 1); break;
    case core::LossKind::Bce:
      // max(x, 0) − x·t + log(1 + e^{−|x|}): never overflows.
      terms = mx::sum(mx::add(mx::subtract(mx::maximum(x, mx::array(0.0f)), mx::multiply(x, t)),
                              mx::log1p(mx::exp(mx::negative(mx::abs(x))))),
                      1);
      break;
    case core::LossKind::CrossEntropy:
      // logsumexp(x)·Σt − Σ t·x per row (index targets arrive one-hot).
      terms = mx::subtract(mx::multiply(mx::logsumexp(x, 1), mx::sum(t, 1)), mx::sum(mx::multiply(t, x), 1));
      break;
  }
  if (loss.mask) {
    // where, not a product: a masked row's terms and gradients are exactly 0 whatever its values.
    const mx::array keep = mx::not_equal(mx::array(loss.mask->begin(), {rows}, mx::float32), mx::array(0.0f));
    terms = mx::where(keep, terms, mx::zeros_like(terms));
  }
  const float scale = loss.count > 0 ? static_cast<float>(1.0 / loss.count) : 0.0f;
  return mx::multiply(mx::sum(terms), mx::array(scale));
}

// The call's graph, with compiled steps or eager ones.
SequenceGraph build(const ModelShape& shape, const DeviceParams& params, const SequenceCall& call, bool compiled) {
  const int B = call.batch, L = call.steps, S = input_size(shape), H = state_size(shape), P = output_size(shape);
  const bool mixed = shape.mixed_memory;
  const auto* cfc = std::get_if<core::CfcConfig>(&shape.cell);
  const bool dropout = call.dropout_seed != 0 && cfc && cfc->backbone_dropout > 0;

  const mx::Shape in_shape = call.batch_first ? mx::Shape{B, L, S} : mx::Shape{L, B, S};
  const mx::Shape dt_shape = call.batch_first ? mx::Shape{B, L, 1} : mx::Shape{L, B, 1};
  std::vector<mx::array> primals;
  for (const auto& slot : params.trainable) primals.push_back(params[slot.name]);
  const std::size_t n_params = primals.size();
  primals.emplace_back(call.input.begin(), in_shape, mx::float32);
  primals.push_back(call.timespans ? mx::array(call.timespans->begin(), dt_shape, mx::float32) : mx::ones(dt_shape, mx::float32));
  primals.push_back(call.h0 ? mx::array(call.h0->begin(), {B, H}, mx::float32) : mx::zeros({B, H}, mx::float32));
  primals.push_back(call.c0 ? mx::array(call.c0->begin(), {B, H}, mx::float32) : mx::zeros({B, H}, mx::float32));

  std::vector<std::vector<mx::array>> masks;
  if (dropout) for (int t = 0; t < L; ++t) masks.push_back(dropout_factors(*cfc, call.dropout_seed, B, t));

  const auto graph = [&](const std::vector<mx::array>& in) -> std::vector<mx::array> {
    std::map<std::string, mx::array> named = params.by_name;  // buffers (masks) stay constants
    for (std::size_t i = 0; i < n_params; ++i) named.insert_or_assign(params.trainable[i].name, in[i]);
    const StepConstants k = prepare_step(shape, named);
    const CompiledStep compiled_fn = compiled ? compiled_step(shape, k, masks.empty() ? 0 : masks[0].size()) : nullptr;
    const mx::array input = to_time_major(in[n_params], call.batch_first);
    const mx::array dt = to_time_major(in[n_params + 1], call.batch_first);
    mx::array h = in[n_params + 2], c = in[n_params + 3];
    std::vector<mx::array> outputs, states;
    const std::vector<mx::array> no_dropout;
    for (int t = 0; t < L; ++t) {
      const mx::array x = mx::take(input, t, 0);
      const mx::array dt_t = mx::take(dt, t, 0);
      const std::vector<mx::array>& dropout_t = dropout ? masks[t] : no_dropout;
      StepArrays step = compiled_fn ? compiled_fn(k, x, h, c, dt_t, dropout_t)
                                    : whole_step(shape, k, x, h, c, dt_t, dropout_t);
      h = step.h;
      c = step.c;
      if (call.want_h_sequence) states.push_back(h);
      if (call.return_sequences || t + 1 == L) outputs.push_back(step.out);
    }
    // The last output may be the very array that is the final state (CfC's y is h'): a copy keeps the two
    // results distinct nodes, so the vector-Jacobian product sums their cotangents instead of keeping one.
    mx::array output = call.return_sequences ? to_time_major(mx::stack(outputs, 0), call.batch_first) : mx::copy(outputs[0]);
    std::vector<mx::array> out{output, h, c};
    if (call.want_h_sequence) out.push_back(mx::stack(states, 1));  // B×L×H
    if (call.loss) out.push_back(loss_of(*call.loss, output, P));
    return out;
  };

  if (!call.backward) return {graph(primals), {}};
  const mx::Shape out_shape = call.return_sequences ? (call.batch_first ? mx::Shape{B, L, P} : mx::Shape{L, B, P})
                                                    : mx::Shape{B, P};
  auto given = [](const std::optional<std::vector<float>>& d, const mx::Shape& s) {
    return d ? mx::array(d->begin(), s, mx::float32) : mx::zeros(s, mx::float32);
  };
  std::vector<mx::array> cotangents{given(call.d_output, out_shape), given(call.d_h_final, {B, H}),
                                    given(call.d_c_final, {B, H})};
  if (call.want_h_sequence) cotangents.push_back(mx::zeros({B, L, H}, mx::float32));
  if (call.loss) {
    cotangents[0] = mx::zeros(out_shape, mx::float32);  // the output's only cotangent is the loss's
    cotangents.push_back(mx::array(1.0f));
  }
  auto [outs, grads] = mx::vjp(graph, primals, cotangents);
  return {std::move(outs), std::move(grads)};
}

}  // namespace

SequenceGraph build_sequence(const ModelShape& shape, const DeviceParams& params, const SequenceCall& call) {
  // Backward graphs are eager: inside mx::vjp the steps' inputs are tracers, and MLX runs a compiled function
  // uncompiled.
  return build(shape, params, call, false);
}

SequenceResult collect(const ModelShape& shape, const DeviceParams& params, std::size_t param_length,
                       const SequenceCall& call, const SequenceGraph& graph, const std::vector<mx::array>& also) {
  const std::size_t n_params = params.trainable.size();
  // One evaluation of everything the call returns: gradients it does not want are left out of it.
  std::vector<mx::array> wanted = graph.values;
  wanted.insert(wanted.end(), also.begin(), also.end());
  if (call.backward) {
    if (call.want_d_params) wanted.insert(wanted.end(), graph.grads.begin(), graph.grads.begin() + n_params);
    const bool want[4] = {call.want_d_input, call.want_d_timespans, call.want_d_h0, call.want_d_c0};
    for (std::size_t k = 0; k < 4; ++k) if (want[k]) wanted.push_back(graph.grads[n_params + k]);
  }
  mx::eval(wanted);

  SequenceResult result;
  if (call.backward) {
    const std::vector<mx::array>& grads = graph.grads;
    if (call.want_d_params) {
      result.d_params.assign(param_length, 0.0f);
      for (std::size_t i = 0; i < n_params; ++i) {
        const ParamSlot& slot = params.trainable[i];
        const std::vector<float> g = to_host(grads[i]);
        std::copy(g.begin(), g.end(), result.d_params.begin() + slot.offset);
      }
    }
    if (call.want_d_input) result.d_input = to_host(grads[n_params]);
    if (call.want_d_timespans) result.d_timespans = to_host(grads[n_params + 1]);
    if (call.want_d_h0) result.d_h0 = to_host(grads[n_params + 2]);
    if (call.want_d_c0) result.d_c0 = to_host(grads[n_params + 3]);
  }
  const std::vector<mx::array>& values = graph.values;
  result.output = to_host(values[0]);
  result.h_final = to_host(values[1]);
  if (shape.mixed_memory) result.c_final = to_host(values[2]);
  if (call.want_h_sequence) result.h_sequence = to_host(values[3]);
  if (call.loss) result.loss = static_cast<double>(values.back().item<float>());
  return result;
}

SequenceResult run_sequence(const ModelShape& shape, const DeviceParams& params,
                            std::size_t param_length, const SequenceCall& call) {
  if (call.backward || !compiled_steps_enabled()) {
    return collect(shape, params, param_length, call, build(shape, params, call, false));
  }
  try {
    return collect(shape, params, param_length, call, build(shape, params, call, true));
  } catch (const std::exception&) {
    // A compiled call can fail where an eager one does not (the run-time C++ compiler fails, its cache directory
    // is not writable): the call runs eagerly, and if that succeeds, compiling stays off in this process. An
    // error of the eager run is the call's error.
    SequenceResult result = collect(shape, params, param_length, call, build(shape, params, call, false));
    disable_compiled_steps();
    return result;
  }
}

}  // namespace ncp::mlx_backend
