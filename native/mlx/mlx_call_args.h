// Copyright 2026 ncp-silicon authors.
// A sequence call's arguments as the MLX model reads them: every field read once and validated on the main thread
// into a SequenceCall the device evaluates from (nothing a worker reads belongs to JS), with the native buffers
// its results are computed into and copied back from on the main thread (addon/sequence_args.h's baton).
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "addon/sequence_args.h"
#include "mlx/mlx_sequence.h"

namespace ncp::mlx_backend {

struct ResultTargets {
  float *output = nullptr, *h_final = nullptr, *c_final = nullptr, *h_sequence = nullptr;
  float *d_input = nullptr, *d_timespans = nullptr, *d_h0 = nullptr, *d_c0 = nullptr, *d_params = nullptr;
};

struct CallSizes {
  std::size_t inputs = 0, state = 0, outputs = 0, params = 0;
  bool mixed_memory = false;
};

struct PreparedCall {
  SequenceCall call;
  std::unique_ptr<addon::SequenceBaton<float>> baton;
  ResultTargets targets;
  double version = 0;  // the parameter version the caller holds
};

// backward: forwardBackward's arrays; with_loss: the fused loss (no dOutput); training: a training step on the
// device, where dInput and dParams are optional (its gradient stays on the device).
PreparedCall read_call(Napi::Env env, const std::string& api, const Napi::Object& args, const CallSizes& sizes,
                       bool backward, bool with_loss, bool training);

// On any thread: native memory only. dParams accumulates, as on the CPU backend.
void store(const SequenceResult& result, const ResultTargets& targets);

// On the main thread: copies the results into the caller's arrays, or throws a RangeError naming one that was
// detached or resized while the call ran.
void deliver_or_throw(Napi::Env env, const std::string& api, addon::SequenceBaton<float>& baton);

// A fused call's { loss, count }.
Napi::Object loss_value(Napi::Env env, const SequenceResult& result, const SequenceCall& call);

}  // namespace ncp::mlx_backend
