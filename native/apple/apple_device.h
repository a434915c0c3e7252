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

// Memory figures only macOS can give (monitor's memory()). Each is absent when it cannot be read, and
// `reason` then says why; a figure is never reported as 0 in place of "unknown".
struct ProcessMemory {
  std::optional<double> phys_footprint_bytes;                 // task_info(TASK_VM_INFO).phys_footprint
  std::optional<double> metal_recommended_working_set_bytes;  // MTLDevice.recommendedMaxWorkingSetSize
  std::optional<double> metal_current_allocated_bytes;       // MTLDevice.currentAllocatedSize (this process)
  std::string metal_device_name;
  std::string phys_footprint_reason;  // why phys_footprint_bytes is absent
  std::string metal_reason;           // why the Metal figures are absent
};

ProcessMemory process_memory();

}  // namespace ncp::apple
