// Copyright 2026 ncp-silicon authors.
// One forward / forwardBackward call's arguments, in two phases so that no JS can run between checking a
// buffer and using it:
//   1. read_sequence_args reads every field of the JS args object exactly once (getters and Proxy traps run
//      here, and only here) and converts the scalars;
//   2. the caller then takes and checks the typed-array views (ViewSet), which runs no JS.
// An async call then copies what its worker reads into a SequenceBaton (sharp's baton): the worker touches
// only native memory, so the caller may detach, shrink or reuse its arrays as soon as the call returns.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "addon/errors.h"
#include "core/memory.h"

namespace ncp::addon {

struct SequenceArgValues {
  double version = 0;
  int batch = 1, steps = 1;
  bool batch_first = true, return_sequences = true;
  std::uint64_t dropout_seed = 0;
  Napi::Value params, input, timespans, h0, c0, output, h_final, c_final, h_sequence;
  Napi::Value d_output, d_h_final, d_c_final, d_input, d_timespans, d_h0, d_c0, d_params;
};

// Phase 1. max_dim bounds batch and steps.
SequenceArgValues read_sequence_args(Napi::Env env, const std::string& api, const Napi::Object& args, bool backward,
                                     int max_dim);

// What an async call's worker reads and writes, owned natively. Inputs are copied in at the call; outputs are
// computed into native buffers and copied out on the JS thread when the work is done, after checking that
// every output array is still attached and as long as it was (else the promise rejects and nothing is written).
template <typename T>
class SequenceBaton {
 public:
  // A copy of `length` elements of `data` (nullptr stays nullptr: an absent optional input).
  const T* own_input(const T* data, std::size_t length) {
    if (data == nullptr) return nullptr;
    inputs_.emplace_back(data, data + length);
    return inputs_.back().data();
  }

  // A native buffer for the output `array` (the JS view `data` of `length` elements). accumulate: the kernel adds
  // into it (dParams), so it starts as a copy of the array; otherwise it starts zeroed.
  T* own_output(T* data, std::size_t length, const Napi::Value& array, const char* name, bool accumulate) {
    if (data == nullptr) return nullptr;
    Output out;
    if (accumulate) out.values.assign(data, data + length);
    else out.values.assign(length, T(0));
    out.array = Napi::Persistent(array);
    out.name = name;
    outputs_.push_back(std::move(out));
    return outputs_.back().values.data();
  }

  // On the JS thread: copies every output back, or none. Returns the name of an output array that was detached
  // or shrunk meanwhile, or nullptr when all were delivered.
  const char* deliver(Napi::Env env) {
    std::vector<T*> targets(outputs_.size());
    for (std::size_t i = 0; i < outputs_.size(); ++i) {
      napi_typedarray_type type;
      std::size_t length = 0;
      void* data = nullptr;
      napi_value buffer;
      std::size_t offset = 0;
      const Output& out = outputs_[i];
      if (napi_get_typedarray_info(env, out.array.Value(), &type, &length, &data, &buffer, &offset) != napi_ok ||
          length != out.values.size() || (length > 0 && data == nullptr)) {
        return out.name;
      }
      targets[i] = static_cast<T*>(data);
    }
    for (std::size_t i = 0; i < outputs_.size(); ++i) {
      std::copy(outputs_[i].values.begin(), outputs_[i].values.end(), targets[i]);
    }
    return nullptr;
  }

 private:
  // Per-call copies count as workspace in nativeMemory() and are freed when the promise settles.
  using Values = core::Buffer<T, core::MemoryCategory::Workspace>;
  struct Output {
    Values values;
    Napi::Reference<Napi::Value> array;  // keeps the JS array alive for the copy-back, nothing more
    const char* name;                    // an argument name (string literal)
  };
  std::vector<Values> inputs_;
  std::vector<Output> outputs_;
};

}  // namespace ncp::addon
