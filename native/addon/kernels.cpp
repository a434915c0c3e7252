// Copyright 2026 ncp-silicon authors.
#include "addon/kernels.h"

namespace ncp::addon {

void register_kernels(Napi::Env env, Napi::Object exports) {}

}  // namespace ncp::addon
