// Copyright 2026 ncp-silicon authors.
// Registration of every JS-visible native function. JS names are camelCase and typed once in
// src/backend/native-types.ts.
#include <napi.h>

#include "addon/kernels.h"
#include "apple/apple_device.h"
#include "core/cpu_features.h"
#include "core/thread_pool.h"

namespace ncp::addon {
namespace {

Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  Napi::Array backends = Napi::Array::New(env);
  uint32_t n = 0;
  backends.Set(n++, Napi::String::New(env, "cpu"));
  out.Set("backends", backends);
  out.Set("simdLevel", Napi::String::New(env, core::simd_level()));
  out.Set("cpuSupportsBuild", Napi::Boolean::New(env, core::cpu_supports_build_isa()));
  out.Set("numThreads", Napi::Number::New(env, core::current_num_threads()));
  out.Set("defaultNumThreads", Napi::Number::New(env, core::default_num_threads()));
  out.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
#if defined(__clang__)
  out.Set("compiler", Napi::String::New(env, std::string("clang ") + __clang_version__));
#elif defined(__GNUC__)
  out.Set("compiler", Napi::String::New(env, std::string("gcc ") + __VERSION__));
#endif
  if (auto device = apple::device_info()) {
    Napi::Object apple = Napi::Object::New(env);
    apple.Set("chip", device->chip);
    apple.Set("gpuName", device->gpu_name);
    apple.Set("hasUnifiedMemory", device->has_unified_memory);
    apple.Set("recommendedWorkingSetBytes", device->recommended_working_set_bytes);
    out.Set("apple", apple);
  }
  return out;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    throw Napi::TypeError::New(env, "setNumThreads: expected a positive integer for numThreads.");
  }
  const double n = info[0].As<Napi::Number>().DoubleValue();
  if (!(n >= 1 && n <= 1024) || n != static_cast<double>(static_cast<int>(n))) {
    throw Napi::RangeError::New(env, "setNumThreads: expected an integer from 1 to 1024 for numThreads.");
  }
  core::set_num_threads(static_cast<int>(n));
  return env.Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), core::current_num_threads());
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo, "buildInfo"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  register_kernels(env, exports);
  return exports;
}

}  // namespace ncp::addon

namespace {
Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return ncp::addon::Init(env, exports); }
}  // namespace

NODE_API_MODULE(ncp_silicon, InitModule)
