// Copyright 2026 ncp-silicon authors.
// The MLX addon's model object: the same constructor config and sequence-call arguments as the CPU addon's
// NativeModel (src/backend/native-types.ts), float32 only. Arguments are validated and copied on the main thread
// into a SequenceCall (nothing a worker reads belongs to JS); results are written back on the main thread.
#pragma once

#include <napi.h>

#include <memory>
#include <mutex>
#include <string>

#include "mlx/mlx_sequence.h"

namespace ncp::mlx_backend {

// A parameter version's host copy, shared by the calls that use it.
struct HostParams {
  double version = -1;
  std::vector<float> values;
};

class MlxModel final : public Napi::ObjectWrap<MlxModel> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit MlxModel(const Napi::CallbackInfo& info);

  // Runs one call on the device: uploads `host` if its version is not the one on the device, then evaluates.
  // Serialised by one process-wide lock (MLX's streams are not safe to evaluate from two threads at once).
  SequenceResult execute(const std::shared_ptr<const HostParams>& host, const SequenceCall& call);

 private:
  Napi::Value call(const Napi::CallbackInfo& info, bool backward, bool with_loss, bool async);
  Napi::Value forward(const Napi::CallbackInfo& info) { return call(info, false, false, false); }
  Napi::Value forward_backward(const Napi::CallbackInfo& info) { return call(info, true, false, false); }
  Napi::Value forward_async(const Napi::CallbackInfo& info) { return call(info, false, false, true); }
  Napi::Value forward_backward_async(const Napi::CallbackInfo& info) { return call(info, true, false, true); }
  // Forward, a built-in loss inside the graph, backward: one crossing, one vjp ({ loss, count }).
  Napi::Value forward_backward_loss(const Napi::CallbackInfo& info) { return call(info, true, true, false); }
  Napi::Value forward_backward_loss_async(const Napi::CallbackInfo& info) { return call(info, true, true, true); }
  Napi::Value input_size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), input_size_); }
  Napi::Value state_size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), state_size_); }
  Napi::Value output_size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), output_size_); }

  std::shared_ptr<const HostParams> host_params(Napi::Env env, const std::string& api, double version);

  std::string api_;
  ModelShape shape_;
  std::vector<ParamSlot> slots_;
  Napi::Reference<Napi::TypedArray> params_;
  std::size_t param_count_ = 0;
  int input_size_ = 0, state_size_ = 0, output_size_ = 0;
  std::shared_ptr<const HostParams> host_;  // main thread only
  // Device copy (worker threads, under the process-wide lock).
  std::shared_ptr<const HostParams> device_host_;  // the host copy device_ was uploaded from
  std::shared_ptr<const DeviceParams> device_;
};

}  // namespace ncp::mlx_backend
