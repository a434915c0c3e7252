// Copyright 2026 ncp-silicon authors.
#include "addon/cell_config.h"

#include "addon/cfc_binding.h"
#include "addon/errors.h"
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

}  // namespace ncp::addon
