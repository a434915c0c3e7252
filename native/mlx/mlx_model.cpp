// Copyright 2026 ncp-silicon authors.
#include "mlx/mlx_model.h"

#include <algorithm>
#include <cmath>

#include "addon/buffers.h"
#include "addon/cell_config.h"
#include "addon/errors.h"
#include "addon/limits.h"
#include "addon/loss_args.h"
#include "addon/promise_worker.h"
#include "addon/sequence_args.h"
#include "mlx/mlx_errors.h"
#include "mlx/mlx_memory.h"

namespace ncp::mlx_backend {
namespace {

using addon::describe_value;
using addon::guarded;
using addon::throw_range;
using addon::throw_type;

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

std::mutex& device_lock() {
  static std::mutex lock;
  return lock;
}

Napi::Function MlxModel::define(Napi::Env env) {
  return DefineClass(env, "MlxModel",
                     {
                         InstanceMethod<&MlxModel::forward>("forward"),
                         InstanceMethod<&MlxModel::forward_backward>("forwardBackward"),
                         InstanceMethod<&MlxModel::forward_async>("forwardAsync"),
                         InstanceMethod<&MlxModel::forward_backward_async>("forwardBackwardAsync"),
                         InstanceMethod<&MlxModel::forward_backward_loss>("forwardBackwardLoss"),
                         InstanceMethod<&MlxModel::forward_backward_loss_async>("forwardBackwardLossAsync"),
                         InstanceMethod<&MlxModel::train_step_async>("trainStepAsync"),
                         InstanceMethod<&MlxModel::commit_train_step>("commitTrainStep"),
                         InstanceMethod<&MlxModel::discard_train_step>("discardTrainStep"),
                         InstanceMethod<&MlxModel::read_parameters>("readParameters"),
                         InstanceMethod<&MlxModel::read_moments>("readMoments"),
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
    for (const auto& slot : slots_) {
      if (slot.trainable) trainable_length_ = std::max(trainable_length_, slot.offset + slot.size);
    }
  });
}

CallSizes MlxModel::sizes() const {
  CallSizes s;
  s.inputs = static_cast<std::size_t>(input_size_);
  s.state = static_cast<std::size_t>(state_size_);
  s.outputs = static_cast<std::size_t>(output_size_);
  s.params = param_count_;
  s.mixed_memory = shape_.mixed_memory;
  return s;
}

std::shared_ptr<const HostParams> MlxModel::host_params(Napi::Env env, const std::string& api, double version) {
  if (version == device_owned_version_) return nullptr;
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

std::shared_ptr<const DeviceParams> MlxModel::params_for(const std::shared_ptr<const HostParams>& host) {
  if (!host || host->version == device_version_) return device_;
  auto uploaded = std::make_shared<const DeviceParams>(upload(slots_, host->values.data()));
  if (host->version > device_version_) {
    device_ = uploaded;
    device_version_ = host->version;
  }
  return uploaded;
}

SequenceResult MlxModel::execute(const std::shared_ptr<const HostParams>& host, const SequenceCall& call) {
  std::lock_guard<std::mutex> lock(device_lock());
  return mlx_guarded([&] { return run_sequence(shape_, *params_for(host), param_count_, call); });
}

Napi::Value MlxModel::call(const Napi::CallbackInfo& info, bool backward, bool with_loss, bool async) {
  Napi::Env env = info.Env();
  const char* name = !backward ? ".forward" : with_loss ? ".forwardBackwardLoss" : ".forwardBackward";
  const std::string api = api_ + name + (async ? "Async" : "");
  return guarded(env, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsObject()) throw_type(env, api, "args", "an object", info[0]);
    PreparedCall p = read_call(env, api, info[0].As<Napi::Object>(), sizes(), backward, with_loss, false);
    check_call_memory(env, api, shape_, sizes(), p.call);
    auto host = host_params(env, api, p.version);
    if (!async) {
      const SequenceResult result = execute(host, p.call);
      store(result, p.targets);
      deliver_or_throw(env, api, *p.baton);
      return p.call.loss ? Napi::Value(loss_value(env, result, p.call)) : env.Undefined();
    }
    return addon::PromiseWorker::start(
        new SequenceWorker(env, this, Value(), host, std::move(p.call), std::move(p.baton), p.targets, api));
  });
}

}  // namespace ncp::mlx_backend
