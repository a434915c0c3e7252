// Copyright 2026 ncp-silicon authors.
#include "mlx/mlx_model.h"

#include <climits>
#include <cmath>

#include "addon/buffers.h"
#include "addon/cell_config.h"
#include "addon/errors.h"

namespace ncp::mlx_backend {
namespace {

using addon::capture_current_exception;
using addon::describe_value;
using addon::get_bool;
using addon::get_int;
using addon::get_number;
using addon::guarded;
using addon::PendingError;
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

// Where a call's results go: the JS arrays named in args (kept referenced by the worker) and their lengths.
struct OutputTargets {
  struct Target {
    const char* key;
    std::size_t length;
    std::vector<float> SequenceResult::*field;
  };
  std::vector<Target> targets;
};

// Writes each result into args[key], checking again (after an async call the caller may have detached or
// replaced an array) that it is still a Float32Array of the expected length.
void write_results(Napi::Env env, const std::string& api, const Napi::Object& args, const OutputTargets& out,
                   SequenceResult& result, bool accumulate_params) {
  addon::ViewSet views(env, api);
  for (const auto& t : out.targets) {
    float* dst = views.get<float>(args, t.key, t.length, true, true, "(unchanged since the call started)");
    const std::vector<float>& src = result.*(t.field);
    if (accumulate_params && std::string(t.key) == "dParams") {
      for (std::size_t i = 0; i < t.length; ++i) dst[i] += src[i];
    } else {
      std::copy(src.begin(), src.end(), dst);
    }
  }
}

class SequenceWorker final : public Napi::AsyncWorker {
 public:
  SequenceWorker(Napi::Env env, MlxModel* model, const Napi::Object& owner, const Napi::Object& args,
                 std::shared_ptr<const HostParams> host, SequenceCall call, OutputTargets out, std::string api)
      : Napi::AsyncWorker(env, "ncp-silicon:mlx-sequence"),
        deferred_(Napi::Promise::Deferred::New(env)),
        owner_(Napi::Persistent(owner)),
        args_(Napi::Persistent(args)),
        model_(model),
        host_(std::move(host)),
        call_(std::move(call)),
        out_(std::move(out)),
        api_(std::move(api)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      result_ = model_->execute(host_, call_);
    } catch (...) {
      error_ = capture_current_exception();
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (error_.kind != PendingError::Kind::None) {
      deferred_.Reject(addon::to_js_error(env, error_).Value());
      return;
    }
    try {
      write_results(env, api_, args_.Value(), out_, result_, true);
      deferred_.Resolve(env.Undefined());
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference owner_;  // keeps the model alive while the call runs
  Napi::ObjectReference args_;   // only read on the main thread, in OnOK
  MlxModel* model_;
  std::shared_ptr<const HostParams> host_;
  SequenceCall call_;
  OutputTargets out_;
  std::string api_;
  SequenceResult result_;
  PendingError error_;
};

}  // namespace

Napi::Function MlxModel::define(Napi::Env env) {
  return DefineClass(env, "MlxModel",
                     {
                         InstanceMethod<&MlxModel::forward>("forward"),
                         InstanceMethod<&MlxModel::forward_backward>("forwardBackward"),
                         InstanceMethod<&MlxModel::forward_async>("forwardAsync"),
                         InstanceMethod<&MlxModel::forward_backward_async>("forwardBackwardAsync"),
                         InstanceAccessor<&MlxModel::input_size>("inputSize"),
                         InstanceAccessor<&MlxModel::state_size>("stateSize"),
                         InstanceAccessor<&MlxModel::output_size>("outputSize"),
                     });
}

MlxModel::MlxModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MlxModel>(info) {
  Napi::Env env = info.Env();
  guarded(env, [&] {
    if (info.Length() < 1 || !info[0].IsObject()) throw_type(env, "MlxModel", "config", "an object", info[0]);
    Napi::Object config = info[0].As<Napi::Object>();
    Napi::Value api = config.Get("api");
    api_ = api.IsString() ? api.As<Napi::String>().Utf8Value() : std::string("MlxModel");
    shape_.cell = addon::parse_cell_config(env, api_, config);
    shape_.mixed_memory = get_bool(env, api_, config, "mixedMemory", false);
    shape_.proj_size = get_int(env, api_, config, "projSize", 0, kMaxDim);

    Napi::Value params = config.Get("params");
    if (params.IsTypedArray() && params.As<Napi::TypedArray>().TypedArrayType() == napi_float64_array) {
      throw_range(env, api_, "params",
                  "a Float32Array: the MLX backend computes in float32 only (Metal GPUs have no float64, and MLX's "
                  "CPU float64 evaluates exp and sigmoid in float32); use backend 'cpu' for float64",
                  describe_value(params));
    }
    if (!params.IsTypedArray() || params.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      throw_type(env, api_, "params", "a Float32Array", params);
    }
    auto array = params.As<Napi::TypedArray>();
    param_count_ = array.ElementLength();
    params_ = Napi::Persistent(array);

    Napi::Value offsets = config.Get("offsets");
    if (!offsets.IsObject()) throw_type(env, api_, "offsets", "an object of parameter offsets", offsets);
    Napi::Object offsets_obj = offsets.As<Napi::Object>();
    Napi::Array names = offsets_obj.GetPropertyNames();
    core::ParamOffsets parsed;
    for (uint32_t i = 0; i < names.Length(); ++i) {
      const std::string name = names.Get(i).As<Napi::String>().Utf8Value();
      Napi::Value offset = offsets_obj.Get(name);
      const double o = offset.IsNumber() ? offset.As<Napi::Number>().DoubleValue() : -1;
      if (!(o >= 0 && o < static_cast<double>(param_count_)) || std::floor(o) != o) {
        throw_range(env, api_, "offsets." + name, "an integer offset inside params", describe_value(offset));
      }
      parsed[name] = static_cast<std::size_t>(o);
    }
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
  return run_sequence(shape_, slots_, *device_, param_count_, call);
}

Napi::Value MlxModel::call(const Napi::CallbackInfo& info, bool backward, bool async) {
  Napi::Env env = info.Env();
  const std::string api = api_ + (backward ? ".forwardBackward" : ".forward") + (async ? "Async" : "");
  return guarded(env, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsObject()) throw_type(env, api, "args", "an object", info[0]);
    Napi::Object args = info[0].As<Napi::Object>();
    const double version = get_number(env, api, args, "version", 0);
    SequenceCall call;
    call.batch = get_int(env, api, args, "batch", 1, kMaxDim);
    call.steps = get_int(env, api, args, "steps", 1, kMaxDim);
    call.batch_first = get_bool(env, api, args, "batchFirst", true);
    call.return_sequences = get_bool(env, api, args, "returnSequences", true);
    call.backward = backward;
    const std::size_t B = call.batch, L = call.steps, S = input_size_, H = state_size_, P = output_size_;
    const std::size_t BL = checked_product(env, api, B, L);
    const std::size_t out_len = call.return_sequences ? checked_product(env, api, BL, P) : B * P;
    const std::string out_shape = call.return_sequences ? "(B×L×outputs)" : "(B×outputs)";
    const bool mixed = shape_.mixed_memory;

    // Validation and copies of what the device reads, all on this thread.
    addon::ViewSet views(env, api);
    const float* input = views.get<float>(args, "input", checked_product(env, api, BL, S), true, false, "(B×L×S)");
    call.input.assign(input, input + BL * S);
    const float* timespans = views.get<float>(args, "timespans", BL, false, false, "(B×L)");
    if (timespans) {
      for (std::size_t i = 0; i < BL; ++i) {
        if (!(timespans[i] > 0.0f) || !std::isfinite(timespans[i])) {
          throw_range(env, api, "timespans[" + std::to_string(i) + "]", "a finite number > 0",
                      "number " + addon::format_number(timespans[i]));
        }
      }
    }
    call.timespans = copy_of(timespans, BL);
    call.h0 = copy_of(views.get<float>(args, "h0", B * H, false, false, "(B×H)"), B * H);
    if (mixed) call.c0 = copy_of(views.get<float>(args, "c0", B * H, false, false, "(B×H)"), B * H);

    OutputTargets out;
    auto target = [&](const char* key, std::size_t length, bool required, std::vector<float> SequenceResult::*field,
                      const std::string& shape_text) {
      if (views.get<float>(args, key, length, required, true, shape_text)) out.targets.push_back({key, length, field});
    };
    target("output", out_len, true, &SequenceResult::output, out_shape);
    target("hFinal", B * H, true, &SequenceResult::h_final, "(B×H)");
    if (mixed) target("cFinal", B * H, true, &SequenceResult::c_final, "(B×H)");
    target("hSequence", BL * H, false, &SequenceResult::h_sequence, "(B×L×H)");
    call.want_h_sequence = out.targets.back().field == &SequenceResult::h_sequence;
    if (backward) {
      call.d_output = copy_of(views.get<float>(args, "dOutput", out_len, true, false, out_shape), out_len);
      call.d_h_final = copy_of(views.get<float>(args, "dHFinal", B * H, false, false, "(B×H)"), B * H);
      if (mixed) call.d_c_final = copy_of(views.get<float>(args, "dCFinal", B * H, false, false, "(B×H)"), B * H);
      const std::size_t before = out.targets.size();
      target("dInput", BL * S, true, &SequenceResult::d_input, "(B×L×S)");
      target("dTimespans", BL, false, &SequenceResult::d_timespans, "(B×L)");
      target("dH0", B * H, false, &SequenceResult::d_h0, "(B×H)");
      if (mixed) target("dC0", B * H, false, &SequenceResult::d_c0, "(B×H)");
      target("dParams", param_count_, true, &SequenceResult::d_params, "(the parameter layout)");
      for (std::size_t i = before; i < out.targets.size(); ++i) {
        const auto field = out.targets[i].field;
        call.want_d_input |= field == &SequenceResult::d_input;
        call.want_d_timespans |= field == &SequenceResult::d_timespans;
        call.want_d_h0 |= field == &SequenceResult::d_h0;
        call.want_d_c0 |= field == &SequenceResult::d_c0;
        call.want_d_params |= field == &SequenceResult::d_params;
      }
      const double seed = get_number(env, api, args, "dropoutSeed", 0);
      if (seed < 0 || seed > 9007199254740991.0 || std::floor(seed) != seed) {
        throw_range(env, api, "dropoutSeed", "a non-negative safe integer", "number " + addon::format_number(seed));
      }
      call.dropout_seed = static_cast<std::uint64_t>(seed);
    }

    auto host = host_params(env, api, version);
    if (!async) {
      SequenceResult result = execute(host, call);
      write_results(env, api, args, out, result, true);
      return env.Undefined();
    }
    auto* worker = new SequenceWorker(env, this, Value(), args, host, std::move(call), std::move(out), api);
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  });
}

}  // namespace ncp::mlx_backend
