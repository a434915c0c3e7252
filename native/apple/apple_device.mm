// Copyright 2026 ncp-silicon authors.
// macOS only (binding.gyp compiles this instead of no_apple.cpp): Metal device facts for backendInfo(), and the
// process memory figures of monitor's memory().
#include "apple/apple_device.h"

#import <Metal/Metal.h>
#include <mach/mach.h>
#include <mach/mach_error.h>
#include <sys/sysctl.h>

namespace ncp::apple {

std::optional<DeviceInfo> device_info() {
  DeviceInfo info;
  char brand[256] = {0};
  size_t size = sizeof(brand);
  if (sysctlbyname("machdep.cpu.brand_string", brand, &size, nullptr, 0) == 0) info.chip = brand;
  @autoreleasepool {
    id<MTLDevice> device = MTLCreateSystemDefaultDevice();
    if (device == nil) return info;
    info.gpu_name = [[device name] UTF8String];
    info.has_unified_memory = [device hasUnifiedMemory];
    info.recommended_working_set_bytes = static_cast<double>([device recommendedMaxWorkingSetSize]);
  }
  return info;
}

ProcessMemory process_memory() {
  ProcessMemory m;
  // phys_footprint is what Activity Monitor's "Memory" column and jetsam use: resident + compressed memory
  // this task is charged for, including IOKit/Metal allocations mapped into it.
  task_vm_info_data_t vm_info;
  mach_msg_type_number_t count = TASK_VM_INFO_COUNT;
  const kern_return_t status =
      task_info(mach_task_self(), TASK_VM_INFO, reinterpret_cast<task_info_t>(&vm_info), &count);
  if (status == KERN_SUCCESS) {
    m.phys_footprint_bytes = static_cast<double>(vm_info.phys_footprint);
  } else {
    m.phys_footprint_reason = std::string("task_info(TASK_VM_INFO) failed: ") + mach_error_string(status);
  }
  @autoreleasepool {
    id<MTLDevice> device = MTLCreateSystemDefaultDevice();
    if (device == nil) {
      m.metal_reason = "MTLCreateSystemDefaultDevice() returned no device (no GPU available to this process)";
    } else {
      m.metal_device_name = [[device name] UTF8String];
      m.metal_recommended_working_set_bytes = static_cast<double>([device recommendedMaxWorkingSetSize]);
      m.metal_current_allocated_bytes = static_cast<double>([device currentAllocatedSize]);
    }
  }
  return m;
}

}  // namespace ncp::apple
