// Copyright 2026 ncp-silicon authors.
#include "core/cpu_features.h"

namespace ncp::core {

std::string simd_level() {
#if defined(__AVX512F__)
  return "avx512";
#elif defined(__AVX2__) && defined(__FMA__)
  return "avx2+fma";
#elif defined(__ARM_NEON) || defined(__aarch64__)
  return "neon";
#else
  return "scalar";
#endif
}

bool cpu_supports_build_isa() {
#if (defined(__x86_64__) || defined(_M_X64)) && defined(__AVX2__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return true;
#endif
}

}  // namespace ncp::core
