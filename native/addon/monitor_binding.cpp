// Copyright 2026 ncp-silicon authors.
// JS glue for monitoring (src/monitor/ is the only caller; types in src/backend/native-types.ts):
//
//   nativeMemory() → { liveBytes, peakBytes, categories: { models|workspace|gradients|calibration: {…} } }
//   resetNativePeak()                 peaks restart from what is live now
//   setProfiling(on)  isProfiling()   the runner records one entry per model call while on
//   drainProfile() → columns          every record since the last drain (typed arrays, one entry per call)
//   monotonicMs() → number            the records' clock (steady_clock), for mapping onto performance.now()
//   threadIndex() → number            the calling thread's index in the records (the JS main thread's)
//   calibrate({ arrayBytes?, threads?, secondsPerFmaRun?, repeats? }) → Promise<{…}>   on a libuv worker
//   platformMemory() → { physFootprintBytes?, metal…?, reasons }   (apple/ layer; absent elsewhere, with reasons)
//   kernelVectorBytes                 SIMD width the dense CfC layers pad to (their counts include padding)
#include "addon/monitor_binding.h"

#include <cmath>
#include <string>
#include <vector>

#include "addon/errors.h"
#include "addon/promise_worker.h"
#include "apple/apple_device.h"
#include "core/calibrate.h"
#include "core/cfc.h"
#include "core/memory.h"
#include "core/profiler.h"

namespace ncp::addon {
namespace {

Napi::Object counter_object(Napi::Env env, int index) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("liveBytes", Napi::Number::New(env, static_cast<double>(core::native_live_bytes(index))));
  o.Set("peakBytes", Napi::Number::New(env, static_cast<double>(core::native_peak_bytes(index))));
  return o;
}

Napi::Value NativeMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = counter_object(env, core::kMemoryTotal);
  Napi::Object categories = Napi::Object::New(env);
  for (int c = 0; c < core::kMemoryCategories; ++c) {
    categories.Set(core::memory_category_name(static_cast<core::MemoryCategory>(c)), counter_object(env, c));
  }
  out.Set("categories", categories);
  return out;
}

Napi::Value ResetNativePeak(const Napi::CallbackInfo& info) {
  core::reset_native_peaks();
  return info.Env().Undefined();
}

Napi::Value SetProfiling(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBoolean()) throw_type(env, "setProfiling", "on", "a boolean", info[0]);
  core::set_profiling(info[0].As<Napi::Boolean>().Value());
  return env.Undefined();
}

Napi::Value IsProfiling(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), core::profiling_enabled());
}

const char* call_name(core::KernelCall call) {
  switch (call) {
    case core::KernelCall::Forward: return "forward";
    case core::KernelCall::ForwardBackward: return "forwardBackward";
    case core::KernelCall::Step: return "step";
  }
  return "call";
}

// Columns rather than one object per call: a profile of many single steps can hold a million records.
Napi::Value DrainProfile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::uint64_t dropped = 0;
  const std::vector<core::KernelRecord> records = core::drain_kernel_records(&dropped);
  const std::size_t n = records.size();
  std::vector<std::string> names;
  auto start = Napi::Float64Array::New(env, n), duration = Napi::Float64Array::New(env, n);
  auto flops = Napi::Float64Array::New(env, n), read = Napi::Float64Array::New(env, n);
  auto written = Napi::Float64Array::New(env, n), unique = Napi::Float64Array::New(env, n);
  auto live = Napi::Float64Array::New(env, n);
  auto kernel = Napi::Int32Array::New(env, n), batch = Napi::Int32Array::New(env, n);
  auto steps = Napi::Int32Array::New(env, n), thread = Napi::Int32Array::New(env, n);
  for (std::size_t i = 0; i < n; ++i) {
    const core::KernelRecord& r = records[i];
    const std::string name = std::string(r.kind) + "." + call_name(r.call) + (r.is_double ? " (f64)" : "");
    std::size_t k = 0;
    while (k < names.size() && names[k] != name) ++k;
    if (k == names.size()) names.push_back(name);
    kernel[i] = static_cast<std::int32_t>(k);
    start[i] = r.start_ms;
    duration[i] = r.duration_ms;
    flops[i] = static_cast<double>(r.work.flops);
    read[i] = static_cast<double>(r.work.bytes_read);
    written[i] = static_cast<double>(r.work.bytes_written);
    unique[i] = static_cast<double>(r.unique_bytes);
    live[i] = static_cast<double>(r.native_live_bytes);
    batch[i] = r.batch;
    steps[i] = r.steps;
    thread[i] = r.thread;
  }
  Napi::Array kernels = Napi::Array::New(env, names.size());
  for (std::size_t k = 0; k < names.size(); ++k) kernels.Set(static_cast<uint32_t>(k), names[k]);
  Napi::Object out = Napi::Object::New(env);
  out.Set("count", Napi::Number::New(env, static_cast<double>(n)));
  out.Set("dropped", Napi::Number::New(env, static_cast<double>(dropped)));
  out.Set("kernels", kernels);
  out.Set("kernel", kernel);
  out.Set("startMs", start);
  out.Set("durationMs", duration);
  out.Set("flops", flops);
  out.Set("bytesRead", read);
  out.Set("bytesWritten", written);
  out.Set("uniqueBytes", unique);
  out.Set("nativeLiveBytes", live);
  out.Set("batch", batch);
  out.Set("steps", steps);
  out.Set("thread", thread);
  return out;
}

