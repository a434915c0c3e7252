// Copyright 2026 ncp-silicon authors.
#pragma once

#include <napi.h>

#include <memory>
#include <mutex>

#include "addon/model_factory.h"

namespace ncp::addon {

// The JS-visible native model: a cell configuration plus a reference to the model's flat parameter buffer
// (owned by TS). The runnable model is rebuilt from the buffer when the `version` passed with a call differs
// from the one it was built at (TS bumps it whenever parameters change), so parameter-only precomputation
// (softplus, packed synapse lists, masked weights) happens once per change, not once per call.
//
//   new NativeModel({ api, cell, cellConfig, params, offsets, mixedMemory, projSize })
//   .forward(args)  .forwardBackward(args)          synchronous: the low-latency path
//   .forwardAsync(args)  .forwardBackwardAsync(args) the same work on a libuv worker (Promise), on native copies
//       of the arguments made at the call (addon/sequence_args.h) and the parameter snapshot of that moment
//   .bindStep(batch, block) → step(version)           a function that runs one step through that I/O block: the
//       low-latency path for agents. A call passes no arrays, so it costs no typed-array inspection (each one is
//       ~0.1–0.2 µs of N-API and V8 work; a positional call with five arrays spent ~1.4 µs outside the kernel),
//       and, being a plain function with the model as its data, no ObjectWrap unwrap (a private-symbol property
//       lookup, ~0.1 µs).
//   .forwardBackwardLoss(args)  .forwardBackwardLossAsync(args) → { loss, count }: forward, a built-in loss
//       (args.loss, args.target, args.mask, args.targetIsIndex; core/loss.h) and backward in one crossing
//   .inputSize  .stateSize  .outputSize
class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit ModelWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value forward(const Napi::CallbackInfo& info);
  Napi::Value forward_backward(const Napi::CallbackInfo& info);
  Napi::Value forward_async(const Napi::CallbackInfo& info);
  Napi::Value forward_backward_async(const Napi::CallbackInfo& info);
  Napi::Value forward_backward_loss(const Napi::CallbackInfo& info);
  Napi::Value forward_backward_loss_async(const Napi::CallbackInfo& info);
  Napi::Value bind_step(const Napi::CallbackInfo& info);
  static Napi::Value step_bound(const Napi::CallbackInfo& info);
  Napi::Value input_size(const Napi::CallbackInfo& info);
  Napi::Value state_size(const Napi::CallbackInfo& info);
  Napi::Value output_size(const Napi::CallbackInfo& info);

  // The runnable model for this parameter version, rebuilt when it changed. The reference stays valid until the
  // next snapshot call (only the JS thread makes them); async work copies the shared_ptr to keep its own.
  template <typename T>
  const std::shared_ptr<const core::SequenceModelBase<T>>& snapshot(Napi::Env env, double version);
  enum class CallKind { Forward, ForwardBackward, ForwardBackwardLoss };
  Napi::Value dispatch(const Napi::CallbackInfo& info, CallKind kind, bool async);
  template <typename T>
  Napi::Value call(const Napi::CallbackInfo& info, CallKind kind, bool async);
  struct StepBinding;
  template <typename T>
  void step_bound_impl(Napi::Env env, const StepBinding& binding, double version);
  struct StepLayout {
    std::size_t dt, h, c, output, h_final, c_final, total;  // offsets (x at 0) and length, in elements
  };
  StepLayout step_layout(std::size_t batch) const;

  std::string api_;
  std::string step_api_;
  CellConfig config_;
  bool mixed_memory_ = false;
  int proj_size_ = 0;
  bool is_double_ = false;
  std::size_t param_count_ = 0;
  core::ParamOffsets offsets_;
  Napi::Reference<Napi::TypedArray> params_;
  int inputs_ = 0, state_ = 0, outputs_ = 0;

  std::mutex mutex_;  // guards the snapshots; async workers hold their own shared_ptr
  double version_ = -1;
  std::shared_ptr<const core::SequenceModelBase<float>> model_f32_;
  std::shared_ptr<const core::SequenceModelBase<double>> model_f64_;
};

}  // namespace ncp::addon
