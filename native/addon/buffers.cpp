// Copyright 2026 ncp-silicon authors.
#include "addon/buffers.h"

#include <cmath>

namespace ncp::addon {

int get_int(Napi::Env env, const std::string& api, const Napi::Object& obj, const char* key, int min, int max) {
  Napi::Value value = obj.Get(key);
  const std::string expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!value.IsNumber()) throw_type(env, api, key, expected, value);
  const double n = value.As<Napi::Number>().DoubleValue();
  if (!(n >= min && n <= max) || std::floor(n) != n) throw_range(env, api, key, expected, describe_value(value));
  return static_cast<int>(n);
}

bool get_bool(Napi::Env env, const std::string& api, const Napi::Object& obj, const char* key, bool fallback) {
  Napi::Value value = obj.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsBoolean()) throw_type(env, api, key, "a boolean", value);
  return value.As<Napi::Boolean>().Value();
}

double get_number(Napi::Env env, const std::string& api, const Napi::Object& obj, const char* key, double fallback) {
  Napi::Value value = obj.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber()) throw_type(env, api, key, "a finite number", value);
  const double n = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(n)) throw_range(env, api, key, "a finite number", describe_value(value));
  return n;
}

}  // namespace ncp::addon
