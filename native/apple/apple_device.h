// Copyright 2026 ncp-silicon authors.
#pragma once

#include <optional>
#include <string>

namespace ncp::apple {

// Facts about the Apple GPU / unified memory, read through Metal and sysctl on macOS.
struct DeviceInfo {
  std::string chip;                          // e.g. "Apple M2 Pro" (machdep.cpu.brand_string)
  std::string gpu_name;                      // MTLDevice.name
  bool has_unified_memory = false;           // MTLDevice.hasUnifiedMemory
  double recommended_working_set_bytes = 0;  // MTLDevice.recommendedMaxWorkingSetSize
};

// The device facts, or nullopt where this build has no Apple support (apple/no_apple.cpp).
std::optional<DeviceInfo> device_info();

}  // namespace ncp::apple
