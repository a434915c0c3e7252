// Copyright 2026 ncp-silicon authors.
// MLX's own failures as our typed errors. MLX reports them as std::runtime_error with a message; the ones a caller
// can act on are recognised by the messages MLX 0.32.1 throws and become addon::CodedFailure (addon/errors.h):
//   allocation: "[malloc] Unable to allocate N bytes.", "[metal::malloc] Resource limit (N) exceeded.",
//     "[metal::malloc] Attempting to allocate N bytes which is greater than the maximum allowed buffer size …"
//     → NCP_NATIVE_OUT_OF_MEMORY (which device, the size MLX asked for, what to do);
//   the Metal library: "Failed to load the default metallib …", "Failed to load the metallib …", "Can not load
//     metallib from specified location …" → NCP_MLX_METALLIB (where MLX looked, how to fix it);
//   run-time compilation: "[Compile::eval_cpu] …", "Could not load C++ shared library …", "[compile] …",
//     "[metal::Device] Unable to build metal library from source …" → NCP_MLX_COMPILE.
// Anything else passes through unchanged (errors.cpp makes it NCP_NATIVE). Every MLX evaluation runs in
// mlx_guarded.
#pragma once

#include <optional>
#include <string>

#include "addon/errors.h"

namespace ncp::mlx_backend {

// The typed failure for one of MLX's messages, or nothing when the message is not one of the above.
std::optional<addon::CodedFailure> classify_mlx_error(const std::string& message, bool on_gpu);

// Inside a catch block: rethrows the current exception, as its CodedFailure when MLX's message is recognised.
[[noreturn]] void rethrow_classified();

// Runs fn, an MLX evaluation, with MLX's recognised failures typed.
template <typename Fn>
auto mlx_guarded(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (...) {
    rethrow_classified();
  }
}

}  // namespace ncp::mlx_backend
