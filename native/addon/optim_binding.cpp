// Copyright 2026 ncp-silicon authors.
// JS glue for core/optim.h. Both functions are synchronous: one pass over the trainable parameters is far
// below the ~1 ms that would justify a worker, and the trainer calls them between two awaits anyway.
//
//   optimizerStep({ kind, params, grads, m?, v?, lr, beta1?, beta2?, eps?, weightDecay?, momentum?,
//                   nesterov?, step, gradScale?, maxGradNorm?, length })
//                                                               updates params, m, v in place; a NaN/Inf or
//                                                               overflowing gradient is a RangeError with code
//                                                               NCP_NON_FINITE_GRADIENT and nothing written
//   gradNorm({ grads, length }) → number                        sqrt(Σ g²), accumulated in double
//
// Every typed array must be a Float32Array or Float64Array of exactly `length` elements, all of one dtype
// (the dtype of params), and params/m/v must not overlap each other or grads.
#include "addon/optim_binding.h"

#include <cmath>
#include <string>

#include "addon/buffers.h"
#include "addon/errors.h"
#include "core/optim.h"

namespace ncp::addon {
namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;

std::size_t get_length(Napi::Env env, const std::string& api, const Napi::Object& args) {
  Napi::Value value = args.Get("length");
  if (!value.IsNumber()) throw_type(env, api, "length", "a non-negative integer", value);
  const double n = value.As<Napi::Number>().DoubleValue();
  if (!(n >= 0 && n <= kMaxSafeInteger) || std::floor(n) != n) {
    throw_range(env, api, "length", "a non-negative integer", describe_value(value));
  }
  return static_cast<std::size_t>(n);
}

// The dtype every array of the call must share, taken from `key` (checked again, with its length, by ViewSet).
bool is_double(Napi::Env env, const std::string& api, const Napi::Value& value, const char* key) {
  if (value.IsTypedArray()) {
    const napi_typedarray_type type = value.As<Napi::TypedArray>().TypedArrayType();
    if (type == napi_float64_array) return true;
    if (type == napi_float32_array) return false;
  }
  throw_type(env, api, key, "a Float32Array or Float64Array", value);
}

core::OptimizerKind get_kind(Napi::Env env, const std::string& api, const Napi::Object& args) {
  Napi::Value value = args.Get("kind");
  const char* expected = "one of 'adam' | 'adamw' | 'sgd'";
  if (!value.IsString()) throw_type(env, api, "kind", expected, value);
  const std::string kind = value.As<Napi::String>().Utf8Value();
  if (kind == "adam") return core::OptimizerKind::Adam;
  if (kind == "adamw") return core::OptimizerKind::AdamW;
  if (kind == "sgd") return core::OptimizerKind::Sgd;
  throw_range(env, api, "kind", expected, describe_value(value));
}

double required_number(Napi::Env env, const std::string& api, const Napi::Object& args, const char* key) {
  Napi::Value value = args.Get(key);
  if (!value.IsNumber()) throw_type(env, api, key, "a finite number", value);
  return get_number(env, api, args, key, 0);
}

}  // namespace

core::OptimizerConfig read_optimizer_config(Napi::Env env, const std::string& api, const Napi::Object& args) {
  core::OptimizerConfig config;
  config.kind = get_kind(env, api, args);
  config.lr = required_number(env, api, args, "lr");
  config.beta1 = get_number(env, api, args, "beta1", config.beta1);
  config.beta2 = get_number(env, api, args, "beta2", config.beta2);
  config.eps = get_number(env, api, args, "eps", config.eps);
  config.weight_decay = get_number(env, api, args, "weightDecay", 0);
  config.momentum = get_number(env, api, args, "momentum", 0);
  config.nesterov = get_bool(env, api, args, "nesterov", false);
  config.grad_scale = get_number(env, api, args, "gradScale", 1);
  config.max_grad_norm = get_number(env, api, args, "maxGradNorm", 0);
  const double step = required_number(env, api, args, "step");
  if (!(step >= 1 && step <= kMaxSafeInteger) || std::floor(step) != step) {
    throw_range(env, api, "step", "an integer ≥ 1", "number " + format_number(step));
  }
  config.step = static_cast<std::int64_t>(step);
  // Hyper-parameter ranges are checked once, in core, so C++ callers get the same guarantees.
  core::check_optimizer_config(config, api.c_str());
  return config;
}

namespace {

// The four arrays of one update, read from the args object before any of them is viewed: a getter run by a later
// read could otherwise detach an array already viewed.
struct StepArrays {
  Napi::Value params, grads, m, v;
};

template <typename T>
void step_impl(Napi::Env env, const std::string& api, const StepArrays& arrays, const core::OptimizerConfig& config,
               std::size_t length) {
  const bool needs_m = config.kind != core::OptimizerKind::Sgd || config.momentum != 0;
  const bool needs_v = config.kind != core::OptimizerKind::Sgd;
  const std::string shape = "(the trainable parameters)";
  ViewSet views(env, api);
  T* params = views.view<T>(arrays.params, "params", length, true, true, shape);
  const T* grads = views.view<T>(arrays.grads, "grads", length, true, false, shape);
  T* m = views.view<T>(arrays.m, "m", length, needs_m, true, shape);
  T* v = views.view<T>(arrays.v, "v", length, needs_v, true, shape);
  try {
    core::optimizer_step<T>(config, params, grads, m, v, length);
  } catch (const core::NonFiniteGradient& e) {
    // Its own code, so the trainer can tell "skip this step" from a wrong argument.
    Napi::Error error = Napi::RangeError::New(env, e.what());
    error.Set("code", Napi::String::New(env, "NCP_NON_FINITE_GRADIENT"));
    error.Set("gradNorm", Napi::Number::New(env, e.norm));
    error.Set("index", Napi::Number::New(env, e.index < length ? static_cast<double>(e.index) : -1));
    throw error;
  }
}

Napi::Value OptimizerStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string api = "optimizerStep";
  return guarded(env, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsObject()) throw_type(env, api, "args", "an object", info[0]);
    Napi::Object args = info[0].As<Napi::Object>();
    const core::OptimizerConfig config = read_optimizer_config(env, api, args);
    const std::size_t length = get_length(env, api, args);
    const StepArrays arrays{args.Get("params"), args.Get("grads"), args.Get("m"), args.Get("v")};
    if (is_double(env, api, arrays.params, "params")) step_impl<double>(env, api, arrays, config, length);
    else step_impl<float>(env, api, arrays, config, length);
    return env.Undefined();
  });
}

Napi::Value GradNorm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string api = "gradNorm";
  return guarded(env, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsObject()) throw_type(env, api, "args", "an object", info[0]);
    Napi::Object args = info[0].As<Napi::Object>();
    const std::size_t length = get_length(env, api, args);
    const Napi::Value grads = args.Get("grads");  // read once: its dtype and its view come from the same array
    ViewSet views(env, api);
    double norm;
    if (is_double(env, api, grads, "grads")) {
      norm = core::grad_norm(views.view<double>(grads, "grads", length, true, false, "(the gradients)"), length);
    } else {
      norm = core::grad_norm(views.view<float>(grads, "grads", length, true, false, "(the gradients)"), length);
    }
    return Napi::Number::New(env, norm);
  });
}

}  // namespace

void register_optim(Napi::Env env, Napi::Object exports) {
  exports.Set("optimizerStep", Napi::Function::New(env, OptimizerStep, "optimizerStep"));
  exports.Set("gradNorm", Napi::Function::New(env, GradNorm, "gradNorm"));
}

}  // namespace ncp::addon
