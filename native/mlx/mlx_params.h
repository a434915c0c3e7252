// Copyright 2026 ncp-silicon authors.
// The parameters of one model on the MLX device: which named tensors the configuration needs (names and shapes as
// the CPU cells read them from the flat buffer), checked against the caller's offsets, and uploaded once per
// parameter version as MLX arrays that stay on the device between calls.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "core/cell.h"
#include "core/cfc.h"
#include "core/ltc.h"
#include "core/wired_cfc.h"
#include "mlx/mlx.h"

namespace ncp::mlx_backend {

namespace mx = mlx::core;

// Which cell a model runs, with its configuration in the CPU backend's structs (one vocabulary for both).
using CellConfig = std::variant<core::LtcConfig, core::CfcConfig, core::WiredCfcConfig>;

struct ModelShape {
  CellConfig cell;
  bool mixed_memory = false;
  int proj_size = 0;  // 0: no projection
};

struct ParamSlot {
  std::string name;
  mx::Shape shape;
  bool trainable = true;
  std::size_t offset = 0;  // elements into the flat buffer
  std::size_t size = 0;    // elements
};

// Every tensor the model reads, in a fixed order (trainable first), with offsets from `offsets`. Throws
// core::InvalidArgument when a name is missing or [offset, offset + size) does not lie inside `length` elements.
std::vector<ParamSlot> param_slots(const ModelShape& shape, const core::ParamOffsets& offsets, std::size_t length);

int state_size(const ModelShape& shape);
int cell_output_size(const ModelShape& shape);
int output_size(const ModelShape& shape);
int input_size(const ModelShape& shape);

// The name of backbone layer l's Linear ("cell.backbone.<l>", numbered by layer).
std::string backbone_linear(int layer);

// The device-resident parameters of one version: name → array, and the trainable slots in order (the primals of a
// backward pass, and where their gradients go in the flat layout).
struct DeviceParams {
  std::map<std::string, mx::array> by_name;
  std::vector<ParamSlot> trainable;
  const mx::array& operator[](const std::string& name) const;
};

// Copies the flat float32 buffer into device arrays (MLX copies on construction: nothing aliases the caller's memory).
DeviceParams upload(const std::vector<ParamSlot>& slots, const float* flat);

}  // namespace ncp::mlx_backend
