// Copyright 2026 ncp-silicon authors.
#include "addon/ltc_binding.h"

#include <cmath>
#include <string>

#include "addon/config_fields.h"
#include "addon/limits.h"

namespace ncp::addon {
namespace {

core::Mapping read_mapping(const Napi::Object& config, const char* api, const char* field) {
  return read_config_choice<core::Mapping>(
      config, api, field,
      {{"affine", core::Mapping::Affine}, {"linear", core::Mapping::Linear}, {"none", core::Mapping::None}});
}

}  // namespace

core::LtcConfig parse_ltc_config(const Napi::Object& config, const char* api) {
  const Napi::Env env = config.Env();
  core::LtcConfig out;
  out.inputs = read_config_size(config, api, "inputSize", 1, limits::kMaxInputs, "maxInputs");
  out.units = read_config_size(config, api, "units", 1, limits::kMaxUnits, "maxUnits");
  out.motors = read_config_integer(config, api, "motorSize", 1, out.units);
  out.unfolds = read_config_integer(config, api, "odeUnfolds", 1, kMaxConfigDimension);

  const Napi::Value epsilon = config.Get("epsilon");
  const char* epsilon_expected = "a finite number ≥ 0";
  if (!epsilon.IsNumber()) throw_type(env, api, "config.epsilon", epsilon_expected, epsilon);
  out.epsilon = epsilon.As<Napi::Number>().DoubleValue();
  if (!(out.epsilon >= 0) || !std::isfinite(out.epsilon)) {
    throw_range(env, api, "config.epsilon", epsilon_expected, describe_value(epsilon));
  }

  out.input_mapping = read_mapping(config, api, "inputMapping");
  out.output_mapping = read_mapping(config, api, "outputMapping");

  const Napi::Value implicit = config.Get("implicitParamConstraints");
  if (!implicit.IsBoolean()) throw_type(env, api, "config.implicitParamConstraints", "a boolean", implicit);
  out.implicit_constraints = implicit.As<Napi::Boolean>().Value();
  return out;
}

}  // namespace ncp::addon
