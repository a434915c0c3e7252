// Copyright 2026 ncp-silicon authors.
#include "mlx/mlx_compile.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

namespace ncp::mlx_backend {
namespace {

// On by default on Metal, where compiling fuses GPU kernels in process. Off by default on MLX's CPU device: there
// warm compiled forward calls take 0.5–0.8 of the eager time (bench/results/mlx-compile.md), but each new kernel
// costs seconds of the system C++ compiler on first use, and MLX builds its kernel cache in $TMPDIR without a lock,
// so processes sharing it can race on one library. NCP_SILICON_MLX_COMPILE=1 opts in.
bool compile_by_default() { return mx::default_device().type == mx::Device::gpu; }

std::atomic<bool>& compile_failed() {
  static std::atomic<bool> failed{false};
  return failed;
}

bool switch_from_environment() {
  const char* value = std::getenv("NCP_SILICON_MLX_COMPILE");
  if (value == nullptr) return compile_by_default();
  if (std::strcmp(value, "1") == 0) return true;
  if (std::strcmp(value, "0") == 0) return false;
  return compile_by_default();
}

// Everything the step's graph depends on besides its inputs' shapes: the cell's configuration (its scalar
// constants are baked into the trace), the layout of the inputs, and the constants' names.
std::string step_key(const ModelShape& shape, const std::vector<std::string>& names, std::size_t dropout_layers) {
  std::ostringstream key;
  key.precision(17);
  if (const auto* ltc = std::get_if<core::LtcConfig>(&shape.cell)) {
    key << "ltc " << ltc->inputs << ' ' << ltc->units << ' ' << ltc->motors << ' ' << ltc->unfolds << ' '
        << ltc->epsilon << ' ' << static_cast<int>(ltc->input_mapping) << ' '
        << static_cast<int>(ltc->output_mapping) << ' ' << ltc->implicit_constraints;
  } else if (const auto* cfc = std::get_if<core::CfcConfig>(&shape.cell)) {
    key << "cfc " << cfc->inputs << ' ' << cfc->units << ' ' << static_cast<int>(cfc->mode) << ' '
        << static_cast<int>(cfc->activation) << ' ' << cfc->backbone_units << ' ' << cfc->backbone_layers;
  } else {
    const auto& wired = std::get<core::WiredCfcConfig>(shape.cell);
    key << "wired " << wired.inputs << ' ' << static_cast<int>(wired.mode);
    for (int n : wired.layer_sizes) key << ' ' << n;
  }
  key << " | mixed " << shape.mixed_memory << " proj " << shape.proj_size << " dropout " << dropout_layers << " |";
  for (const auto& name : names) key << ' ' << name;
  return key.str();
}

// Inputs: x, h, c, dt, the dropout factors, then the constants in `names` order. Outputs: h, c, out.
using ArrayFunction = std::function<std::vector<mx::array>(const std::vector<mx::array>&)>;

ArrayFunction packed_step(const ModelShape& shape, std::vector<std::string> names, std::size_t dropout_layers) {
  return [shape, names = std::move(names), dropout_layers](const std::vector<mx::array>& in) {
    StepConstants k;
    for (std::size_t i = 0; i < names.size(); ++i) k.values.insert_or_assign(names[i], in[4 + dropout_layers + i]);
    const std::vector<mx::array> dropout(in.begin() + 4, in.begin() + 4 + static_cast<std::ptrdiff_t>(dropout_layers));
    StepArrays s = whole_step(shape, k, in[0], in[1], in[2], in[3], dropout);
    return std::vector<mx::array>{s.h, s.c, s.out};
  };
}

struct Registry {
  std::mutex lock;
  std::map<std::string, std::shared_ptr<const ArrayFunction>> compiled;  // never erased (see the header)
};

Registry& registry() {
  static Registry* r = new Registry;  // outlives static destruction: MLX's own statics may go first
  return *r;
}

}  // namespace

StepArrays whole_step(const ModelShape& shape, const StepConstants& k, const mx::array& x, const mx::array& h_in,
                      const mx::array& c_in, const mx::array& dt, const std::vector<mx::array>& dropout) {
  mx::array h = h_in, c = c_in;
  if (shape.mixed_memory) std::tie(h, c) = lstm_step(k, x, h, c);
  StepOut step = cell_step(shape, k, x, h, dt, dropout);
  return {step.h_next, c, shape.proj_size > 0 ? project(k, step.y) : step.y};
}

bool compiled_steps_enabled() {
  static const bool requested = switch_from_environment();
  return requested && !compile_failed().load();
}

void disable_compiled_steps() { compile_failed().store(true); }

CompiledStep compiled_step(const ModelShape& shape, const StepConstants& k, std::size_t dropout_layers) {
  if (!compiled_steps_enabled()) return {};
  std::vector<std::string> names;
  for (const auto& [name, value] : k.values) names.push_back(name);
  const std::string key = step_key(shape, names, dropout_layers);
  std::shared_ptr<const ArrayFunction> fn;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> guard(r.lock);
    auto it = r.compiled.find(key);
    if (it != r.compiled.end()) {
      fn = it->second;
    } else if (r.compiled.size() < kMaxCompiledSteps) {
      fn = std::make_shared<const ArrayFunction>(mx::compile(packed_step(shape, names, dropout_layers)));
      r.compiled.emplace(key, fn);
    } else {
      return {};
    }
  }
  return [fn, count = names.size()](const StepConstants& constants, const mx::array& x, const mx::array& h,
                                    const mx::array& c, const mx::array& dt, const std::vector<mx::array>& dropout) {
    std::vector<mx::array> in{x, h, c, dt};
    in.reserve(4 + dropout.size() + count);
    in.insert(in.end(), dropout.begin(), dropout.end());
    for (const auto& [name, value] : constants.values) in.push_back(value);
    std::vector<mx::array> out = (*fn)(in);
    return StepArrays{out[0], out[1], out[2]};
  };
}

}  // namespace ncp::mlx_backend
