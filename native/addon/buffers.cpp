// Copyright 2026 ncp-silicon authors.
#include "addon/buffers.h"

#include <cmath>

#include "addon/config_fields.h"

namespace ncp::addon {

int get_int(Napi::Env env, const std::string& api, const Napi::Object& obj, const char* key, int min, int max) {
  return read_integer(env, api, key, obj.Get(key), min, max);
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
