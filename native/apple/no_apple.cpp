// Copyright 2026 ncp-silicon authors.
// Compiled on every platform but macOS: the Apple device layer is absent, and says so by returning nullopt.
#include "apple/apple_device.h"

namespace ncp::apple {

std::optional<DeviceInfo> device_info() { return std::nullopt; }

ProcessMemory process_memory() {
  ProcessMemory m;
  m.phys_footprint_reason = "phys_footprint comes from the Mach call task_info(TASK_VM_INFO), which exists only on macOS";
  m.metal_reason = "Metal exists only on macOS";
  return m;
}

}  // namespace ncp::apple
