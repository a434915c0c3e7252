// Copyright 2026 ncp-silicon authors.
#include "addon/cfc_binding.h"

#include <cmath>
#include <string>

#include "addon/errors.h"

namespace ncp::addon {
namespace {

constexpr double kMaxDimension = 16777216;  // 2^24, as for the LTC config
constexpr double kMaxBackboneLayers = 64;

std::string integer_range(double min, double max) {
  return "an integer from " + std::to_string(static_cast<long long>(min)) + " to " +
         std::to_string(static_cast<long long>(max));
}

// An integer in [min, max] read from `value`, reported as `name`.
int to_integer(Napi::Env env, const char* api, const std::string& name, const Napi::Value& value, double min,
               double max) {
  const std::string expected = integer_range(min, max);
  if (!value.IsNumber()) throw_type(env, api, name, expected, value);
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= min && number <= max) || std::trunc(number) != number) {
    throw_range(env, api, name, expected, describe_value(value));
  }
  return static_cast<int>(number);
}

int read_integer(const Napi::Object& config, const char* api, const char* field, double min, double max) {
  return to_integer(config.Env(), api, std::string("config.") + field, config.Get(field), min, max);
}

core::CfcMode read_mode(const Napi::Object& config, const char* api) {
  const char* expected = "one of 'default' | 'no_gate' | 'pure'";
  const Napi::Value value = config.Get("mode");
  if (!value.IsString()) throw_type(config.Env(), api, "config.mode", expected, value);
  const std::string text = value.As<Napi::String>().Utf8Value();
  if (text == "default") return core::CfcMode::Default;
  if (text == "no_gate") return core::CfcMode::NoGate;
  if (text == "pure") return core::CfcMode::Pure;
  throw_range(config.Env(), api, "config.mode", expected, describe_value(value));
}

core::CfcActivation read_activation(const Napi::Object& config, const char* api) {
  const char* expected = "one of 'lecun_tanh' | 'tanh' | 'relu' | 'gelu' | 'silu'";
  const Napi::Value value = config.Get("activation");
  if (!value.IsString()) throw_type(config.Env(), api, "config.activation", expected, value);
  const std::string text = value.As<Napi::String>().Utf8Value();
  if (text == "lecun_tanh") return core::CfcActivation::LecunTanh;
  if (text == "tanh") return core::CfcActivation::Tanh;
  if (text == "relu") return core::CfcActivation::Relu;
  if (text == "gelu") return core::CfcActivation::Gelu;
  if (text == "silu") return core::CfcActivation::Silu;
  throw_range(config.Env(), api, "config.activation", expected, describe_value(value));
}

}  // namespace

core::CfcConfig parse_cfc_config(const Napi::Object& config, const char* api) {
  const Napi::Env env = config.Env();
  core::CfcConfig out;
  out.inputs = read_integer(config, api, "inputs", 1, kMaxDimension);
  out.units = read_integer(config, api, "units", 1, kMaxDimension);
  out.mode = read_mode(config, api);
  out.activation = read_activation(config, api);
  out.backbone_units = read_integer(config, api, "backboneUnits", 1, kMaxDimension);
  out.backbone_layers = read_integer(config, api, "backboneLayers", 0, kMaxBackboneLayers);

  const Napi::Value dropout = config.Get("backboneDropout");
  const char* dropout_expected = "a number in [0, 1)";
  if (!dropout.IsNumber()) throw_type(env, api, "config.backboneDropout", dropout_expected, dropout);
  out.backbone_dropout = dropout.As<Napi::Number>().DoubleValue();
  if (!(out.backbone_dropout >= 0.0 && out.backbone_dropout < 1.0)) {
    throw_range(env, api, "config.backboneDropout", dropout_expected, describe_value(dropout));
  }
  return out;
}

core::WiredCfcConfig parse_wired_cfc_config(const Napi::Object& config, const char* api) {
  const Napi::Env env = config.Env();
  core::WiredCfcConfig out;
  out.inputs = read_integer(config, api, "inputs", 1, kMaxDimension);
  out.mode = read_mode(config, api);

  const Napi::Value sizes = config.Get("layerSizes");
  const std::string expected = "a non-empty array of integers from 1 to 16777216";
  if (!sizes.IsArray()) throw_type(env, api, "config.layerSizes", expected, sizes);
  const Napi::Array array = sizes.As<Napi::Array>();
  const std::uint32_t count = array.Length();
  if (count == 0) throw_range(env, api, "config.layerSizes", expected, describe_value(sizes));
  out.layer_sizes.reserve(count);
  double total = 0;
  for (std::uint32_t l = 0; l < count; ++l) {
    const std::string name = "config.layerSizes[" + std::to_string(l) + "]";
    out.layer_sizes.push_back(to_integer(env, api, name, array.Get(l), 1, kMaxDimension));
    total += out.layer_sizes.back();
  }
  if (total > kMaxDimension) {
    throw_range(env, api, "config.layerSizes", "layer sizes that sum to at most 16777216",
                "a sum of " + std::to_string(static_cast<long long>(total)));
  }
  return out;
}

}  // namespace ncp::addon
