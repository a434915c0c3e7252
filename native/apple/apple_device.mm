// Copyright 2026 ncp-silicon authors.
// macOS only (binding.gyp compiles this instead of no_apple.cpp): Metal device facts for backendInfo().
#include "apple/apple_device.h"

#import <Metal/Metal.h>
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

}  // namespace ncp::apple
