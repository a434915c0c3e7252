// Copyright 2026 ncp-silicon authors.
#include "mlx/mlx_call_args.h"

#include <climits>
#include <cmath>
#include <optional>

#include "addon/buffers.h"
#include "addon/errors.h"
#include "addon/limits.h"
#include "addon/loss_args.h"

namespace ncp::mlx_backend {
namespace {

using addon::throw_range;

constexpr int kMaxDim = INT_MAX / 64;

std::size_t checked_product(Napi::Env env, const std::string& api, std::size_t a, std::size_t b) {
  if (a != 0 && b > SIZE_MAX / a) throw_range(env, api, "batch", "sizes whose product fits in memory", "too large");
  return a * b;
}

std::optional<std::vector<float>> copy_of(const float* data, std::size_t length) {
  if (!data) return std::nullopt;
  return std::vector<float>(data, data + length);
}

void copy_into(const std::vector<float>& from, float* to) {
  if (to) std::copy(from.begin(), from.end(), to);
}

}  // namespace

PreparedCall read_call(Napi::Env env, const std::string& api, const Napi::Object& args, const CallSizes& sizes,
                       bool backward, bool with_loss, bool training) {
  // The CPU addon's two phases: every field read once (getters run only here), then views that run no JS.
  const addon::SequenceArgValues a = addon::read_sequence_args(env, api, args, backward, kMaxDim);
  const addon::LossArgValues loss_args = with_loss ? addon::read_loss_args(env, api, args) : addon::LossArgValues{};
  const std::size_t B = a.batch, L = a.steps, S = sizes.inputs, H = sizes.state, P = sizes.outputs;
  const std::size_t BL = checked_product(env, api, B, L);
  if (static_cast<double>(BL) > addon::limits::kMaxBatchSteps) {
    addon::throw_limit(env, api, "batch × steps", "at most 134217728 (LIMITS.maxBatchSteps)", std::to_string(BL));
  }
  PreparedCall prepared;
  SequenceCall& call = prepared.call;
  call.batch = a.batch;
  call.steps = a.steps;
  call.batch_first = a.batch_first;
  call.return_sequences = a.return_sequences;
  call.backward = backward;
  call.dropout_seed = a.dropout_seed;
  const std::size_t out_len = call.return_sequences ? BL * P : B * P;
  const std::string out_shape = call.return_sequences ? "(B×L×outputs)" : "(B×outputs)";
  const std::size_t in_len = checked_product(env, api, BL, S);
  const bool mixed = sizes.mixed_memory;

  addon::ViewSet views(env, api);
  views.view<float>(a.params, "params", sizes.params, false, false, "(the model parameters)");
  const float* input = views.view<float>(a.input, "input", in_len, true, false, "(B×L×S)");
  const float* timespans = views.view<float>(a.timespans, "timespans", BL, false, false, "(B×L)");
  const float* h0 = views.view<float>(a.h0, "h0", B * H, false, false, "(B×H)");
  const float* c0 = mixed ? views.view<float>(a.c0, "c0", B * H, false, false, "(B×H)") : nullptr;
  float* output = views.view<float>(a.output, "output", out_len, true, true, out_shape);
  float* h_final = views.view<float>(a.h_final, "hFinal", B * H, true, true, "(B×H)");
  float* c_final = mixed ? views.view<float>(a.c_final, "cFinal", B * H, true, true, "(B×H)") : nullptr;
  float* h_sequence = views.view<float>(a.h_sequence, "hSequence", BL * H, false, true, "(B×L×H)");
  const float *d_output = nullptr, *d_h_final = nullptr, *d_c_final = nullptr;
  float *d_input = nullptr, *d_timespans = nullptr, *d_h0 = nullptr, *d_c0 = nullptr, *d_params = nullptr;
  if (backward) {
    if (!with_loss) d_output = views.view<float>(a.d_output, "dOutput", out_len, true, false, out_shape);
    d_h_final = views.view<float>(a.d_h_final, "dHFinal", B * H, false, false, "(B×H)");
    d_c_final = mixed ? views.view<float>(a.d_c_final, "dCFinal", B * H, false, false, "(B×H)") : nullptr;
    d_input = views.view<float>(a.d_input, "dInput", in_len, !training, true, "(B×L×S)");
    d_timespans = views.view<float>(a.d_timespans, "dTimespans", BL, false, true, "(B×L)");
    d_h0 = views.view<float>(a.d_h0, "dH0", B * H, false, true, "(B×H)");
    d_c0 = mixed ? views.view<float>(a.d_c0, "dC0", B * H, false, true, "(B×H)") : nullptr;
    d_params = views.view<float>(a.d_params, "dParams", sizes.params, !training, true, "(the parameter layout)");
  }
  if (timespans) {
    for (std::size_t i = 0; i < BL; ++i) {
      if (!(timespans[i] > 0.0f) || !std::isfinite(timespans[i])) {
        throw_range(env, api, "timespans[" + std::to_string(i) + "]", "a finite number > 0",
                    "number " + addon::format_number(timespans[i]));
      }
    }
  }

  if (with_loss) {
    const std::size_t rows = call.return_sequences ? BL : B;
    const core::OutputLoss<float> checked = addon::view_loss<float>(env, api, views, loss_args, rows, P);
    SequenceCall::Loss loss;
    loss.kind = checked.kind;
    loss.count = checked.count;
    if (checked.target_is_index) {
      loss.target.assign(rows * P, 0.0f);  // one-hot: the graph has one crossEntropy
      for (std::size_t r = 0; r < rows; ++r) loss.target[r * P + static_cast<std::size_t>(checked.target[r])] = 1.0f;
    } else {
      loss.target.assign(checked.target, checked.target + rows * P);
    }
    loss.mask = copy_of(checked.mask, rows);
    call.loss = std::move(loss);
  }

  // What the device reads, copied; where its results go, the baton's native buffers.
  call.input.assign(input, input + in_len);
  call.timespans = copy_of(timespans, BL);
  call.h0 = copy_of(h0, B * H);
  call.c0 = copy_of(c0, B * H);
  call.d_output = copy_of(d_output, out_len);
  call.d_h_final = copy_of(d_h_final, B * H);
  call.d_c_final = copy_of(d_c_final, B * H);
  call.want_h_sequence = h_sequence != nullptr;
  call.want_d_input = d_input != nullptr;
  call.want_d_timespans = d_timespans != nullptr;
  call.want_d_h0 = d_h0 != nullptr;
  call.want_d_c0 = d_c0 != nullptr;
  call.want_d_params = d_params != nullptr;
  prepared.baton = std::make_unique<addon::SequenceBaton<float>>();
  addon::SequenceBaton<float>* baton = prepared.baton.get();
  ResultTargets& targets = prepared.targets;
  targets.output = baton->own_output(output, out_len, a.output, "output", false);
  targets.h_final = baton->own_output(h_final, B * H, a.h_final, "hFinal", false);
  targets.c_final = baton->own_output(c_final, B * H, a.c_final, "cFinal", false);
  targets.h_sequence = baton->own_output(h_sequence, BL * H, a.h_sequence, "hSequence", false);
  targets.d_input = baton->own_output(d_input, in_len, a.d_input, "dInput", false);
  targets.d_timespans = baton->own_output(d_timespans, BL, a.d_timespans, "dTimespans", false);
  targets.d_h0 = baton->own_output(d_h0, B * H, a.d_h0, "dH0", false);
  targets.d_c0 = baton->own_output(d_c0, B * H, a.d_c0, "dC0", false);
  targets.d_params = baton->own_output(d_params, sizes.params, a.d_params, "dParams", true);
  prepared.version = a.version;
  return prepared;
}

void store(const SequenceResult& r, const ResultTargets& t) {
  copy_into(r.output, t.output);
  copy_into(r.h_final, t.h_final);
  copy_into(r.c_final, t.c_final);
  copy_into(r.h_sequence, t.h_sequence);
  copy_into(r.d_input, t.d_input);
  copy_into(r.d_timespans, t.d_timespans);
  copy_into(r.d_h0, t.d_h0);
  copy_into(r.d_c0, t.d_c0);
  if (t.d_params) for (std::size_t i = 0; i < r.d_params.size(); ++i) t.d_params[i] += r.d_params[i];
}

void deliver_or_throw(Napi::Env env, const std::string& api, addon::SequenceBaton<float>& baton) {
  if (const char* lost = baton.deliver(env)) {
    throw_range(env, api, lost, "an array that stays attached and keeps its length until the call settles",
                "an array detached or resized while the call ran");
  }
}

Napi::Object loss_value(Napi::Env env, const SequenceResult& r, const SequenceCall& call) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("loss", Napi::Number::New(env, r.loss));
  out.Set("count", Napi::Number::New(env, call.loss->count));
  return out;
}

}  // namespace ncp::mlx_backend
