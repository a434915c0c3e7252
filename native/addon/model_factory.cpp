// Copyright 2026 ncp-silicon authors.
#include "addon/model_factory.h"

#include "addon/buffers.h"
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

template <typename T>
std::shared_ptr<const core::SequenceModelBase<T>> make_sequence_model(const CellConfig& config, bool mixed_memory,
                                                                      int proj_size, const T* params,
                                                                      const core::ParamOffsets& offsets,
                                                                      std::size_t param_count) {
  const core::ParamSource<T> source{params, param_count, offsets};
  return std::visit(
      [&](const auto& cell_config) -> std::shared_ptr<const core::SequenceModelBase<T>> {
        using Config = std::decay_t<decltype(cell_config)>;
        using Cell = std::conditional_t<std::is_same_v<Config, core::LtcConfig>, core::LtcCell<T>,
                                        std::conditional_t<std::is_same_v<Config, core::CfcConfig>,
                                                           core::CfcCell<T>, core::WiredCfcCell<T>>>;
        Cell cell(cell_config, source);
        const core::CellWork work = cell.work_per_step();
        return std::make_shared<core::SequenceModel<Cell>>(std::move(cell), mixed_memory, proj_size, source, work);
      },
      config);
}

template std::shared_ptr<const core::SequenceModelBase<float>> make_sequence_model<float>(
    const CellConfig&, bool, int, const float*, const core::ParamOffsets&, std::size_t);
template std::shared_ptr<const core::SequenceModelBase<double>> make_sequence_model<double>(
    const CellConfig&, bool, int, const double*, const core::ParamOffsets&, std::size_t);

}  // namespace ncp::addon
