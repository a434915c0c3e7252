// Copyright 2026 ncp-silicon authors.
// One whole step of a sequence (mixed memory's LSTM, the cell, the projection) as a function of arrays only, and
// its mlx::core::compile'd twin. The compiled function takes every parameter as an input (nothing captured), so a
// new parameter version never replays a stale trace; MLX keys its traces by the inputs' shapes and dtypes, so one
// compiled function serves a model configuration at every batch size. Inside mx::vjp the inputs are tracers and
// MLX runs the function uncompiled, so only forward calls use it (bench/results/mlx-compile.md).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "mlx/mlx_cells.h"

namespace ncp::mlx_backend {

struct StepArrays {
  mx::array h, c;  // c: mixed memory's cell state (else the input c, unused)
  mx::array out;   // the step's output after the projection (the cell's y without one)
};

// The step as eager MLX operations (what both paths compute).
StepArrays whole_step(const ModelShape& shape, const StepConstants& k, const mx::array& x, const mx::array& h,
                      const mx::array& c, const mx::array& dt, const std::vector<mx::array>& dropout);

// Whether forward calls use compiled steps: NCP_SILICON_MLX_COMPILE=0 off, 1 on (read at the first call), else on
// for Metal and off for MLX's CPU device; and never again in this process once a compiled call failed where the
// eager one succeeded.
bool compiled_steps_enabled();
void disable_compiled_steps();

using CompiledStep = std::function<StepArrays(const StepConstants& k, const mx::array& x, const mx::array& h,
                                              const mx::array& c, const mx::array& dt,
                                              const std::vector<mx::array>& dropout)>;

// The compiled step for this configuration, the constants' names and the number of dropout factors, shared by
// every model with the same ones; empty when compiling is off or the process already holds kMaxCompiledSteps.
CompiledStep compiled_step(const ModelShape& shape, const StepConstants& k, std::size_t dropout_layers);

// Compiled functions are never freed: MLX's trace cache is per thread and keyed by the function's address, so a
// freed function's address reused by another could replay the wrong trace on another thread.
constexpr std::size_t kMaxCompiledSteps = 64;

}  // namespace ncp::mlx_backend
