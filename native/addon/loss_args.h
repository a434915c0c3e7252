// Copyright 2026 ncp-silicon authors.
// The loss arguments of a fused forwardBackwardLoss call ({ loss, target, mask, targetIsIndex } beside the
// sequence arguments, addon/sequence_args.h), read in the same two phases: read_loss_args reads the JS fields
// once, view_loss takes the typed-array views (no JS runs) and checks every value the kernel trusts (class
// indices in range, mask entries 0 or 1). Both addons (CPU and MLX) use them: one validation path.
#pragma once

#include <napi.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "addon/buffers.h"
#include "addon/errors.h"
#include "addon/sequence_args.h"
#include "core/loss.h"
#include "core/memory.h"

namespace ncp::addon {

struct LossArgValues {
  core::LossKind kind = core::LossKind::Mse;
  bool target_is_index = false;
  Napi::Value target, mask;
};

LossArgValues read_loss_args(Napi::Env env, const std::string& api, const Napi::Object& args);

inline std::size_t loss_target_length(const LossArgValues& a, std::size_t rows, std::size_t outputs) {
  return a.target_is_index ? rows : rows * outputs;
}

// A fused call's loss: the kernel's OutputLoss, the d_output it writes and the per-sample sums. Owned by the
// call (the worker, for async ones), never by JS.
template <typename T>
struct FusedLoss {
  core::OutputLoss<T> loss;
  core::Buffer<T, core::MemoryCategory::Workspace> d_output;
  std::vector<double> sums;

  // The batch mean and its term count, as { loss, count }.
  Napi::Object result(Napi::Env env) const {
    double total = 0.0;
    for (double s : sums) total += s;  // sample order: the same figure whatever the thread count
    Napi::Object out = Napi::Object::New(env);
    out.Set("loss", Napi::Number::New(env, loss.count == 0 ? 0.0 : total / loss.count));
    out.Set("count", Napi::Number::New(env, loss.count));
    return out;
  }
};

// The views of a fused call's loss (no JS runs), with every value the kernel trusts checked: class indices in
// range, mask entries 0 or 1; count set. rows: output positions (B·L with returnSequences, else B); outputs: P.
template <typename T>
core::OutputLoss<T> view_loss(Napi::Env env, const std::string& api, ViewSet& views, const LossArgValues& a,
                              std::size_t rows, int outputs) {
  const std::size_t P = static_cast<std::size_t>(outputs);
  core::OutputLoss<T> loss;
  loss.kind = a.kind;
  loss.outputs = outputs;
  loss.target_is_index = a.target_is_index;
  loss.target = views.view<T>(a.target, "target", loss_target_length(a, rows, P), true, false,
                              a.target_is_index ? "(one class index per output position)" : "(the output shape)");
  loss.mask = views.view<T>(a.mask, "mask", rows, false, false, "(one 0/1 per output position)");
  if (loss.mask) {
    for (std::size_t r = 0; r < rows; ++r) {
      const T m = loss.mask[r];
      if (m != T(0) && m != T(1)) {
        throw_range(env, api, "mask[" + std::to_string(r) + "]", "0 or 1", "number " + format_number(static_cast<double>(m)));
      }
    }
  }
  if (a.target_is_index) {
    for (std::size_t r = 0; r < rows; ++r) {
      const double c = static_cast<double>(loss.target[r]);
      if (!(c >= 0 && c < static_cast<double>(P)) || std::floor(c) != c) {
        throw_range(env, api, "target[" + std::to_string(r) + "]",
                    "a class index, an integer in [0, " + std::to_string(P - 1) + "]", "number " + format_number(c));
      }
    }
  }
  loss.count = core::loss_count(loss.kind, loss.mask, rows, outputs);
  return loss;
}

// The CPU runner's FusedLoss for a checked loss. baton: non-null for async calls (target and mask copied in).
template <typename T>
std::unique_ptr<FusedLoss<T>> make_fused_loss(const core::OutputLoss<T>& checked, std::size_t batch, std::size_t rows,
                                              SequenceBaton<T>* baton) {
  auto fused = std::make_unique<FusedLoss<T>>();
  fused->loss = checked;
  const std::size_t P = static_cast<std::size_t>(checked.outputs);
  if (baton) {
    fused->loss.target = baton->own_input(checked.target, checked.target_is_index ? rows : rows * P);
    fused->loss.mask = baton->own_input(checked.mask, rows);
  }
  fused->d_output.assign(rows * P, T(0));
  fused->sums.assign(batch, 0.0);
  return fused;
}

}  // namespace ncp::addon
