// Copyright 2026 ncp-silicon authors.
#include "mlx/mlx_cells.h"

#include <cmath>

namespace ncp::mlx_backend {
namespace {

mx::array scalar(double v) { return mx::array(static_cast<float>(v)); }

// softplus with β = 1 and PyTorch's threshold 20 (linear above). exp reads min(x, 20), so the branch that
// `where` discards never produces inf, whose gradient would be NaN·0.
mx::array softplus(const mx::array& x) {
  const mx::array limit = scalar(20.0);
  return mx::where(mx::greater(x, limit), x, mx::log1p(mx::exp(mx::minimum(x, limit))));
}

mx::array linear(const mx::array& x, const mx::array& w, const mx::array& b) {
  return mx::add(mx::matmul(x, mx::transpose(w)), b);
}

mx::array activation(core::CfcActivation kind, const mx::array& x) {
  switch (kind) {
    case core::CfcActivation::LecunTanh:
      return mx::multiply(scalar(core::lecun_tanh_outer_scale),
                          mx::tanh(mx::multiply(scalar(core::lecun_tanh_inner_scale), x)));
    case core::CfcActivation::Tanh: return mx::tanh(x);
    case core::CfcActivation::Relu: return mx::maximum(x, scalar(0.0));
    case core::CfcActivation::Silu: return mx::multiply(x, mx::sigmoid(x));
    case core::CfcActivation::Gelu:
      return mx::multiply(mx::multiply(scalar(0.5), x), mx::add(scalar(1.0), mx::erf(mx::multiply(x, scalar(M_SQRT1_2)))));
  }
  return x;
}

// The CfC head of SPEC.md §3 on the features f (B×in); `prefix` names its parameters in `k`.
mx::array cfc_head(core::CfcMode mode, const StepConstants& k, const std::string& prefix, const mx::array& f,
                   const mx::array& dt) {
  const mx::array ff1 = linear(f, k[prefix + ".ff1.weight"], k[prefix + ".ff1.bias"]);
  if (mode == core::CfcMode::Pure) {
    const mx::array& a = k[prefix + ".A"];
    const mx::array rate = mx::add(mx::abs(k[prefix + ".w_tau"]), mx::abs(ff1));
    return mx::add(mx::multiply(mx::negative(a), mx::multiply(mx::exp(mx::negative(mx::multiply(dt, rate))), ff1)), a);
  }
  const mx::array t1 = mx::tanh(ff1);
  const mx::array t2 = mx::tanh(linear(f, k[prefix + ".ff2.weight"], k[prefix + ".ff2.bias"]));
  const mx::array ta = linear(f, k[prefix + ".time_a.weight"], k[prefix + ".time_a.bias"]);
  const mx::array tb = linear(f, k[prefix + ".time_b.weight"], k[prefix + ".time_b.bias"]);
  const mx::array ti = mx::sigmoid(mx::add(mx::multiply(ta, dt), tb));
  if (mode == core::CfcMode::NoGate) return mx::add(t1, mx::multiply(ti, t2));
  return mx::add(mx::multiply(t1, mx::subtract(scalar(1.0), ti)), mx::multiply(ti, t2));
}

// Σ over the source axis of the synapse currents: returns (Σ a·erev, Σ a) for a = w·σ(sigma·(v − mu)),
// v: B×sources, the parameters sources×N.
std::pair<mx::array, mx::array> synapse_sums(const mx::array& v, const mx::array& w, const mx::array& sigma,
                                             const mx::array& mu, const mx::array& erev) {
  const mx::array a =
      mx::multiply(w, mx::sigmoid(mx::multiply(sigma, mx::subtract(mx::expand_dims(v, 2), mu))));
  return {mx::sum(mx::multiply(a, erev), 1), mx::sum(a, 1)};
}

mx::array ltc_step(const core::LtcConfig& c, const StepConstants& k, const mx::array& x_raw, const mx::array& v0,
                   const mx::array& dt) {
  mx::array x = x_raw;
  if (c.input_mapping != core::Mapping::None) x = mx::multiply(x, k["cell.input_w"]);
  if (c.input_mapping == core::Mapping::Affine) x = mx::add(x, k["cell.input_b"]);
  auto [num_s, den_s] = synapse_sums(x, k["sensory_w_eff"], k["cell.sensory_sigma"], k["cell.sensory_mu"],
                                     k["cell.sensory_erev"]);
  const mx::array cm_t = mx::divide(k["cm_eff"], mx::divide(dt, scalar(c.unfolds)));  // B×N
  const mx::array& gleak = k["gleak_eff"];
  const mx::array leak = mx::multiply(gleak, k["cell.vleak"]);
  const mx::array fixed_den = mx::add(mx::add(cm_t, gleak), mx::add(den_s, scalar(c.epsilon)));
  const mx::array fixed_num = mx::add(leak, num_s);
  mx::array v = v0;
  for (int u = 0; u < c.unfolds; ++u) {
    auto [num, den] = synapse_sums(v, k["w_eff"], k["cell.sigma"], k["cell.mu"], k["cell.erev"]);
    v = mx::divide(mx::add(mx::add(mx::multiply(cm_t, v), fixed_num), num), mx::add(fixed_den, den));
  }
  return v;
}

}  // namespace

StepConstants prepare_step(const ModelShape& shape, const std::map<std::string, mx::array>& params) {
  StepConstants k{params};
  if (const auto* ltc = std::get_if<core::LtcConfig>(&shape.cell)) {
    auto f = [&](const mx::array& p) { return ltc->implicit_constraints ? softplus(p) : p; };
    k.values.insert_or_assign("w_eff", mx::multiply(f(params.at("cell.w")), params.at("cell.sparsity_mask")));
    k.values.insert_or_assign("sensory_w_eff", mx::multiply(f(params.at("cell.sensory_w")),
                                                            params.at("cell.sensory_sparsity_mask")));
    k.values.insert_or_assign("cm_eff", f(params.at("cell.cm")));
    k.values.insert_or_assign("gleak_eff", f(params.at("cell.gleak")));
  } else if (const auto* wired = std::get_if<core::WiredCfcConfig>(&shape.cell)) {
    // The wiring's mask multiplies the ff1 and ff2 weights only (SPEC.md §3, wired CfC).
    for (std::size_t l = 0; l < wired->layer_sizes.size(); ++l) {
      const std::string prefix = "cell.layer_" + std::to_string(l);
      const mx::array& mask = params.at(prefix + ".sparsity_mask");
      for (const char* head : {".ff1.weight", ".ff2.weight"}) {
        auto it = params.find(prefix + head);
        if (it != params.end()) k.values.insert_or_assign(prefix + head, mx::multiply(it->second, mask));
      }
    }
  }
  return k;
}

StepOut cell_step(const ModelShape& shape, const StepConstants& k, const mx::array& x, const mx::array& h,
                  const mx::array& dt, const std::vector<mx::array>& dropout) {
  if (const auto* ltc = std::get_if<core::LtcConfig>(&shape.cell)) {
    const mx::array v = ltc_step(*ltc, k, x, h, dt);
    mx::array y = mx::slice(v, {0, 0}, {v.shape(0), ltc->motors});
    if (ltc->output_mapping != core::Mapping::None) y = mx::multiply(y, k["cell.output_w"]);
    if (ltc->output_mapping == core::Mapping::Affine) y = mx::add(y, k["cell.output_b"]);
    return {v, y};
  }
  if (const auto* cfc = std::get_if<core::CfcConfig>(&shape.cell)) {
    mx::array f = mx::concatenate({x, h}, 1);
    for (int l = 0; l < cfc->backbone_layers; ++l) {
      const std::string prefix = backbone_linear(l);
      f = activation(cfc->activation, linear(f, k[prefix + ".weight"], k[prefix + ".bias"]));
      if (l > 0 && !dropout.empty()) f = mx::multiply(f, dropout[l - 1]);
    }
    const mx::array h_next = cfc_head(cfc->mode, k, "cell", f, dt);
    return {h_next, h_next};
  }
  const auto& wired = std::get<core::WiredCfcConfig>(shape.cell);
  std::vector<mx::array> states;
  mx::array input = x;
  int at = 0;
  for (std::size_t l = 0; l < wired.layer_sizes.size(); ++l) {
    const int n = wired.layer_sizes[l];
    const mx::array h_l = mx::slice(h, {0, at}, {h.shape(0), at + n});
    const mx::array next = cfc_head(wired.mode, k, "cell.layer_" + std::to_string(l), mx::concatenate({input, h_l}, 1), dt);
    states.push_back(next);
    input = next;
    at += n;
  }
  return {states.size() == 1 ? states[0] : mx::concatenate(states, 1), input};
}

std::pair<mx::array, mx::array> lstm_step(const StepConstants& k, const mx::array& x, const mx::array& h,
                                          const mx::array& c) {
  const mx::array z = mx::add(linear(x, k["lstm.input_map.weight"], k["lstm.input_map.bias"]),
                              mx::matmul(h, mx::transpose(k["lstm.recurrent_map.weight"])));
  const auto gates = mx::split(z, 4, 1);  // i, ig, fg, og
  const mx::array c_next = mx::add(mx::multiply(c, mx::sigmoid(mx::add(gates[2], scalar(1.0)))),
                                   mx::multiply(mx::tanh(gates[0]), mx::sigmoid(gates[1])));
  return {mx::multiply(mx::tanh(c_next), mx::sigmoid(gates[3])), c_next};
}

mx::array project(const StepConstants& k, const mx::array& y) { return linear(y, k["fc.weight"], k["fc.bias"]); }

}  // namespace ncp::mlx_backend
