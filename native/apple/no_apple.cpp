// Copyright 2026 ncp-silicon authors.
// Compiled on every platform but macOS: the Apple device layer is absent, and says so by returning nullopt.
#include "apple/apple_device.h"

namespace ncp::apple {

std::optional<DeviceInfo> device_info() { return std::nullopt; }

}  // namespace ncp::apple
