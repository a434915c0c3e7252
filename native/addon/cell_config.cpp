// Copyright 2026 ncp-silicon authors.
#include "addon/cell_config.h"

#include <cmath>

#include "addon/buffers.h"
#include "addon/cfc_binding.h"
#include "addon/config_fields.h"
#include "addon/errors.h"
#include "addon/limits.h"
#include "addon/ltc_binding.h"

namespace ncp::addon {

CellConfig parse_cell_config(Napi::Env env, const std::string& api, const Napi::Object& config) {
  Napi::Value cell = config.Get("cell");
  Napi::Value cell_config = config.Get("cellConfig");
  const char* choices = "one of 'ltc' | 'cfc' | 'wired_cfc'";
  if (!cell.IsString()) throw_type(env, api, "cell", choices, cell);
  if (!cell_config.IsObject()) throw_type(env, api, "cellConfig", "an object", cell_config);
  const std::string kind = cell.As<Napi::String>().Utf8Value();
  const Napi::Object object = cell_config.As<Napi::Object>();
  if (kind == "ltc") return parse_ltc_config(object, api.c_str());
  if (kind == "cfc") return parse_cfc_config(object, api.c_str());
  if (kind == "wired_cfc") return parse_wired_cfc_config(object, api.c_str());
  throw_range(env, api, "cell", choices, describe_value(cell));
}

ModelConfig read_model_config(Napi::Env env, const Napi::Value& value, const char* class_name) {
  if (!value.IsObject()) throw_type(env, class_name, "config", "an object", value);
  Napi::Object config = value.As<Napi::Object>();
  ModelConfig out;
  Napi::Value api = config.Get("api");
  out.api = api.IsString() ? api.As<Napi::String>().Utf8Value() : std::string(class_name);
  out.cell = parse_cell_config(env, out.api, config);
  out.mixed_memory = get_bool(env, out.api, config, "mixedMemory", false);
  out.proj_size = read_size(env, out.api, "projSize", config.Get("projSize"), 0, limits::kMaxProjSize, "maxProjSize");

  Napi::Value params = config.Get("params");
  if (!params.IsTypedArray()) throw_type(env, out.api, "params", "Float32Array or Float64Array", params);
  out.params = params.As<Napi::TypedArray>();
  if (out.params.TypedArrayType() != napi_float32_array && out.params.TypedArrayType() != napi_float64_array) {
    throw_type(env, out.api, "params", "Float32Array or Float64Array", params);
  }
  // The cells copy and pack what they read, so a model holds a few times this; refused before any of it.
  const double param_bytes = static_cast<double>(out.params.ByteLength());
  if (param_bytes > limits::kMaxParameterBytes) {
    throw_limit(env, out.api, "params", "at most 1073741824 bytes (LIMITS.maxParameterBytes)",
                describe_value(params) + " of " + format_number(param_bytes) + " bytes");
  }
  const std::size_t count = out.params.ElementLength();

  Napi::Value offsets = config.Get("offsets");
  if (!offsets.IsObject()) throw_type(env, out.api, "offsets", "an object of parameter offsets", offsets);
  Napi::Object offsets_obj = offsets.As<Napi::Object>();
  Napi::Array names = offsets_obj.GetPropertyNames();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    const std::string name = names.Get(i).As<Napi::String>().Utf8Value();
    Napi::Value offset = offsets_obj.Get(name);
    const double o = offset.IsNumber() ? offset.As<Napi::Number>().DoubleValue() : -1;
    if (!(o >= 0 && o < static_cast<double>(count)) || std::floor(o) != o) {
      throw_range(env, out.api, "offsets." + name, "an integer offset inside params", describe_value(offset));
    }
    out.offsets[name] = static_cast<std::size_t>(o);
  }
  return out;
}

}  // namespace ncp::addon
