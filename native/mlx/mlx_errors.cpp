// Copyright 2026 ncp-silicon authors.
#include "mlx/mlx_errors.h"

#include <dlfcn.h>

#include <cstdio>
#include <exception>
#include <regex>
#include <stdexcept>

#include "mlx/device.h"

namespace ncp::mlx_backend {
namespace {

namespace mx = mlx::core;

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// The first "<digits>" after `before` in `message`, as text ("" when absent).
std::string number_after(const std::string& message, const char* before) {
  const std::regex pattern(std::string(before) + "([0-9]+)");
  std::smatch match;
  return std::regex_search(message, match, pattern) ? match[1].str() : std::string();
}

// "1.5 GiB" beside a byte count, as src/limits.ts's formatBytes prints bounds.
std::string readable_bytes(const std::string& digits) {
  double value = std::stod(digits);
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char text[64];
  std::snprintf(text, sizeof(text), unit == 0 ? "%.0f %s" : "%.3g %s", value, units[unit]);
  return text;
}

// The folder of the binary this code is in (the .node): where MLX looks for mlx.metallib first.
std::string binary_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&binary_dir), &info) == 0 || info.dli_fname == nullptr) return "";
  const std::string path = info.dli_fname;
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

constexpr const char* kSmaller = "Use a smaller batch or shorter sequences, or backend: 'cpu'.";

}  // namespace

std::optional<addon::CodedFailure> classify_mlx_error(const std::string& message, bool on_gpu) {
  const std::string device = on_gpu ? "the Metal GPU" : "MLX's CPU device";
  const std::string said = " (MLX: " + message.substr(0, message.find_last_not_of(" \n") + 1) + ")";
  if (starts_with(message, "[malloc] Unable to allocate")) {
    const std::string bytes = number_after(message, "allocate ");
    const std::string size = bytes.empty() ? "memory" : bytes + " bytes (" + readable_bytes(bytes) + ")";
    return addon::CodedFailure("NCP_NATIVE_OUT_OF_MEMORY",
                               "MLX ran out of memory on " + device + ": it asked for " + size +
                                   " and could not get them" + said + ". " + kSmaller);
  }
  if (starts_with(message, "[metal::malloc] Attempting to allocate")) {
    const std::string bytes = number_after(message, "allocate ");
    const std::string most = number_after(message, "buffer size of ");
    return addon::CodedFailure(
        "NCP_NATIVE_OUT_OF_MEMORY",
        "MLX ran out of memory on " + device + ": it asked for one buffer of " + bytes + " bytes (" +
            readable_bytes(bytes.empty() ? "0" : bytes) + "), more than the device's largest buffer" +
            (most.empty() ? "" : " (" + most + " bytes)") + said + ". " + kSmaller);
  }
  if (starts_with(message, "[metal::malloc] Resource limit")) {
    const std::string limit = number_after(message, "limit \\(");
    return addon::CodedFailure("NCP_NATIVE_OUT_OF_MEMORY",
                               "MLX ran out of memory on " + device + ": it needed more buffers than Metal's limit" +
                                   (limit.empty() ? "" : " of " + limit) + said + ". " + kSmaller);
  }
  if (starts_with(message, "Failed to load the default metallib") ||
      starts_with(message, "Failed to load the metallib") || starts_with(message, "Can not load metallib")) {
    const std::string dir = binary_dir();
    return addon::CodedFailure(
        "NCP_MLX_METALLIB",
        "MLX could not load its Metal kernels (mlx.metallib)" + said + ". MLX looks for mlx.metallib beside the binary " +
            "that contains it" + (dir.empty() ? "" : ", " + dir + "/mlx.metallib") +
            ": it belongs beside build-mlx/Release/ncp_silicon_mlx.node, where `npm run build:mlx` copies it from " +
            "MLX's installation; rebuild with `npm run build:mlx`, or use backend: 'cpu'.");
  }
  if (starts_with(message, "[Compile::") || starts_with(message, "Could not load C++ shared library") ||
      starts_with(message, "[compile]") || starts_with(message, "[metal::Device] Unable to build metal library")) {
    return addon::CodedFailure(
        "NCP_MLX_COMPILE",
        "MLX's run-time compiler failed on " + device + said +
            ". Set NCP_SILICON_MLX_COMPILE=0 to run MLX eagerly, or use backend: 'cpu'.");
  }
  return std::nullopt;
}

void rethrow_classified() {
  try {
    throw;
  } catch (const addon::CodedFailure&) {
    throw;
  } catch (const std::runtime_error& e) {
    auto coded = classify_mlx_error(e.what(), mx::default_device().type == mx::Device::gpu);
    if (coded) throw *coded;
    throw;
  }
}

}  // namespace ncp::mlx_backend
