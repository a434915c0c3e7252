// Copyright 2026 ncp-silicon authors.
#pragma once

#include <napi.h>

#include <string>

#include "core/optim.h"

namespace ncp::addon {

// Adds the optimizer entry points (optimizerStep, …) to the module exports.
void register_optim(Napi::Env env, Napi::Object exports);

// An update's hyper-parameters ({ kind, lr, beta1?, beta2?, eps?, weightDecay?, momentum?, nesterov?, gradScale?,
// maxGradNorm?, step }), read and range-checked (core::check_optimizer_config): the one reader of both addons.
core::OptimizerConfig read_optimizer_config(Napi::Env env, const std::string& api, const Napi::Object& args);

}  // namespace ncp::addon
