// Copyright 2026 ncp-silicon authors.
// Maps C++ failures to JS errors: core InvalidArgument → TypeError / RangeError, a failed allocation → Error with
// code NCP_NATIVE_OUT_OF_MEMORY, a CodedFailure → Error with its own code, anything else → Error with code
// NCP_NATIVE (src/backend/native-errors.ts makes these a NativeError). No C++ exception reaches V8 unmapped.
#pragma once

#include <napi.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "core/cell.h"
#include "core/format.h"

namespace ncp::addon {

// A failure already classified where it happened (the MLX addon's mlx_errors.h): becomes an Error with `code`
// (an NCP_NATIVE* or NCP_MLX_* code, see src/errors.ts) and exactly this message.
struct CodedFailure : std::runtime_error {
  CodedFailure(std::string code, const std::string& message) : std::runtime_error(message), code(std::move(code)) {}
  std::string code;
};

// What an async worker remembers of a failure until it can build the JS error on the main thread.
struct PendingError {
  enum class Kind { None, Type, Range, Native, OutOfMemory, Cancelled, Coded } kind = Kind::None;
  std::string message;
  std::string code;  // Kind::Coded only
};

PendingError capture_current_exception();
Napi::Error to_js_error(Napi::Env env, const PendingError& error);

// Runs fn, rethrowing any C++ failure as the matching JS error.
template <typename Fn>
auto guarded(Napi::Env env, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    throw to_js_error(env, capture_current_exception());
  }
}

// A number as JavaScript prints it (core/format.h).
using core::format_number;

inline std::string describe_value(const Napi::Value& value) {
  if (value.IsUndefined()) return "undefined";
  if (value.IsNull()) return "null";
  if (value.IsNumber()) return "number " + format_number(value.As<Napi::Number>().DoubleValue());
  if (value.IsBoolean()) return std::string("boolean ") + (value.As<Napi::Boolean>().Value() ? "true" : "false");
  if (value.IsString()) return "string \"" + value.As<Napi::String>().Utf8Value() + "\"";
  if (value.IsTypedArray()) {
    auto array = value.As<Napi::TypedArray>();
    const char* name = "TypedArray";
    switch (array.TypedArrayType()) {
      case napi_float32_array: name = "Float32Array"; break;
      case napi_float64_array: name = "Float64Array"; break;
      case napi_int32_array: name = "Int32Array"; break;
      case napi_uint8_array: name = "Uint8Array"; break;
      case napi_int8_array: name = "Int8Array"; break;
      default: break;
    }
    return std::string(name) + "(" + std::to_string(array.ElementLength()) + ")";
  }
  if (value.IsArray()) return "Array(" + std::to_string(value.As<Napi::Array>().Length()) + ")";
  if (value.IsFunction()) return "function";
  if (value.IsObject()) return "object";
  return "value";
}

// "<api>: expected <what> for <name>, received <description>." as a TypeError or RangeError.
[[noreturn]] inline void throw_type(Napi::Env env, const std::string& api, const std::string& name,
                                    const std::string& expected, const Napi::Value& received) {
  Napi::Error error = Napi::TypeError::New(env, api + ": expected " + expected + " for " + name + ", received " +
                                                    describe_value(received) + ".");
  error.Set("code", Napi::String::New(env, "NCP_INVALID_TYPE"));
  throw error;
}
[[noreturn]] inline void throw_range(Napi::Env env, const std::string& api, const std::string& name,
                                     const std::string& expected, const std::string& received) {
  Napi::Error error =
      Napi::RangeError::New(env, api + ": expected " + expected + " for " + name + ", received " + received + ".");
  error.Set("code", Napi::String::New(env, "NCP_INVALID_RANGE"));
  throw error;
}

// A size above one of the documented bounds (addon/limits.h): a RangeError with code NCP_SIZE_LIMIT, as the TS
// layer's SizeLimitError.
[[noreturn]] inline void throw_limit(Napi::Env env, const std::string& api, const std::string& name,
                                     const std::string& expected, const std::string& received) {
  Napi::Error error =
      Napi::RangeError::New(env, api + ": expected " + expected + " for " + name + ", received " + received + ".");
  error.Set("code", Napi::String::New(env, "NCP_SIZE_LIMIT"));
  throw error;
}

}  // namespace ncp::addon
