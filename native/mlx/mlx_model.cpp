// Copyright 2026 ncp-silicon authors.
#include "mlx/mlx_model.h"

#include <climits>
#include <cmath>

#include "addon/buffers.h"
#include "addon/cell_config.h"
#include "addon/errors.h"
#include "addon/limits.h"
#include "addon/loss_args.h"
#include "addon/promise_worker.h"
#include "addon/sequence_args.h"

namespace ncp::mlx_backend {
namespace {

using addon::describe_value;
using addon::guarded;
using addon::throw_range;
using addon::throw_type;

constexpr int kMaxDim = INT_MAX / 64;

std::mutex& device_lock() {
  static std::mutex lock;
  return lock;
}

std::size_t checked_product(Napi::Env env, const std::string& api, std::size_t a, std::size_t b) {
  if (a != 0 && b > SIZE_MAX / a) throw_range(env, api, "batch", "sizes whose product fits in memory", "too large");
  return a * b;
}

std::optional<std::vector<float>> copy_of(const float* data, std::size_t length) {
  if (!data) return std::nullopt;
  return std::vector<float>(data, data + length);
}

// Where a call's results go: native buffers of the CPU addon's baton (addon/sequence_args.h), copied into the
// caller's arrays on the main thread once the call is done, after checking each is still attached and as long.
struct ResultTargets {
  float *output = nullptr, *h_final = nullptr, *c_final = nullptr, *h_sequence = nullptr;
  float *d_input = nullptr, *d_timespans = nullptr, *d_h0 = nullptr, *d_c0 = nullptr, *d_params = nullptr;
};

void copy_into(const std::vector<float>& from, float* to) {
  if (to) std::copy(from.begin(), from.end(), to);
}

// A fused call's { loss, count }.
Napi::Object loss_value(Napi::Env env, const SequenceResult& r, const SequenceCall& call) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("loss", Napi::Number::New(env, r.loss));
  out.Set("count", Napi::Number::New(env, call.loss->count));
  return out;
}

// On any thread: native memory only. dParams accumulates, as on the CPU backend.
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

// One async MLX call: run() evaluates on the device from the call's own copies; settle() copies the results into
// the caller's arrays on the JS thread.
class SequenceWorker final : public addon::PromiseWorker {
 public:
  SequenceWorker(Napi::Env env, MlxModel* model, const Napi::Object& owner, std::shared_ptr<const HostParams> host,
                 SequenceCall call, std::unique_ptr<addon::SequenceBaton<float>> baton, ResultTargets targets,
                 std::string api)
      : addon::PromiseWorker(env, "ncp-silicon:mlx-sequence"),
        owner_(Napi::Persistent(owner)),
        model_(model),
        host_(std::move(host)),
        call_(std::move(call)),
        baton_(std::move(baton)),
        targets_(targets),
        api_(std::move(api)) {}

 private:
  void run() override {
    result_ = model_->execute(host_, call_);
    store(result_, targets_);
  }

  Napi::Value settle(Napi::Env env) override {
    deliver_or_throw(env, api_, *baton_);
    return call_.loss ? Napi::Value(loss_value(env, result_, call_)) : env.Undefined();
  }

  Napi::ObjectReference owner_;  // keeps the model alive while the call runs
  MlxModel* model_;
  std::shared_ptr<const HostParams> host_;
  SequenceCall call_;
  SequenceResult result_;
  std::unique_ptr<addon::SequenceBaton<float>> baton_;
  ResultTargets targets_;
  std::string api_;
};

}  // namespace

Napi::Function MlxModel::define(Napi::Env env) {
  return DefineClass(env, "MlxModel",
                     {
                         InstanceMethod<&MlxModel::forward>("forward"),
                         InstanceMethod<&MlxModel::forward_backward>("forwardBackward"),
                         InstanceMethod<&MlxModel::forward_async>("forwardAsync"),
                         InstanceMethod<&MlxModel::forward_backward_async>("forwardBackwardAsync"),
                         InstanceMethod<&MlxModel::forward_backward_loss>("forwardBackwardLoss"),
                         InstanceMethod<&MlxModel::forward_backward_loss_async>("forwardBackwardLossAsync"),
                         InstanceAccessor<&MlxModel::input_size>("inputSize"),
                         InstanceAccessor<&MlxModel::state_size>("stateSize"),
                         InstanceAccessor<&MlxModel::output_size>("outputSize"),
                     });
}

MlxModel::MlxModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MlxModel>(info) {
  Napi::Env env = info.Env();
  guarded(env, [&] {
    addon::ModelConfig config = addon::read_model_config(env, info[0], "MlxModel");
    api_ = config.api;
    shape_.cell = config.cell;
    shape_.mixed_memory = config.mixed_memory;
    shape_.proj_size = config.proj_size;
    if (config.params.TypedArrayType() == napi_float64_array) {
      throw_range(env, api_, "params",
                  "a Float32Array: the MLX backend computes in float32 only (Metal GPUs have no float64, and MLX's "
                  "CPU float64 evaluates exp and sigmoid in float32); use backend 'cpu' for float64",
                  describe_value(config.params));
    }
    param_count_ = config.params.ElementLength();
    params_ = Napi::Persistent(config.params);
    const core::ParamOffsets& parsed = config.offsets;
    slots_ = param_slots(shape_, parsed, param_count_);  // every tensor inside the buffer, or a RangeError
    input_size_ = mlx_backend::input_size(shape_);
    state_size_ = mlx_backend::state_size(shape_);
    output_size_ = mlx_backend::output_size(shape_);
  });
}

