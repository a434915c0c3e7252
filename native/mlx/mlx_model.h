// Copyright 2026 ncp-silicon authors.
// The MLX addon's model object: the same constructor config and sequence-call arguments as the CPU addon's
// NativeModel (src/backend/native-types.ts), float32 only. Arguments are validated and copied on the main thread
// (mlx_call_args.h); results are written back on the main thread.
//
// Where the parameters live: a call carries the version of the caller's host buffer, which is copied and uploaded
// once per version. A training step (trainStepAsync) runs forward, loss, backward and the optimizer update in one
// evaluation and stages the new parameters and moments on the device; commitTrainStep(version) makes them the
// model's parameters under a new version that then lives only on the device, until readParameters copies it back.
#pragma once

#include <napi.h>

#include <limits>
#include <memory>
#include <mutex>
#include <string>

#include "mlx/mlx_call_args.h"
#include "mlx/mlx_optim.h"
#include "mlx/mlx_sequence.h"

namespace ncp::mlx_backend {

// A parameter version's host copy, shared by the calls that use it.
struct HostParams {
  double version = -1;
  std::vector<float> values;
};

// A training step's outcome, computed on a worker.
struct TrainOutcome {
  SequenceResult sequence;
  bool applied = false;
  double grad_norm = 0;
  std::vector<float> grads;  // the trainable prefix, only when the update was refused (to name the culprit)
};

class MlxModel final : public Napi::ObjectWrap<MlxModel> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit MlxModel(const Napi::CallbackInfo& info);

  // Worker threads, serialised by one process-wide lock (MLX's streams are not safe to evaluate from two threads
  // at once). `host`: the caller's version, or nullptr when that version lives on the device.
  SequenceResult execute(const std::shared_ptr<const HostParams>& host, const SequenceCall& call);
  TrainOutcome execute_training(const std::shared_ptr<const HostParams>& host, const SequenceCall& call,
                                const UpdateCall& update);

 private:
  Napi::Value call(const Napi::CallbackInfo& info, bool backward, bool with_loss, bool async);
  Napi::Value forward(const Napi::CallbackInfo& info) { return call(info, false, false, false); }
  Napi::Value forward_backward(const Napi::CallbackInfo& info) { return call(info, true, false, false); }
  Napi::Value forward_async(const Napi::CallbackInfo& info) { return call(info, false, false, true); }
  Napi::Value forward_backward_async(const Napi::CallbackInfo& info) { return call(info, true, false, true); }
  // Forward, a built-in loss inside the graph, backward: one crossing, one vjp ({ loss, count }).
  Napi::Value forward_backward_loss(const Napi::CallbackInfo& info) { return call(info, true, true, false); }
  Napi::Value forward_backward_loss_async(const Napi::CallbackInfo& info) { return call(info, true, true, true); }
  // mlx_model_train.cpp: the training step on the device and the host's access to what it leaves there.
  Napi::Value train_step_async(const Napi::CallbackInfo& info);
  Napi::Value commit_train_step(const Napi::CallbackInfo& info);
  Napi::Value discard_train_step(const Napi::CallbackInfo& info);
  Napi::Value read_parameters(const Napi::CallbackInfo& info);
  Napi::Value read_moments(const Napi::CallbackInfo& info);
  Napi::Value input_size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), input_size_); }
  Napi::Value state_size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), state_size_); }
  Napi::Value output_size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), output_size_); }

  // execute_training's body, under the lock (execute_training types MLX's failures around it).
  TrainOutcome train_locked(const std::shared_ptr<const HostParams>& host, const SequenceCall& call,
                            const UpdateCall& update);
  CallSizes sizes() const;
  // The host copy of `version`, or nullptr when that version lives only on the device.
  std::shared_ptr<const HostParams> host_params(Napi::Env env, const std::string& api, double version);
  // Under the lock: the device arrays of the caller's version. A newer host version replaces the device's; an
  // older one (a call racing a newer upload) is uploaded for that call alone, so the device never goes back.
  std::shared_ptr<const DeviceParams> params_for(const std::shared_ptr<const HostParams>& host);

  static constexpr double kNoVersion = -std::numeric_limits<double>::infinity();

  std::string api_;
  ModelShape shape_;
  std::vector<ParamSlot> slots_;
  Napi::Reference<Napi::TypedArray> params_;
  std::size_t param_count_ = 0, trainable_length_ = 0;
  int input_size_ = 0, state_size_ = 0, output_size_ = 0;
  // Main thread only.
  std::shared_ptr<const HostParams> host_;
  double device_owned_version_ = kNoVersion;  // the version a commit made, whose values are on the device only
  bool step_pending_ = false;                 // a training step issued and not yet committed or discarded
  // Under the process-wide lock.
  std::shared_ptr<const DeviceParams> device_;
  double device_version_ = kNoVersion;
  std::shared_ptr<const DeviceMoments> moments_;
  std::shared_ptr<const DeviceParams> staged_params_;
  std::shared_ptr<const DeviceMoments> staged_moments_;
};

// The process-wide lock every MLX evaluation holds.
std::mutex& device_lock();

}  // namespace ncp::mlx_backend