Napi::Value MonotonicMs(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), core::monotonic_ms()); }

Napi::Value ThreadIndex(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), core::current_thread_index());
}

// calibrate() takes about a second: it runs on a libuv worker and resolves with plain numbers.
class CalibrateWorker final : public PromiseWorker {
 public:
  CalibrateWorker(Napi::Env env, const core::CalibrationOptions& options)
      : PromiseWorker(env, "ncp-silicon:calibrate"), options_(options) {}

 private:
  void run() override { result_ = core::calibrate(options_); }

  Napi::Value settle(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("threads", result_.threads);
    o.Set("triadArrayBytes", static_cast<double>(result_.triad_array_bytes));
    o.Set("triadBytesPerSecond", result_.triad_bytes_per_second);
    o.Set("fmaFlopsPerSecond", result_.fma_flops_per_second);
    o.Set("fmaFlopsPerSecondOneThread", result_.fma_flops_per_second_one_thread);
    o.Set("fmaVectorBytes", result_.fma_vector_bytes);
    o.Set("seconds", result_.seconds);
    return o;
  }

  core::CalibrationOptions options_;
  core::CalibrationResult result_;
};

double get_positive(Napi::Env env, const Napi::Object& o, const char* key, double fallback, double max) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  const std::string name = std::string("options.") + key;
  if (!v.IsNumber()) throw_type(env, "calibrate", name, "a positive number", v);
  const double x = v.As<Napi::Number>().DoubleValue();
  if (!(x > 0 && x <= max)) throw_range(env, "calibrate", name, "a number in (0, " + format_number(max) + "]", describe_value(v));
  return x;
}

Napi::Value Calibrate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  core::CalibrationOptions options;
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    if (!info[0].IsObject()) throw_type(env, "calibrate", "options", "an object", info[0]);
    Napi::Object o = info[0].As<Napi::Object>();
    options.array_bytes = static_cast<std::size_t>(get_positive(env, o, "arrayBytes", static_cast<double>(options.array_bytes), 4.0 * (1ull << 30)));
    // 0 (the default) means one thread per hardware thread.
    options.threads = o.Get("threads").IsUndefined() ? 0 : static_cast<int>(get_positive(env, o, "threads", 1, 1024));
    options.seconds_per_fma_run = get_positive(env, o, "secondsPerFmaRun", options.seconds_per_fma_run, 10);
    options.repeats = static_cast<int>(get_positive(env, o, "repeats", options.repeats, 100));
  }
  return PromiseWorker::start(new CalibrateWorker(env, options));
}

Napi::Value PlatformMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const apple::ProcessMemory m = apple::process_memory();
  Napi::Object out = Napi::Object::New(env);
  if (m.phys_footprint_bytes) out.Set("physFootprintBytes", *m.phys_footprint_bytes);
  else out.Set("physFootprintReason", m.phys_footprint_reason);
  if (m.metal_current_allocated_bytes) {
    out.Set("metalDeviceName", m.metal_device_name);
    out.Set("metalRecommendedWorkingSetBytes", *m.metal_recommended_working_set_bytes);
    out.Set("metalCurrentAllocatedBytes", *m.metal_current_allocated_bytes);
  } else {
    out.Set("metalReason", m.metal_reason);
  }
  return out;
}

}  // namespace

void register_monitor(Napi::Env env, Napi::Object exports) {
  exports.Set("nativeMemory", Napi::Function::New(env, NativeMemory, "nativeMemory"));
  exports.Set("resetNativePeak", Napi::Function::New(env, ResetNativePeak, "resetNativePeak"));
  exports.Set("setProfiling", Napi::Function::New(env, SetProfiling, "setProfiling"));
  exports.Set("isProfiling", Napi::Function::New(env, IsProfiling, "isProfiling"));
  exports.Set("drainProfile", Napi::Function::New(env, DrainProfile, "drainProfile"));
  exports.Set("monotonicMs", Napi::Function::New(env, MonotonicMs, "monotonicMs"));
  exports.Set("threadIndex", Napi::Function::New(env, ThreadIndex, "threadIndex"));
  exports.Set("calibrate", Napi::Function::New(env, Calibrate, "calibrate"));
  exports.Set("platformMemory", Napi::Function::New(env, PlatformMemory, "platformMemory"));
  exports.Set("kernelVectorBytes", Napi::Number::New(env, core::kCfcVectorBytes));
}

}  // namespace ncp::addon
