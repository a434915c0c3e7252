// Copyright 2026 ncp-silicon authors.
#include "mlx/mlx_params.h"

#include <limits>
#include <numeric>

namespace ncp::mlx_backend {
namespace {

struct Spec {
  std::string name;
  mx::Shape shape;
  bool trainable = true;
};

void add_linear(std::vector<Spec>& specs, const std::string& prefix, int out, int in) {
  specs.push_back({prefix + ".weight", {out, in}});
  specs.push_back({prefix + ".bias", {out}});
}

void add_mapping(std::vector<Spec>& specs, const std::string& prefix, core::Mapping mapping, int size) {
  if (mapping == core::Mapping::None) return;
  specs.push_back({"cell." + prefix + "_w", {size}});
  if (mapping == core::Mapping::Affine) specs.push_back({"cell." + prefix + "_b", {size}});
}

void add_cfc_head(std::vector<Spec>& specs, const std::string& prefix, core::CfcMode mode, int units, int in) {
  add_linear(specs, prefix + ".ff1", units, in);
  if (mode == core::CfcMode::Pure) {
    specs.push_back({prefix + ".w_tau", {1, units}});
    specs.push_back({prefix + ".A", {1, units}});
  } else {
    add_linear(specs, prefix + ".ff2", units, in);
    add_linear(specs, prefix + ".time_a", units, in);
    add_linear(specs, prefix + ".time_b", units, in);
  }
}

std::vector<Spec> specs_of(const ModelShape& shape) {
  std::vector<Spec> specs;
  if (const auto* ltc = std::get_if<core::LtcConfig>(&shape.cell)) {
    const int S = ltc->inputs, N = ltc->units, M = ltc->motors;
    for (const char* name : {"gleak", "vleak", "cm"}) specs.push_back({std::string("cell.") + name, {N}});
    for (const char* name : {"sigma", "mu", "w", "erev"}) specs.push_back({std::string("cell.") + name, {N, N}});
    for (const char* name : {"sensory_sigma", "sensory_mu", "sensory_w", "sensory_erev"}) {
      specs.push_back({std::string("cell.") + name, {S, N}});
    }
    add_mapping(specs, "input", ltc->input_mapping, S);
    add_mapping(specs, "output", ltc->output_mapping, M);
    specs.push_back({"cell.sparsity_mask", {N, N}, false});
    specs.push_back({"cell.sensory_sparsity_mask", {S, N}, false});
  } else if (const auto* cfc = std::get_if<core::CfcConfig>(&shape.cell)) {
    const int S = cfc->inputs, N = cfc->units, U = cfc->backbone_units;
    for (int l = 0; l < cfc->backbone_layers; ++l) {
      add_linear(specs, backbone_linear(l), U, l == 0 ? S + N : U);
    }
    add_cfc_head(specs, "cell", cfc->mode, N, cfc->backbone_layers > 0 ? U : S + N);
  } else {
    const auto& wired = std::get<core::WiredCfcConfig>(shape.cell);
    int in = wired.inputs;
    for (std::size_t l = 0; l < wired.layer_sizes.size(); ++l) {
      const int n = wired.layer_sizes[l];
      const std::string prefix = "cell.layer_" + std::to_string(l);
      add_cfc_head(specs, prefix, wired.mode, n, in + n);
      specs.push_back({prefix + ".sparsity_mask", {n, in + n}, false});
      in = n;
    }
  }
  const int S = input_size(shape), H = state_size(shape);
  if (shape.mixed_memory) {
    add_linear(specs, "lstm.input_map", 4 * H, S);
    specs.push_back({"lstm.recurrent_map.weight", {4 * H, H}});
  }
  if (shape.proj_size > 0) add_linear(specs, "fc", shape.proj_size, cell_output_size(shape));
  return specs;
}

}  // namespace

std::string backbone_linear(int layer) { return "cell.backbone." + std::to_string(layer); }

int input_size(const ModelShape& shape) {
  return std::visit([](const auto& c) { return c.inputs; }, shape.cell);
}

int state_size(const ModelShape& shape) {
  if (const auto* ltc = std::get_if<core::LtcConfig>(&shape.cell)) return ltc->units;
  if (const auto* cfc = std::get_if<core::CfcConfig>(&shape.cell)) return cfc->units;
  const auto& sizes = std::get<core::WiredCfcConfig>(shape.cell).layer_sizes;
  return std::accumulate(sizes.begin(), sizes.end(), 0);
}

int cell_output_size(const ModelShape& shape) {
  if (const auto* ltc = std::get_if<core::LtcConfig>(&shape.cell)) return ltc->motors;
  if (const auto* cfc = std::get_if<core::CfcConfig>(&shape.cell)) return cfc->units;
  return std::get<core::WiredCfcConfig>(shape.cell).layer_sizes.back();
}

int output_size(const ModelShape& shape) { return shape.proj_size > 0 ? shape.proj_size : cell_output_size(shape); }

std::vector<ParamSlot> param_slots(const ModelShape& shape, const core::ParamOffsets& offsets, std::size_t length) {
  std::vector<ParamSlot> slots;
  for (auto& spec : specs_of(shape)) {
    std::size_t size = 1;
    for (int d : spec.shape) size *= static_cast<std::size_t>(d);  // dims are bounded by the config reader
    const std::size_t offset = core::offset_of(offsets, spec.name);
    if (offset > length || size > length - offset) {
      throw core::InvalidArgument(core::InvalidArgument::Kind::Range,
                                  "MLX backend: parameter '" + spec.name + "' at offset " + std::to_string(offset) +
                                      " with " + std::to_string(size) + " elements does not fit in the " +
                                      std::to_string(length) + "-element parameter buffer.");
    }
    slots.push_back({spec.name, spec.shape, spec.trainable, offset, size});
  }
  return slots;
}

const mx::array& DeviceParams::operator[](const std::string& name) const { return by_name.at(name); }

DeviceParams upload(const std::vector<ParamSlot>& slots, const float* flat) {
  DeviceParams out;
  for (const auto& slot : slots) {
    out.by_name.emplace(slot.name, mx::array(flat + slot.offset, slot.shape, mx::float32));
    if (slot.trainable) out.trainable.push_back(slot);
  }
  return out;
}

}  // namespace ncp::mlx_backend
