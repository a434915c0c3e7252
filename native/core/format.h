// Copyright 2026 ncp-silicon authors.
// Numbers in error messages, for core (InvalidArgument texts) and the addon alike.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace ncp::core {

// A number as JavaScript prints it (shortest form that round-trips), not std::to_string's "1.000000".
inline std::string format_number(double n) {
  if (std::isnan(n)) return "NaN";
  if (std::isinf(n)) return n > 0 ? "Infinity" : "-Infinity";
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, n);
    if (std::strtod(buffer, nullptr) == n) break;
  }
  return buffer;
}

}  // namespace ncp::core
