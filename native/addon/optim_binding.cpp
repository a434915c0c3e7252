// Copyright 2026 ncp-silicon authors.
#include "addon/optim_binding.h"

namespace ncp::addon {

void register_optim(Napi::Env env, Napi::Object exports) {}

}  // namespace ncp::addon
