// Copyright 2026 ncp-silicon authors.
#include "addon/kernels.h"

#include "addon/model_wrap.h"
#include "addon/monitor_binding.h"
#include "addon/optim_binding.h"

namespace ncp::addon {

void register_kernels(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeModel", ModelWrap::define(env));
  register_optim(env, exports);
  register_monitor(env, exports);
}

}  // namespace ncp::addon
