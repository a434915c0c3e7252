// Copyright 2026 ncp-silicon authors.
// The MLX model's training step on the device (mlx_model.h): forward, the built-in loss, backward and the
// optimizer update in one evaluation, staged until the caller commits it, and the host's reads of the parameters
// and moments that then live on the device.
//
//   trainStepAsync({ ...sequence and loss args, update: { kind, lr, …, step, nonNegative: [{ offset, size }],
//                    m?, v? } }) → Promise<{ loss, count, applied, gradNorm, grads? }>
//   commitTrainStep(version)   the staged parameters and moments become the model's, under `version`
//   discardTrainStep()         drops them (a refused update, a failed call, a version that moved meanwhile)
//   readParameters(params)     copies the device's trainable parameters into the model's Float32Array
//   readMoments(m, v)          copies the device's moments into the trainable-prefix Float32Arrays m and v
#include <cmath>

#include "addon/buffers.h"
#include "addon/errors.h"
#include "addon/optim_binding.h"
#include "addon/promise_worker.h"
#include "mlx/mlx_errors.h"
#include "mlx/mlx_memory.h"
#include "mlx/mlx_model.h"

namespace ncp::mlx_backend {
namespace {

using addon::guarded;
using addon::throw_range;
using addon::throw_type;

constexpr const char* kPendingCode = "NCP_TRAIN_STEP_PENDING";

[[noreturn]] void throw_state(Napi::Env env, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, kPendingCode));
  throw error;
}

// update.nonNegative as trainable-slot indices: each range must be one whole trainable tensor.
std::vector<std::size_t> read_non_negative(Napi::Env env, const std::string& api, const Napi::Value& value,
                                           const std::vector<ParamSlot>& trainable) {
  std::vector<std::size_t> out;
  if (value.IsUndefined()) return out;
  if (!value.IsArray()) throw_type(env, api, "update.nonNegative", "an array of { offset, size }", value);
  const Napi::Array ranges = value.As<Napi::Array>();
  if (ranges.Length() > trainable.size()) {
    throw_range(env, api, "update.nonNegative", "at most one range per trainable tensor",
                std::to_string(ranges.Length()) + " ranges");
  }
  for (uint32_t r = 0; r < ranges.Length(); ++r) {
    const std::string name = "update.nonNegative[" + std::to_string(r) + "]";
    const Napi::Value range = ranges.Get(r);
    if (!range.IsObject()) throw_type(env, api, name, "an object { offset, size }", range);
    const double offset = addon::get_number(env, api, range.As<Napi::Object>(), "offset", -1);
    const double size = addon::get_number(env, api, range.As<Napi::Object>(), "size", -1);
    std::size_t k = 0;
    while (k < trainable.size() && !(static_cast<double>(trainable[k].offset) == offset &&
                                     static_cast<double>(trainable[k].size) == size)) {
      ++k;
    }
    if (k == trainable.size()) {
      throw_range(env, api, name, "the offset and size of one trainable parameter tensor",
                  "offset " + addon::format_number(offset) + ", size " + addon::format_number(size));
    }
    out.push_back(k);
  }
  return out;
}

class TrainWorker final : public addon::PromiseWorker {
 public:
  TrainWorker(Napi::Env env, MlxModel* model, const Napi::Object& owner, std::shared_ptr<const HostParams> host,
              PreparedCall prepared, UpdateCall update, std::string api)
      : addon::PromiseWorker(env, "ncp-silicon:mlx-train-step"),
        owner_(Napi::Persistent(owner)),
        model_(model),
        host_(std::move(host)),
        prepared_(std::move(prepared)),
        update_(std::move(update)),
        api_(std::move(api)) {}

 private:
  void run() override {
    outcome_ = model_->execute_training(host_, prepared_.call, update_);
    store(outcome_.sequence, prepared_.targets);
  }

