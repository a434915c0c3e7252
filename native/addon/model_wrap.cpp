// Copyright 2026 ncp-silicon authors.
#include "addon/model_wrap.h"

#include <climits>
#include <cmath>
#include <memory>
#include <string>

#include "addon/buffers.h"
#include "addon/config_fields.h"
#include "addon/errors.h"
#include "addon/limits.h"
#include "addon/loss_args.h"
#include "addon/promise_worker.h"
#include "addon/sequence_args.h"

namespace ncp::addon {
namespace {

constexpr int kMaxDim = INT_MAX / 64;

// One async forward, forward+backward or fused forward+loss+backward. Everything it reads and writes is in its
// baton (native copies made on the JS thread at the call), and the model is its own shared snapshot: run() touches
// no JS object and no JS memory. The results reach the caller's arrays in settle(), on the JS thread.
template <typename T>
class SequenceWorker final : public PromiseWorker {
 public:
  SequenceWorker(Napi::Env env, std::string api, std::shared_ptr<const core::SequenceModelBase<T>> model,
                 std::unique_ptr<SequenceBaton<T>> baton, const core::SequenceForward<T>& io,
                 const core::SequenceBackward<T>& grads, bool backward, std::unique_ptr<FusedLoss<T>> loss)
      : PromiseWorker(env, "ncp-silicon:sequence"),
        api_(std::move(api)),
        model_(std::move(model)),
        baton_(std::move(baton)),
        io_(io),
        grads_(grads),
        backward_(backward),
        loss_(std::move(loss)) {}

 private:
  void run() override {
    if (backward_) model_->forward_backward(io_, grads_);
    else model_->forward(io_);
  }

  Napi::Value settle(Napi::Env env) override {
    if (const char* lost = baton_->deliver(env)) {
      throw_range(env, api_, lost, "the output array to stay attached and as long until the promise settles",
                  "a detached or resized buffer");
    }
    return loss_ ? Napi::Value(loss_->result(env)) : env.Undefined();
  }

  std::string api_;
  std::shared_ptr<const core::SequenceModelBase<T>> model_;
  std::unique_ptr<SequenceBaton<T>> baton_;
  core::SequenceForward<T> io_;
  core::SequenceBackward<T> grads_;
  bool backward_;
  std::unique_ptr<FusedLoss<T>> loss_;  // fused calls: what grads_.loss points into
};

std::size_t checked_product(Napi::Env env, const std::string& api, std::size_t a, std::size_t b) {
  if (a != 0 && b > SIZE_MAX / a) throw_range(env, api, "batch", "sizes whose product fits in memory", "too large");
  return a * b;
}

}  // namespace

Napi::Function ModelWrap::define(Napi::Env env) {
  return DefineClass(env, "NativeModel",
                     {
                         InstanceMethod<&ModelWrap::forward>("forward"),
                         InstanceMethod<&ModelWrap::forward_backward>("forwardBackward"),
                         InstanceMethod<&ModelWrap::forward_async>("forwardAsync"),
                         InstanceMethod<&ModelWrap::forward_backward_async>("forwardBackwardAsync"),
                         InstanceMethod<&ModelWrap::forward_backward_loss>("forwardBackwardLoss"),
                         InstanceMethod<&ModelWrap::forward_backward_loss_async>("forwardBackwardLossAsync"),
                         InstanceMethod<&ModelWrap::bind_step>("bindStep"),
                         InstanceAccessor<&ModelWrap::input_size>("inputSize"),
                         InstanceAccessor<&ModelWrap::state_size>("stateSize"),
                         InstanceAccessor<&ModelWrap::output_size>("outputSize"),
                     });
}

ModelWrap::ModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelWrap>(info) {
  Napi::Env env = info.Env();
  guarded(env, [&] {
    ModelConfig config = read_model_config(env, info[0], "NativeModel");
    api_ = config.api;
    step_api_ = api_ + ".step";
    config_ = config.cell;
    mixed_memory_ = config.mixed_memory;
    proj_size_ = config.proj_size;
    is_double_ = config.params.TypedArrayType() == napi_float64_array;
    param_count_ = config.params.ElementLength();
    params_ = Napi::Persistent(config.params);
    offsets_ = std::move(config.offsets);
    // Build once now, so configuration errors surface at construction and sizes are known.
    if (is_double_) {
      auto model = snapshot<double>(env, 0);
      inputs_ = model->input_size(), state_ = model->state_size(), outputs_ = model->output_size();
    } else {
      auto model = snapshot<float>(env, 0);
      inputs_ = model->input_size(), state_ = model->state_size(), outputs_ = model->output_size();
    }
  });
}

template <typename T>
const std::shared_ptr<const core::SequenceModelBase<T>>& ModelWrap::snapshot(Napi::Env env, double version) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = [this]() -> std::shared_ptr<const core::SequenceModelBase<T>>& {
    if constexpr (std::is_same_v<T, float>) return model_f32_;
    else return model_f64_;
  }();
  if (slot && version == version_) return slot;
  // The view is re-read at every rebuild: a detached buffer has no data, a shrunk resizable one a shorter
  // length. The model built copies what it needs, so later changes to the buffer never reach a running call.
  napi_typedarray_type type;
  std::size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  std::size_t byte_offset = 0;
  if (napi_get_typedarray_info(env, params_.Value(), &type, &length, &data, &buffer, &byte_offset) != napi_ok ||
      length != param_count_ || (param_count_ > 0 && data == nullptr)) {
    throw_range(env, api_, "params", "the live parameter buffer of " + std::to_string(param_count_) + " elements",
                "a detached or resized buffer");
  }
  slot = make_sequence_model<T>(config_, mixed_memory_, proj_size_, static_cast<const T*>(data), offsets_,
                                param_count_);
  version_ = version;
  return slot;
}

