// Copyright 2026 ncp-silicon authors.
#include "addon/ltc_binding.h"

#include <cmath>
#include <string>

#include "addon/errors.h"

namespace ncp::addon {
namespace {

constexpr double kMaxDimension = 16777216;  // 2^24, the same bound LtcCell checks

// What a number looks like in JS (String(value)), for "received number 2.5".
std::string describe_number(const Napi::Value& value) { return "number " + value.ToString().Utf8Value(); }

int read_integer(const Napi::Object& config, const char* api, const char* field, double min, double max) {
  const std::string name = std::string("config.") + field;
  const std::string expected = min == 1 && max == kMaxDimension
                                   ? "an integer from 1 to 16777216"
                                   : "an integer from " + std::to_string(static_cast<long long>(min)) + " to " +
                                         std::to_string(static_cast<long long>(max));
  const Napi::Value value = config.Get(field);
  if (!value.IsNumber()) throw_type(config.Env(), api, name, expected, value);
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= min && number <= max) || std::trunc(number) != number) {
    throw_range(config.Env(), api, name, expected, describe_number(value));
  }
  return static_cast<int>(number);
}

core::Mapping read_mapping(const Napi::Object& config, const char* api, const char* field) {
  const std::string name = std::string("config.") + field;
  const char* expected = "one of 'affine' | 'linear' | 'none'";
  const Napi::Value value = config.Get(field);
  if (!value.IsString()) throw_type(config.Env(), api, name, expected, value);
  const std::string text = value.As<Napi::String>().Utf8Value();
  if (text == "affine") return core::Mapping::Affine;
  if (text == "linear") return core::Mapping::Linear;
  if (text == "none") return core::Mapping::None;
  throw_range(config.Env(), api, name, expected, describe_value(value));
}

}  // namespace

core::LtcConfig parse_ltc_config(const Napi::Object& config, const char* api) {
  const Napi::Env env = config.Env();
  core::LtcConfig out;
  out.inputs = read_integer(config, api, "inputs", 1, kMaxDimension);
  out.units = read_integer(config, api, "units", 1, kMaxDimension);
  out.motors = read_integer(config, api, "motors", 1, out.units);
  out.unfolds = read_integer(config, api, "unfolds", 1, kMaxDimension);

  const Napi::Value epsilon = config.Get("epsilon");
  const char* epsilon_expected = "a finite number ≥ 0";
  if (!epsilon.IsNumber()) throw_type(env, api, "config.epsilon", epsilon_expected, epsilon);
  out.epsilon = epsilon.As<Napi::Number>().DoubleValue();
  if (!(out.epsilon >= 0) || !std::isfinite(out.epsilon)) {
    throw_range(env, api, "config.epsilon", epsilon_expected, describe_number(epsilon));
  }

  out.input_mapping = read_mapping(config, api, "inputMapping");
  out.output_mapping = read_mapping(config, api, "outputMapping");

  const Napi::Value implicit = config.Get("implicitConstraints");
  if (!implicit.IsBoolean()) throw_type(env, api, "config.implicitConstraints", "a boolean", implicit);
  out.implicit_constraints = implicit.As<Napi::Boolean>().Value();
  return out;
}

}  // namespace ncp::addon
