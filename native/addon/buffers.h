// Copyright 2026 ncp-silicon authors.
// Typed-array views with dtype, length, alignment and aliasing checks. "TS allocates, C++ fills": every
// buffer comes from JS; native code only borrows views (pinned by the caller for async work).
#pragma once

#include <napi.h>

#include <cstddef>
#include <string>
#include <vector>

#include "addon/errors.h"

namespace ncp::addon {

template <typename T>
struct DtypeOf;
template <>
struct DtypeOf<float> {
  static constexpr napi_typedarray_type type = napi_float32_array;
  static constexpr const char* name = "Float32Array";
};
template <>
struct DtypeOf<double> {
  static constexpr napi_typedarray_type type = napi_float64_array;
  static constexpr const char* name = "Float64Array";
};

// Collects the byte ranges of every view in one call so outputs can be checked not to alias anything.
class ViewSet {
 public:
  ViewSet(Napi::Env env, std::string api) : env_(env), api_(std::move(api)) {}

  // obj[key] as a T array of exactly `length` elements. Optional views return nullptr when absent.
  template <typename T>
  T* get(const Napi::Object& obj, const char* key, std::size_t length, bool required, bool is_output,
         const std::string& shape_text) {
    Napi::Value value = obj.Get(key);
    if (value.IsUndefined() || value.IsNull()) {
      if (required) throw_type(env_, api_, key, std::string(DtypeOf<T>::name) + " " + shape_text, value);
      return nullptr;
    }
    if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != DtypeOf<T>::type) {
      throw_type(env_, api_, key, std::string(DtypeOf<T>::name) + " " + shape_text, value);
    }
    auto array = value.As<Napi::TypedArray>();
    if (array.ElementLength() != length) {
      throw_range(env_, api_, key, std::string(DtypeOf<T>::name) + " of length " + std::to_string(length) + " " +
                                       shape_text,
                  describe_value(value));
    }
    auto buffer = array.ArrayBuffer();
    auto* base = static_cast<unsigned char*>(buffer.Data()) + array.ByteOffset();
    if (reinterpret_cast<std::uintptr_t>(base) % alignof(T) != 0) {
      throw_range(env_, api_, key, "a view aligned to its element size", "a misaligned view");
    }
    Range range{base, base + array.ByteLength(), key, is_output};
    for (const Range& other : ranges_) {
      const bool overlap = range.begin < other.end && other.begin < range.end && length > 0;
      if (overlap && (range.is_output || other.is_output)) {
        throw_range(env_, api_, key, "a buffer that does not overlap " + other.key, "an overlapping view");
      }
    }
    ranges_.push_back(range);
    return reinterpret_cast<T*>(base);
  }

 private:
  struct Range {
    unsigned char* begin;
    unsigned char* end;
    std::string key;
    bool is_output;
  };
  Napi::Env env_;
  std::string api_;
  std::vector<Range> ranges_;
};

// obj[key] as an integer in [min, max].
int get_int(Napi::Env env, const std::string& api, const Napi::Object& obj, const char* key, int min, int max);
bool get_bool(Napi::Env env, const std::string& api, const Napi::Object& obj, const char* key, bool fallback);
double get_number(Napi::Env env, const std::string& api, const Napi::Object& obj, const char* key, double fallback);

}  // namespace ncp::addon