  Napi::Value settle(Napi::Env env) override {
    deliver_or_throw(env, api_, *prepared_.baton);
    Napi::Object out = loss_value(env, outcome_.sequence, prepared_.call);
    out.Set("applied", Napi::Boolean::New(env, outcome_.applied));
    out.Set("gradNorm", Napi::Number::New(env, outcome_.grad_norm));
    if (!outcome_.applied) {
      Napi::Float32Array grads = Napi::Float32Array::New(env, outcome_.grads.size());
      std::copy(outcome_.grads.begin(), outcome_.grads.end(), grads.Data());
      out.Set("grads", grads);
    }
    return out;
  }

  Napi::ObjectReference owner_;  // keeps the model alive while the call runs
  MlxModel* model_;
  std::shared_ptr<const HostParams> host_;
  PreparedCall prepared_;
  UpdateCall update_;
  TrainOutcome outcome_;
  std::string api_;
};

}  // namespace

TrainOutcome MlxModel::execute_training(const std::shared_ptr<const HostParams>& host, const SequenceCall& call,
                                        const UpdateCall& update) {
  std::lock_guard<std::mutex> lock(device_lock());
  return mlx_guarded([&] { return train_locked(host, call, update); });
}

TrainOutcome MlxModel::train_locked(const std::shared_ptr<const HostParams>& host, const SequenceCall& call,
                                    const UpdateCall& update) {
  const std::shared_ptr<const DeviceParams> params = params_for(host);
  // The host's moments replace the device's at once: they are what both sides hold from here on.
  if (update.m) moments_ = std::make_shared<const DeviceMoments>(upload_moments(*params, update.m->data(), update.v->data()));
  else if (!moments_) moments_ = std::make_shared<const DeviceMoments>(zero_moments(*params));
  const SequenceGraph graph = build_sequence(shape_, *params, call);
  const std::vector<mx::array> grads(graph.grads.begin(), graph.grads.begin() + params->trainable.size());
  const UpdateGraph next = update_graph(update, *params, grads, *moments_, graph.values.back());
  std::vector<mx::array> also = next.params;
  also.insert(also.end(), next.moments.m.begin(), next.moments.m.end());
  also.insert(also.end(), next.moments.v.begin(), next.moments.v.end());
  also.push_back(next.grad_norm);
  also.push_back(next.applied);

  TrainOutcome out;
  out.sequence = collect(shape_, *params, param_count_, call, graph, also);
  out.applied = next.applied.item<bool>();
  out.grad_norm = static_cast<double>(next.grad_norm.item<float>());
  if (!out.applied) {
    out.grads.assign(trainable_length_, 0.0f);
    copy_trainable(*params, grads, out.grads.data());
  }
  auto staged = std::make_shared<DeviceParams>(*params);
  for (std::size_t i = 0; i < params->trainable.size(); ++i) {
    staged->by_name.insert_or_assign(params->trainable[i].name, next.params[i]);
  }
  staged_params_ = staged;
  staged_moments_ = std::make_shared<const DeviceMoments>(next.moments);
  return out;
}