template <typename T>
Napi::Value ModelWrap::call(const Napi::CallbackInfo& info, CallKind kind, bool async) {
  Napi::Env env = info.Env();
  const bool backward = kind != CallKind::Forward;
  const bool with_loss = kind == CallKind::ForwardBackwardLoss;
  const char* name = kind == CallKind::Forward ? ".forward" : with_loss ? ".forwardBackwardLoss" : ".forwardBackward";
  const std::string api = api_ + name + (async ? "Async" : "");
  return guarded(env, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsObject()) throw_type(env, api, "args", "an object", info[0]);
    // Every field is read once, here; from now on no JS runs (no getter can detach a buffer once viewed).
    const Napi::Object args = info[0].As<Napi::Object>();
    const SequenceArgValues a = read_sequence_args(env, api, args, backward, kMaxDim);
    const LossArgValues loss_args = with_loss ? read_loss_args(env, api, args) : LossArgValues{};
    const std::size_t B = a.batch, L = a.steps, S = inputs_, H = state_, P = outputs_;
    const std::size_t BL = checked_product(env, api, B, L);
    if (static_cast<double>(BL) > limits::kMaxBatchSteps) {
      throw_limit(env, api, "batch × steps", "at most 134217728 (LIMITS.maxBatchSteps)", std::to_string(BL));
    }

    core::SequenceForward<T> io;
    core::SequenceBackward<T> grads;
    io.batch = a.batch;
    io.steps = a.steps;
    io.batch_first = a.batch_first;
    io.return_sequences = a.return_sequences;
    io.dropout_seed = a.dropout_seed;
    const std::size_t out_len = io.return_sequences ? BL * P : B * P;
    const std::string out_shape = io.return_sequences ? "(B×L×outputs)" : "(B×outputs)";
    const std::size_t in_len = checked_product(env, api, BL, S);

    ViewSet views(env, api);
    views.view<T>(a.params, "params", param_count_, false, false, "(the model parameters)");
    io.input = views.view<T>(a.input, "input", in_len, true, false, "(B×L×S)");
    io.timespans = views.view<T>(a.timespans, "timespans", BL, false, false, "(B×L)");
    io.h0 = views.view<T>(a.h0, "h0", B * H, false, false, "(B×H)");
    io.c0 = mixed_memory_ ? views.view<T>(a.c0, "c0", B * H, false, false, "(B×H)") : nullptr;
    io.output = views.view<T>(a.output, "output", out_len, true, true, out_shape);
    io.h_final = views.view<T>(a.h_final, "hFinal", B * H, true, true, "(B×H)");
    io.c_final = mixed_memory_ ? views.view<T>(a.c_final, "cFinal", B * H, true, true, "(B×H)") : nullptr;
    io.h_sequence = views.view<T>(a.h_sequence, "hSequence", BL * H, false, true, "(B×L×H)");
    if (backward) {
      if (!with_loss) grads.d_output = views.view<T>(a.d_output, "dOutput", out_len, true, false, out_shape);
      grads.d_h_final = views.view<T>(a.d_h_final, "dHFinal", B * H, false, false, "(B×H)");
      grads.d_c_final = mixed_memory_ ? views.view<T>(a.d_c_final, "dCFinal", B * H, false, false, "(B×H)") : nullptr;
      grads.d_input = views.view<T>(a.d_input, "dInput", in_len, true, true, "(B×L×S)");
      grads.d_timespans = views.view<T>(a.d_timespans, "dTimespans", BL, false, true, "(B×L)");
      grads.d_h0 = views.view<T>(a.d_h0, "dH0", B * H, false, true, "(B×H)");
      grads.d_c0 = mixed_memory_ ? views.view<T>(a.d_c0, "dC0", B * H, false, true, "(B×H)") : nullptr;
      grads.d_params = views.view<T>(a.d_params, "dParams", param_count_, true, true, "(the parameter layout)");
    }

    std::unique_ptr<SequenceBaton<T>> baton;
    if (async) baton = std::make_unique<SequenceBaton<T>>();
    std::unique_ptr<FusedLoss<T>> loss;
    if (with_loss) {
      const std::size_t rows = io.return_sequences ? BL : B;
      loss = make_fused_loss<T>(view_loss<T>(env, api, views, loss_args, rows, outputs_), B, rows, baton.get());
      grads.loss = &loss->loss;
      grads.loss_d_output = loss->d_output.data();
      grads.loss_sums = loss->sums.data();
    }
    if (async) {
      // The worker's own copies; the timespans are checked below on the copy it will read.
      io.input = baton->own_input(io.input, in_len);
      io.timespans = baton->own_input(io.timespans, BL);
      io.h0 = baton->own_input(io.h0, B * H);
      io.c0 = baton->own_input(io.c0, B * H);
      io.output = baton->own_output(io.output, out_len, a.output, "output", false);
      io.h_final = baton->own_output(io.h_final, B * H, a.h_final, "hFinal", false);
      io.c_final = baton->own_output(io.c_final, B * H, a.c_final, "cFinal", false);
      io.h_sequence = baton->own_output(io.h_sequence, BL * H, a.h_sequence, "hSequence", false);
      if (backward) {
        grads.d_output = baton->own_input(grads.d_output, out_len);
        grads.d_h_final = baton->own_input(grads.d_h_final, B * H);
        grads.d_c_final = baton->own_input(grads.d_c_final, B * H);
        grads.d_input = baton->own_output(grads.d_input, in_len, a.d_input, "dInput", false);
        grads.d_timespans = baton->own_output(grads.d_timespans, BL, a.d_timespans, "dTimespans", false);
        grads.d_h0 = baton->own_output(grads.d_h0, B * H, a.d_h0, "dH0", false);
        grads.d_c0 = baton->own_output(grads.d_c0, B * H, a.d_c0, "dC0", false);
        grads.d_params = baton->own_output(grads.d_params, param_count_, a.d_params, "dParams", true);
      }
    }
    if (io.timespans) {
      for (std::size_t i = 0; i < BL; ++i) {
        const T dt = io.timespans[i];
        if (!(dt > T(0)) || !std::isfinite(static_cast<double>(dt))) {
          throw_range(env, api, "timespans[" + std::to_string(i) + "]", "a finite number > 0",
                      "number " + format_number(static_cast<double>(dt)));
        }
      }
    }

    auto model = snapshot<T>(env, a.version);
    if (!async) {
      if (backward) model->forward_backward(io, grads);
      else model->forward(io);
      return loss ? Napi::Value(loss->result(env)) : env.Undefined();
    }
    return PromiseWorker::start(
        new SequenceWorker<T>(env, api, model, std::move(baton), io, grads, backward, std::move(loss)));
  });
}

