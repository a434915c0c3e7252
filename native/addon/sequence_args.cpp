// Copyright 2026 ncp-silicon authors.
#include "addon/sequence_args.h"

#include <cmath>

#include "addon/buffers.h"

namespace ncp::addon {

SequenceArgValues read_sequence_args(Napi::Env env, const std::string& api, const Napi::Object& args, bool backward,
                                     int max_dim) {
  SequenceArgValues a;
  a.version = get_number(env, api, args, "version", 0);
  a.batch = get_int(env, api, args, "batch", 1, max_dim);
  a.steps = get_int(env, api, args, "steps", 1, max_dim);
  a.batch_first = get_bool(env, api, args, "batchFirst", true);
  a.return_sequences = get_bool(env, api, args, "returnSequences", true);
  a.params = args.Get("params");
  a.input = args.Get("input");
  a.timespans = args.Get("timespans");
  a.h0 = args.Get("h0");
  a.c0 = args.Get("c0");
  a.output = args.Get("output");
  a.h_final = args.Get("hFinal");
  a.c_final = args.Get("cFinal");
  a.h_sequence = args.Get("hSequence");
  const double seed = get_number(env, api, args, "dropoutSeed", 0);
  if (seed < 0 || seed > 9007199254740991.0 || std::floor(seed) != seed) {
    throw_range(env, api, "dropoutSeed", "a non-negative safe integer", "number " + format_number(seed));
  }
  a.dropout_seed = static_cast<std::uint64_t>(seed);
  if (!backward) return a;
  a.d_output = args.Get("dOutput");
  a.d_h_final = args.Get("dHFinal");
  a.d_c_final = args.Get("dCFinal");
  a.d_input = args.Get("dInput");
  a.d_timespans = args.Get("dTimespans");
  a.d_h0 = args.Get("dH0");
  a.d_c0 = args.Get("dC0");
  a.d_params = args.Get("dParams");
  return a;
}

}  // namespace ncp::addon