Napi::Value MlxModel::train_step_async(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string api = api_ + ".trainStepAsync";
  return guarded(env, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsObject()) throw_type(env, api, "args", "an object", info[0]);
    if (step_pending_) throw_state(env, api + ": a training step is already pending; commit or discard it first.");
    const Napi::Object args = info[0].As<Napi::Object>();
    PreparedCall prepared = read_call(env, api, args, sizes(), true, true, true);
    check_call_memory(env, api, shape_, sizes(), prepared.call);
    const Napi::Value update_value = args.Get("update");
    if (!update_value.IsObject()) throw_type(env, api, "update", "an object with the optimizer's settings", update_value);
    const Napi::Object u = update_value.As<Napi::Object>();
    UpdateCall update;
    update.config = addon::read_optimizer_config(env, api, u);
    std::vector<ParamSlot> trainable;
    for (const auto& slot : slots_) if (slot.trainable) trainable.push_back(slot);
    update.non_negative = read_non_negative(env, api, u.Get("nonNegative"), trainable);
    const Napi::Value m_value = u.Get("m"), v_value = u.Get("v");
    const char* shape = "(the trainable parameters)";
    addon::ViewSet views(env, api);
    const float* m = views.view<float>(m_value, "update.m", trainable_length_, false, false, shape);
    const float* v = views.view<float>(v_value, "update.v", trainable_length_, m != nullptr, false, shape);
    if (m && v) {
      update.m.emplace(m, m + trainable_length_);
      update.v.emplace(v, v + trainable_length_);
      for (std::size_t i = 0; i < trainable_length_; ++i) {
        if (!std::isfinite((*update.m)[i]) || !std::isfinite((*update.v)[i])) {
          throw_range(env, api, "update.m / update.v", "finite moments",
                      "a non-finite value at element " + std::to_string(i));
        }
      }
    } else if (v) {
      throw_type(env, api, "update.m", "a Float32Array (the trainable parameters) beside update.v", m_value);
    }
    auto host = host_params(env, api, prepared.version);
    step_pending_ = true;
    return addon::PromiseWorker::start(
        new TrainWorker(env, this, Value(), host, std::move(prepared), std::move(update), api));
  });
}

Napi::Value MlxModel::commit_train_step(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string api = api_ + ".commitTrainStep";
  return guarded(env, [&]() -> Napi::Value {
    const double version = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : NAN;
    if (!std::isfinite(version)) throw_type(env, api, "version", "a finite number", info[0]);
    std::lock_guard<std::mutex> lock(device_lock());
    if (!staged_params_) throw_state(env, api + ": no training step is staged (it failed, or was committed or discarded).");
    if (!(version > device_version_)) {
      throw_range(env, api, "version", "a version newer than the device's", addon::format_number(version));
    }
    device_ = staged_params_;
    moments_ = staged_moments_;
    device_version_ = version;
    device_owned_version_ = version;
    staged_params_.reset();
    staged_moments_.reset();
    step_pending_ = false;
    return env.Undefined();
  });
}

Napi::Value MlxModel::discard_train_step(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(device_lock());
  staged_params_.reset();
  staged_moments_.reset();
  step_pending_ = false;
  return info.Env().Undefined();
}

Napi::Value MlxModel::read_parameters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string api = api_ + ".readParameters";
  return guarded(env, [&]() -> Napi::Value {
    addon::ViewSet views(env, api);
    float* into = views.view<float>(info[0], "params", param_count_, true, true, "(the model parameters)");
    std::lock_guard<std::mutex> lock(device_lock());
    if (!device_ || device_version_ != device_owned_version_) {
      throw_state(env, api + ": the device holds no parameters newer than the host's.");
    }
    std::vector<mx::array> arrays;
    for (const auto& slot : device_->trainable) arrays.push_back((*device_)[slot.name]);
    mlx_guarded([&] { copy_trainable(*device_, arrays, into); });
    return env.Undefined();
  });
}

Napi::Value MlxModel::read_moments(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string api = api_ + ".readMoments";
  return guarded(env, [&]() -> Napi::Value {
    const char* shape = "(the trainable parameters)";
    // One view set: m and v must not overlap (both are written).
    addon::ViewSet views(env, api);
    float* m = views.view<float>(info[0], "m", trainable_length_, true, true, shape);
    float* v = views.view<float>(info[1], "v", trainable_length_, true, true, shape);
    std::lock_guard<std::mutex> lock(device_lock());
    if (!moments_ || !device_) throw_state(env, api + ": no optimizer moments live on the device.");
    mlx_guarded([&] {
      copy_trainable(*device_, moments_->m, m);
      copy_trainable(*device_, moments_->v, v);
    });
    return env.Undefined();
  });
}

}  // namespace ncp::mlx_backend
