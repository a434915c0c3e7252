// Copyright 2026 ncp-silicon authors.
#pragma once

#include <string>

namespace ncp::core {

// The instruction set the kernels were compiled for ("avx2+fma", "neon", "scalar"): fixed at build time,
// since the shipped flags name an ISA level (x86-64-v3 / armv8-a) rather than -march=native.
std::string simd_level();

// Whether the running CPU supports what simd_level() needs (the loader also checks before loading).
bool cpu_supports_build_isa();

}  // namespace ncp::core