// The step block's layout, in elements: [x B×S | dt B | h B×H | c B×H | output B×P | hFinal B×H | cFinal B×H],
// the c and cFinal parts only with mixed memory.
ModelWrap::StepLayout ModelWrap::step_layout(std::size_t batch) const {
  const std::size_t B = batch, S = inputs_, H = state_, P = outputs_;
  const std::size_t C = mixed_memory_ ? B * H : 0;
  StepLayout z;
  z.dt = B * S;
  z.h = z.dt + B;
  z.c = z.h + B * H;
  z.output = z.c + C;
  z.h_final = z.output + B * P;
  z.c_final = z.h_final + B * H;
  z.total = z.c_final + C;
  return z;
}

// The data of a function bindStep returns: the model (weakly: the function must not keep it alive, and a call
// after it was collected is refused) and the block (strongly, for as long as the function lives).
struct ModelWrap::StepBinding {
  ModelWrap* model;
  Napi::ObjectReference owner;
  Napi::Reference<Napi::ArrayBuffer> buffer;
  std::size_t byte_offset;
  std::size_t batch;
};

Napi::Value ModelWrap::bind_step(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string api = api_ + ".bindStep";
  return guarded(env, [&]() -> Napi::Value {
    if (info.Length() != 2) throw_range(env, api, "arguments", "2 arguments (batch, block)", std::to_string(info.Length()));
    const double batch = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
    if (!(batch >= 1 && batch <= kMaxDim) || std::floor(batch) != batch) {
      throw_range(env, api, "batch", "a positive integer", describe_value(info[0]));
    }
    const std::size_t B = static_cast<std::size_t>(batch);
    const std::size_t total = step_layout(B).total;  // B and every size are below 2^31: no overflow
    ViewSet views(env, api);
    if (is_double_) views.view<double>(info[1], "block", total, true, true, "(the step block)");
    else views.view<float>(info[1], "block", total, true, true, "(the step block)");
    Napi::TypedArray block = info[1].As<Napi::TypedArray>();
    void* data = nullptr;
    std::size_t byte_length = 0;
    if (napi_get_arraybuffer_info(env, block.ArrayBuffer(), &data, &byte_length) != napi_ok) {
      throw_type(env, api, "block", "a typed array over an ArrayBuffer", info[1]);  // e.g. a SharedArrayBuffer
    }
    auto binding = std::make_unique<StepBinding>(
        StepBinding{this, Napi::Weak(Value()), Napi::Persistent(block.ArrayBuffer()), block.ByteOffset(), B});
    Napi::Function step = Napi::Function::New<&ModelWrap::step_bound>(env, "step", binding.get());
    step.AddFinalizer([](Napi::Env, StepBinding* done) { delete done; }, binding.get());
    binding.release();  // owned by the function's finalizer from here on
    return step;
  });
}

