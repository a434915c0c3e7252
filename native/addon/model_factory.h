// Copyright 2026 ncp-silicon authors.
// Turns a parsed cell configuration and a flat parameter buffer into a runnable sequence model. Every layer
// copies what it reads (each tensor checked to lie inside the buffer): the model keeps no pointer into `params`.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <variant>

#include "addon/cell_config.h"
#include "core/sequence.h"

namespace ncp::addon {

template <typename T>
std::shared_ptr<const core::SequenceModelBase<T>> make_sequence_model(const CellConfig& config, bool mixed_memory,
                                                                      int proj_size, const T* params,
                                                                      const core::ParamOffsets& offsets,
                                                                      std::size_t param_count);

}  // namespace ncp::addon
