// Copyright 2026 ncp-silicon authors.
#include "addon/cfc_binding.h"

#include <cmath>
#include <string>

#include "addon/config_fields.h"
#include "addon/limits.h"

namespace ncp::addon {
namespace {

core::CfcMode read_mode(const Napi::Object& config, const char* api) {
  return read_config_choice<core::CfcMode>(
      config, api, "mode",
      {{"default", core::CfcMode::Default}, {"no_gate", core::CfcMode::NoGate}, {"pure", core::CfcMode::Pure}});
}

core::CfcActivation read_activation(const Napi::Object& config, const char* api) {
  return read_config_choice<core::CfcActivation>(config, api, "activation",
                                                 {{"lecun_tanh", core::CfcActivation::LecunTanh},
                                                  {"tanh", core::CfcActivation::Tanh},
                                                  {"relu", core::CfcActivation::Relu},
                                                  {"gelu", core::CfcActivation::Gelu},
                                                  {"silu", core::CfcActivation::Silu}});
}

}  // namespace

core::CfcConfig parse_cfc_config(const Napi::Object& config, const char* api) {
  const Napi::Env env = config.Env();
  core::CfcConfig out;
  out.inputs = read_config_size(config, api, "inputSize", 1, limits::kMaxInputs, "maxInputs");
  out.units = read_config_size(config, api, "units", 1, limits::kMaxUnits, "maxUnits");
  out.mode = read_mode(config, api);
  out.activation = read_activation(config, api);
  out.backbone_units = read_config_size(config, api, "backboneUnits", 1, limits::kMaxBackboneUnits, "maxBackboneUnits");
  out.backbone_layers = read_config_size(config, api, "backboneLayers", 0, limits::kMaxBackboneLayers, "maxBackboneLayers");

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
  out.inputs = read_config_size(config, api, "inputSize", 1, limits::kMaxInputs, "maxInputs");
  out.mode = read_mode(config, api);

  const Napi::Value sizes = config.Get("layerSizes");
  const std::string expected = "a non-empty array of integers from 1 to 16384 (LIMITS.maxUnits)";
  if (!sizes.IsArray()) throw_type(env, api, "config.layerSizes", expected, sizes);
  const Napi::Array array = sizes.As<Napi::Array>();
  const std::uint32_t count = array.Length();
  if (count == 0) throw_range(env, api, "config.layerSizes", expected, describe_value(sizes));
  // More layers than units cannot sum to at most maxUnits; refused before the reserve below.
  if (count > limits::kMaxUnits) throw_limit(env, api, "config.layerSizes", expected, describe_value(sizes));
  out.layer_sizes.reserve(count);
  double total = 0;
  for (std::uint32_t l = 0; l < count; ++l) {
    const std::string name = "config.layerSizes[" + std::to_string(l) + "]";
    out.layer_sizes.push_back(read_size(env, api, name, array.Get(l), 1, limits::kMaxUnits, "maxUnits"));
    total += out.layer_sizes.back();
  }
  if (total > limits::kMaxUnits) {
    throw_limit(env, api, "config.layerSizes", "layer sizes that sum to at most 16384 (LIMITS.maxUnits)",
                "a sum of " + std::to_string(static_cast<long long>(total)));
  }
  return out;
}

}  // namespace ncp::addon
