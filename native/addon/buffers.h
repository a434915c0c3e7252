// Copyright 2026 ncp-silicon authors.
// Typed-array views with dtype, length, alignment and aliasing checks. "TS allocates, C++ fills": every
// buffer comes from JS; native code only borrows views for the length of a synchronous call (async calls copy
// them into a SequenceBaton, addon/sequence_args.h).
#pragma once

#include <napi.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
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

  // `value` as a T array of exactly `length` elements; optional views return nullptr when absent. Values are
  // read from the JS object before the first view is taken (a getter could detach a buffer already viewed),
  // so this takes values, not objects. One napi_get_typedarray_info call gives the type, length, data and offset.
  template <typename T>
  T* view(const Napi::Value& value, const char* name, std::size_t length, bool required, bool is_output,
          const std::string& shape_text) {
    // The typed-array test comes first: it is the common case, and each N-API call costs ~50 ns on the
    // single-step path.
    bool is_typed_array = false;
    napi_is_typedarray(env_, value, &is_typed_array);
    if (!is_typed_array && (value.IsUndefined() || value.IsNull())) {
      if (required) throw_type(env_, api_, name, std::string(DtypeOf<T>::name) + " " + shape_text, value);
      return nullptr;
    }
    napi_typedarray_type type;
    std::size_t element_length = 0;
    void* data = nullptr;
    napi_value buffer;
    std::size_t byte_offset = 0;
    if (!is_typed_array ||
        napi_get_typedarray_info(env_, value, &type, &element_length, &data, &buffer, &byte_offset) != napi_ok ||
        type != DtypeOf<T>::type) {
      throw_type(env_, api_, name, std::string(DtypeOf<T>::name) + " " + shape_text, value);
    }
    if (element_length != length) {
      bool detached = false;  // a view of a detached buffer reports length 0: say what happened
      if (napi_is_detached_arraybuffer(env_, buffer, &detached) == napi_ok && detached) {
        throw_range(env_, api_, name, "a live buffer", "a detached ArrayBuffer");
      }
      throw_range(env_, api_, name,
                  std::string(DtypeOf<T>::name) + " of length " + std::to_string(length) + " " + shape_text,
                  describe_value(value));
    }
    auto* base = static_cast<unsigned char*>(data);
    if (length > 0 && base == nullptr) throw_range(env_, api_, name, "a live buffer", "a detached ArrayBuffer");
    if (reinterpret_cast<std::uintptr_t>(base) % alignof(T) != 0) {
      throw_range(env_, api_, name, "a view aligned to its element size", "a misaligned view");
    }
    Range range{base, base + length * sizeof(T), name, is_output};
    for (std::size_t i = 0; i < count_; ++i) {
      const Range& other = ranges_[i];
      const bool overlap = range.begin < other.end && other.begin < range.end && length > 0;
      if (overlap && (range.is_output || other.is_output)) {
        throw_range(env_, api_, name, std::string("a buffer that does not overlap ") + other.key,
                    "an overlapping view");
      }
    }
    if (count_ == ranges_.size()) throw std::logic_error("ViewSet: too many views in one call");
    ranges_[count_++] = range;
    return reinterpret_cast<T*>(base);
  }

 private:
  struct Range {
    unsigned char* begin;
    unsigned char* end;
    const char* key;  // always a string literal: argument names
    bool is_output;
  };
  Napi::Env env_;
  std::string api_;
  std::array<Range, 24> ranges_{};  // no allocation per call
  std::size_t count_ = 0;
};

// obj[key] as an integer in [min, max].
int get_int(Napi::Env env, const std::string& api, const Napi::Object& obj, const char* key, int min, int max);
bool get_bool(Napi::Env env, const std::string& api, const Napi::Object& obj, const char* key, bool fallback);
double get_number(Napi::Env env, const std::string& api, const Napi::Object& obj, const char* key, double fallback);

}  // namespace ncp::addon