template <typename T>
void ModelWrap::step_bound_impl(Napi::Env env, const StepBinding& binding, double version) {
  const std::size_t B = binding.batch;
  const StepLayout z = step_layout(B);
  // Re-read the buffer every call (the cheapest check N-API offers: two inline V8 accessors): a detached buffer
  // reports no data, a shrunk resizable one a shorter length.
  void* data = nullptr;
  std::size_t byte_length = 0;
  if (napi_get_arraybuffer_info(env, binding.buffer.Value(), &data, &byte_length) != napi_ok || data == nullptr ||
      byte_length < binding.byte_offset + z.total * sizeof(T)) {
    throw_range(env, step_api_, "the step block", "the live block registered with bindStep", "a detached or replaced buffer");
  }
  T* block = reinterpret_cast<T*>(static_cast<unsigned char*>(data) + binding.byte_offset);
  for (std::size_t i = 0; i < B; ++i) {
    const T dt = block[z.dt + i];
    if (!(dt > T(0)) || !std::isfinite(static_cast<double>(dt))) {
      throw_range(env, step_api_, "dt[" + std::to_string(i) + "]", "a finite number > 0",
                  "number " + format_number(static_cast<double>(dt)));
    }
  }
  core::SequenceForward<T> io;
  io.batch = static_cast<int>(B);
  io.steps = 1;
  io.batch_first = true;
  io.return_sequences = false;
  io.is_step = true;
  io.input = block;
  io.timespans = block + z.dt;
  io.h0 = block + z.h;
  io.c0 = mixed_memory_ ? block + z.c : nullptr;
  io.output = block + z.output;
  io.h_final = block + z.h_final;
  io.c_final = mixed_memory_ ? block + z.c_final : nullptr;
  snapshot<T>(env, version)->forward(io);
}

Napi::Value ModelWrap::step_bound(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& binding = *static_cast<const StepBinding*>(info.Data());
  if (binding.owner.Value().IsEmpty()) {
    throw_range(env, "NativeModel.step", "the model", "a live model", "one that was garbage-collected");
  }
  ModelWrap& self = *binding.model;
  guarded(env, [&] {
    if (info.Length() != 1 || !info[0].IsNumber()) throw_type(env, self.step_api_, "version", "a number", info[0]);
    const double version = info[0].As<Napi::Number>().DoubleValue();
    if (self.is_double_) self.step_bound_impl<double>(env, binding, version);
    else self.step_bound_impl<float>(env, binding, version);
  });
  return env.Undefined();
}

Napi::Value ModelWrap::dispatch(const Napi::CallbackInfo& info, CallKind kind, bool async) {
  return is_double_ ? call<double>(info, kind, async) : call<float>(info, kind, async);
}
Napi::Value ModelWrap::forward(const Napi::CallbackInfo& info) { return dispatch(info, CallKind::Forward, false); }
Napi::Value ModelWrap::forward_backward(const Napi::CallbackInfo& info) {
  return dispatch(info, CallKind::ForwardBackward, false);
}
Napi::Value ModelWrap::forward_backward_loss(const Napi::CallbackInfo& info) {
  return dispatch(info, CallKind::ForwardBackwardLoss, false);
}
Napi::Value ModelWrap::forward_async(const Napi::CallbackInfo& info) { return dispatch(info, CallKind::Forward, true); }
Napi::Value ModelWrap::forward_backward_async(const Napi::CallbackInfo& info) {
  return dispatch(info, CallKind::ForwardBackward, true);
}
Napi::Value ModelWrap::forward_backward_loss_async(const Napi::CallbackInfo& info) {
  return dispatch(info, CallKind::ForwardBackwardLoss, true);
}
Napi::Value ModelWrap::input_size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), inputs_); }
Napi::Value ModelWrap::state_size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), state_); }
Napi::Value ModelWrap::output_size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), outputs_); }

}  // namespace ncp::addon
