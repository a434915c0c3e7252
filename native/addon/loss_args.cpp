// Copyright 2026 ncp-silicon authors.
#include "addon/loss_args.h"

namespace ncp::addon {

LossArgValues read_loss_args(Napi::Env env, const std::string& api, const Napi::Object& args) {
  LossArgValues a;
  const Napi::Value name = args.Get("loss");
  const std::string text = name.IsString() ? name.As<Napi::String>().Utf8Value() : "";
  if (text == "mse") a.kind = core::LossKind::Mse;
  else if (text == "mae") a.kind = core::LossKind::Mae;
  else if (text == "bce") a.kind = core::LossKind::Bce;
  else if (text == "crossEntropy") a.kind = core::LossKind::CrossEntropy;
  else throw_type(env, api, "loss", "'mse', 'mae', 'bce' or 'crossEntropy'", name);
  a.target_is_index = get_bool(env, api, args, "targetIsIndex", false);
  if (a.target_is_index && a.kind != core::LossKind::CrossEntropy) {
    throw_type(env, api, "targetIsIndex", "false unless loss is 'crossEntropy'", args.Get("targetIsIndex"));
  }
  a.target = args.Get("target");
  a.mask = args.Get("mask");
  return a;
}

}  // namespace ncp::addon
