// Copyright 2026 ncp-silicon authors.
#include "addon/config_fields.h"

#include <cmath>

namespace ncp::addon {

int read_integer(Napi::Env env, const std::string& api, const std::string& name, const Napi::Value& value, double min,
                 double max) {
  const std::string expected = "an integer from " + std::to_string(static_cast<long long>(min)) + " to " +
                               std::to_string(static_cast<long long>(max));
  if (!value.IsNumber()) throw_type(env, api, name, expected, value);
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= min && number <= max) || std::trunc(number) != number) {
    throw_range(env, api, name, expected, describe_value(value));
  }
  return static_cast<int>(number);
}

int read_size(Napi::Env env, const std::string& api, const std::string& name, const Napi::Value& value, double min,
              double max, const char* limit) {
  const std::string expected = "an integer from " + std::to_string(static_cast<long long>(min)) + " to " +
                               std::to_string(static_cast<long long>(max)) + " (LIMITS." + limit + ")";
  if (!value.IsNumber()) throw_type(env, api, name, expected, value);
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= min) || std::trunc(number) != number) throw_range(env, api, name, expected, describe_value(value));
  if (number > max) throw_limit(env, api, name, expected, describe_value(value));
  return static_cast<int>(number);
}

}  // namespace ncp::addon
