// Copyright 2026 ncp-silicon authors.
#include "addon/model_factory.h"

#include "addon/buffers.h"
#include "addon/errors.h"

namespace ncp::addon {

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
