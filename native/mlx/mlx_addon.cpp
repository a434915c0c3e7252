// Copyright 2026 ncp-silicon authors.
// Entry point of the MLX addon (ncp_silicon_mlx.node, built by cmake-js from native/mlx/CMakeLists.txt with MLX
// linked statically): the model class, what MLX runs on, and its memory counters.
#include <napi.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <variant>

#include "addon/errors.h"
#include "addon/promise_worker.h"
#include "mlx/backend/metal/metal.h"
#include "mlx/memory.h"
#include "mlx/mlx.h"
#include "mlx/mlx_errors.h"
#include "mlx/mlx_memory.h"
#include "mlx/mlx_model.h"
#include "mlx/version.h"

namespace ncp::mlx_backend {
namespace {

// Metal where MLX was built with it and a device exists, else MLX's CPU device.
const mx::Device& chosen_device() {
  static const mx::Device device = mx::metal::is_available() ? mx::Device(mx::Device::gpu) : mx::Device(mx::Device::cpu);
  return device;
}

Napi::Object describe_device(Napi::Env env) {
  Napi::Object out = Napi::Object::New(env);
  const mx::Device& device = chosen_device();
  out.Set("mlxVersion", mx::version());
  out.Set("device", device.type == mx::Device::gpu ? "gpu" : "cpu");
  out.Set("metalAvailable", mx::metal::is_available());
  const auto& facts = mx::device_info(device);
  for (const char* key : {"device_name", "architecture"}) {
    auto it = facts.find(key);
    if (it != facts.end() && std::holds_alternative<std::string>(it->second)) {
      out.Set(key == std::string("device_name") ? "deviceName" : "architecture", std::get<std::string>(it->second));
    }
  }
  for (const char* key : {"memory_size", "total_memory"}) {
    auto it = facts.find(key);
    if (it != facts.end() && std::holds_alternative<size_t>(it->second)) {
      out.Set("memoryBytes", static_cast<double>(std::get<size_t>(it->second)));
    }
  }
  out.Set("deviceBudgetBytes", device_budget_bytes());  // what a call's graph may hold (mlx_memory.h)
  return out;
}

Napi::Value build_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return addon::guarded(env, [&]() -> Napi::Value { return mlx_guarded([&] { return describe_device(env); }); });
}

Napi::Value memory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("activeBytes", static_cast<double>(mx::get_active_memory()));
  out.Set("peakBytes", static_cast<double>(mx::get_peak_memory()));
  out.Set("cacheBytes", static_cast<double>(mx::get_cache_memory()));
  return out;
}

Napi::Value reset_peak_memory(const Napi::CallbackInfo& info) {
  mx::reset_peak_memory();
  return info.Env().Undefined();
}

// Test-only (registered when NCP_SILICON_TEST_HOOKS=1 at load): throws `message` as MLX would, a
// std::runtime_error inside an MLX evaluation, through the same mlx_guarded path as the model's evaluations, so the
// classification of MLX's messages is testable without Apple hardware. `_throwMlxErrorAsync` does it on a worker.
std::string hook_message(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) {
    addon::throw_type(info.Env(), "_throwMlxError", "message", "a string", info[0]);
  }
  return info[0].As<Napi::String>().Utf8Value();
}

void throw_as_mlx(const std::string& message) {
  mlx_guarded([&] { throw std::runtime_error(message); });
}

class ThrowWorker final : public addon::PromiseWorker {
 public:
  ThrowWorker(Napi::Env env, std::string message)
      : addon::PromiseWorker(env, "ncp-silicon:mlx-test-hook"), message_(std::move(message)) {}

 private:
  void run() override { throw_as_mlx(message_); }
  Napi::Value settle(Napi::Env env) override { return env.Undefined(); }
  std::string message_;
};

Napi::Value throw_mlx_error(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string message = hook_message(info);
  return addon::guarded(env, [&]() -> Napi::Value {
    throw_as_mlx(message);
    return env.Undefined();
  });
}

Napi::Value throw_mlx_error_async(const Napi::CallbackInfo& info) {
  return addon::PromiseWorker::start(new ThrowWorker(info.Env(), hook_message(info)));
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  addon::guarded(env, [] { mlx_guarded([] { mx::set_default_device(chosen_device()); }); });
  const char* hooks = std::getenv("NCP_SILICON_TEST_HOOKS");
  if (hooks != nullptr && std::string(hooks) == "1") {
    exports.Set("_throwMlxError", Napi::Function::New(env, throw_mlx_error, "_throwMlxError"));
    exports.Set("_throwMlxErrorAsync", Napi::Function::New(env, throw_mlx_error_async, "_throwMlxErrorAsync"));
  }
  exports.Set("MlxModel", MlxModel::define(env));
  exports.Set("buildInfo", Napi::Function::New(env, build_info, "buildInfo"));
  exports.Set("memory", Napi::Function::New(env, memory, "memory"));
  exports.Set("resetPeakMemory", Napi::Function::New(env, reset_peak_memory, "resetPeakMemory"));
  return exports;
}

}  // namespace
}  // namespace ncp::mlx_backend

static Napi::Object init_addon(Napi::Env env, Napi::Object exports) { return ncp::mlx_backend::init(env, exports); }

NODE_API_MODULE(ncp_silicon_mlx, init_addon)
