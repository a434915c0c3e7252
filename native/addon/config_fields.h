// Copyright 2026 ncp-silicon authors.
// Checked reads of the cell-configuration fields TS passes to the native model (ltc_binding, cfc_binding):
// every value's type is checked before it is converted, and errors name the field as config.<field>.
#pragma once

#include <napi.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "addon/errors.h"

namespace ncp::addon {

// The largest dimension a configuration may state: 2^24, the bound the cells check too.
constexpr double kMaxConfigDimension = 16777216;

// An integer in [min, max] read from `value`, reported as `name`.
int read_integer(Napi::Env env, const std::string& api, const std::string& name, const Napi::Value& value, double min,
                 double max);

// An integer in [min, max] where max is a documented size bound (addon/limits.h, named `limit` as in
// src/limits.ts): above it the error is a RangeError with code NCP_SIZE_LIMIT, checked before anything is sized.
int read_size(Napi::Env env, const std::string& api, const std::string& name, const Napi::Value& value, double min,
              double max, const char* limit);

inline int read_config_size(const Napi::Object& config, const char* api, const char* field, double min, double max,
                            const char* limit) {
  return read_size(config.Env(), api, std::string("config.") + field, config.Get(field), min, max, limit);
}

// config[field] as an integer in [min, max].
inline int read_config_integer(const Napi::Object& config, const char* api, const char* field, double min,
                               double max) {
  return read_integer(config.Env(), api, std::string("config.") + field, config.Get(field), min, max);
}

// config[field] as one of the named choices ("expected one of 'a' | 'b' …").
template <typename Choice>
Choice read_config_choice(const Napi::Object& config, const char* api, const char* field,
                          std::initializer_list<std::pair<const char*, Choice>> choices) {
  const std::string name = std::string("config.") + field;
  std::string expected = "one of ";
  for (const auto& choice : choices) {
    if (&choice != choices.begin()) expected += " | ";
    expected += std::string("'") + choice.first + "'";
  }
  const Napi::Value value = config.Get(field);
  if (!value.IsString()) throw_type(config.Env(), api, name, expected, value);
  const std::string text = value.As<Napi::String>().Utf8Value();
  for (const auto& choice : choices) {
    if (text == choice.first) return choice.second;
  }
  throw_range(config.Env(), api, name, expected, describe_value(value));
}

}  // namespace ncp::addon