std::shared_ptr<const HostParams> MlxModel::host_params(Napi::Env env, const std::string& api, double version) {
  if (host_ && host_->version == version) return host_;
  Napi::TypedArray array = params_.Value();
  const void* base = array.ArrayBuffer().Data();
  if ((base == nullptr && param_count_ > 0) || array.ElementLength() != param_count_) {
    throw_range(env, api, "params", "the live parameter buffer the model was built with",
                "a detached or resized ArrayBuffer");
  }
  auto host = std::make_shared<HostParams>();
  host->version = version;
  const float* data = reinterpret_cast<const float*>(static_cast<const unsigned char*>(base) + array.ByteOffset());
  host->values.assign(data, data + param_count_);
  for (std::size_t i = 0; i < param_count_; ++i) {
    if (!std::isfinite(host->values[i])) {
      throw_range(env, api, "params[" + std::to_string(i) + "]", "finite parameters",
                  "number " + addon::format_number(host->values[i]));
    }
  }
  host_ = host;
  return host_;
}

SequenceResult MlxModel::execute(const std::shared_ptr<const HostParams>& host, const SequenceCall& call) {
  std::lock_guard<std::mutex> lock(device_lock());
  if (device_host_ != host) {
    device_ = std::make_shared<const DeviceParams>(upload(slots_, host->values.data()));
    device_host_ = host;
  }
  return run_sequence(shape_, *device_, param_count_, call);
}

Napi::Value MlxModel::call(const Napi::CallbackInfo& info, bool backward, bool with_loss, bool async) {
  Napi::Env env = info.Env();
  const char* name = !backward ? ".forward" : with_loss ? ".forwardBackwardLoss" : ".forwardBackward";
  const std::string api = api_ + name + (async ? "Async" : "");
  return guarded(env, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsObject()) throw_type(env, api, "args", "an object", info[0]);
    // The CPU addon's two phases: every field read once (getters run only here), then views that run no JS.
    const Napi::Object args = info[0].As<Napi::Object>();
    const addon::SequenceArgValues a = addon::read_sequence_args(env, api, args, backward, kMaxDim);
    const addon::LossArgValues loss_args = with_loss ? addon::read_loss_args(env, api, args) : addon::LossArgValues{};
    const std::size_t B = a.batch, L = a.steps, S = input_size_, H = state_size_, P = output_size_;
    const std::size_t BL = checked_product(env, api, B, L);
    if (static_cast<double>(BL) > addon::limits::kMaxBatchSteps) {
      addon::throw_limit(env, api, "batch × steps", "at most 134217728 (LIMITS.maxBatchSteps)", std::to_string(BL));
    }
    SequenceCall call;
    call.batch = a.batch;
    call.steps = a.steps;
    call.batch_first = a.batch_first;
    call.return_sequences = a.return_sequences;
    call.backward = backward;
    call.dropout_seed = a.dropout_seed;
    const std::size_t out_len = call.return_sequences ? BL * P : B * P;
    const std::string out_shape = call.return_sequences ? "(B×L×outputs)" : "(B×outputs)";
    const std::size_t in_len = checked_product(env, api, BL, S);
    const bool mixed = shape_.mixed_memory;

    addon::ViewSet views(env, api);
    views.view<float>(a.params, "params", param_count_, false, false, "(the model parameters)");
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
      d_input = views.view<float>(a.d_input, "dInput", in_len, true, true, "(B×L×S)");
      d_timespans = views.view<float>(a.d_timespans, "dTimespans", BL, false, true, "(B×L)");
      d_h0 = views.view<float>(a.d_h0, "dH0", B * H, false, true, "(B×H)");
      d_c0 = mixed ? views.view<float>(a.d_c0, "dC0", B * H, false, true, "(B×H)") : nullptr;
      d_params = views.view<float>(a.d_params, "dParams", param_count_, true, true, "(the parameter layout)");
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
    auto baton = std::make_unique<addon::SequenceBaton<float>>();
    ResultTargets targets;
    targets.output = baton->own_output(output, out_len, a.output, "output", false);
    targets.h_final = baton->own_output(h_final, B * H, a.h_final, "hFinal", false);
    targets.c_final = baton->own_output(c_final, B * H, a.c_final, "cFinal", false);
    targets.h_sequence = baton->own_output(h_sequence, BL * H, a.h_sequence, "hSequence", false);
    targets.d_input = baton->own_output(d_input, in_len, a.d_input, "dInput", false);
    targets.d_timespans = baton->own_output(d_timespans, BL, a.d_timespans, "dTimespans", false);
    targets.d_h0 = baton->own_output(d_h0, B * H, a.d_h0, "dH0", false);
    targets.d_c0 = baton->own_output(d_c0, B * H, a.d_c0, "dC0", false);
    targets.d_params = baton->own_output(d_params, param_count_, a.d_params, "dParams", true);

    auto host = host_params(env, api, a.version);
    if (!async) {
      const SequenceResult result = execute(host, call);
      store(result, targets);
      deliver_or_throw(env, api, *baton);
      return call.loss ? Napi::Value(loss_value(env, result, call)) : env.Undefined();
    }
    return addon::PromiseWorker::start(
        new SequenceWorker(env, this, Value(), host, std::move(call), std::move(baton), targets, api));
  });
}

}  // namespace ncp::mlx_backend
