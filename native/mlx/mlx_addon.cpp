// Copyright 2026 ncp-silicon authors.
// Entry point of the MLX addon (ncp_silicon_mlx.node, built by cmake-js from native/mlx/CMakeLists.txt with MLX
// linked statically): the model class, what MLX runs on, and its memory counters.
#include <napi.h>

#include <string>
#include <variant>

#include "addon/errors.h"
#include "mlx/backend/metal/metal.h"
#include "mlx/memory.h"
#include "mlx/mlx.h"
#include "mlx/mlx_model.h"
#include "mlx/version.h"

namespace ncp::mlx_backend {
namespace {

// Metal where MLX was built with it and a device exists, else MLX's CPU device.
const mx::Device& chosen_device() {
  static const mx::Device device = mx::metal::is_available() ? mx::Device(mx::Device::gpu) : mx::Device(mx::Device::cpu);
  return device;
}

Napi::Value build_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return addon::guarded(env, [&]() -> Napi::Value {
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
    return out;
  });
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

Napi::Object init(Napi::Env env, Napi::Object exports) {
  mx::set_default_device(chosen_device());
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
