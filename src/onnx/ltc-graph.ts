/**
 * The LTC cell (SPEC.md §2) as ONNX nodes, the twin of src/backend/reference/ltc-cell.ts.
 *
 * Folded at export: f = softplus on w, sensory_w, cm, gleak (when implicitParamConstraints); the sparsity masks
 * (multiplied into f(w) and f(sensory_w), so a missing synapse has weight exactly 0); w·erev; cm·U; gleak·vleak and
 * gleak + ε. The synapses stay dense (B × N × N per unfold): correct and Core ML friendly (no gathers), at the cost
 * of computing the zero synapses a sparse kernel would skip. The U unfolds are unrolled (Core ML has no Loop).
 */
import type { LTC } from '../models/ltc.js';
import { readParam, softplus, times, type CellGraph, type CellStep } from './cell-graph.js';
import type { GraphBuilder } from './graph-builder.js';

const P = 'rnn_cell.';

export function ltcCellGraph(g: GraphBuilder, model: LTC): CellGraph {
  const S = model.inputSize;
  const N = model.stateSize;
  const M = model.outputSize;
  const U = model.odeUnfolds;
  const f = (values: Float64Array): Float64Array => (model.implicitParamConstraints ? values.map(softplus) : values);
  const p = (name: string): Float64Array => readParam(model, P + name);

  const inputW = model.inputMapping !== 'none' ? g.floats('input_w', p('input_w'), [S]) : undefined;
  const inputB = model.inputMapping === 'affine' ? g.floats('input_b', p('input_b'), [S]) : undefined;
  const outputW = model.outputMapping !== 'none' ? g.floats('output_w', p('output_w'), [M]) : undefined;
  const outputB = model.outputMapping === 'affine' ? g.floats('output_b', p('output_b'), [M]) : undefined;

  // Synapse tables, indexed [source, destination] like the parameters.
  const sensoryW = times(f(p('sensory_w')), p('sensory_sparsity_mask'));
  const sensory = {
    mu: g.floats('sensory_mu', p('sensory_mu'), [S, N]),
    sigma: g.floats('sensory_sigma', p('sensory_sigma'), [S, N]),
    w: g.floats('sensory_w_masked', sensoryW, [S, N]),
    wErev: g.floats('sensory_w_erev', times(sensoryW, p('sensory_erev')), [S, N]),
  };
  const w = times(f(p('w')), p('sparsity_mask'));
  const synapse = {
    mu: g.floats('mu', p('mu'), [N, N]),
    sigma: g.floats('sigma', p('sigma'), [N, N]),
    w: g.floats('w_masked', w, [N, N]),
    wErev: g.floats('w_erev', times(w, p('erev')), [N, N]),
  };
  const gleak = f(p('gleak'));
  const vleak = p('vleak');
  const cmTimesU = g.floats('cm_times_unfolds', f(p('cm')).map((c) => c * U), [N]);
  const gleakVleak = g.floats('gleak_vleak', times(gleak, vleak), [N]);
  const gleakEpsilon = g.floats('gleak_epsilon', gleak.map((v) => v + model.epsilon), [N]);

  /** Σ_i over sources of w[i,j]·σ(sigma[i,j]·(v[b,i] − mu[i,j])), with and without erev: (B×N) each. */
  function synapseSums(v: string, table: typeof synapse): { num: string; den: string } {
    const activation = g.sigmoid(g.mul(g.sub(g.unsqueeze(v, 2), table.mu), table.sigma)); // (B × sources × N)
    return {
      num: g.reduceSum(g.mul(activation, table.wErev), 1),
      den: g.reduceSum(g.mul(activation, table.w), 1),
    };
  }

  return {
    outputSize: M,
    step(g: GraphBuilder, x: string, h: string, dt: string): CellStep {
      let xm = x;
      if (inputW) xm = g.mul(xm, inputW);
      if (inputB) xm = g.add(xm, inputB);
      const s = synapseSums(xm, sensory);
      // cmt = f(cm) / (Δ / U) = f(cm)·U / Δ, with Δ (B×1) broadcast over neurons.
      const cmt = g.div(cmTimesU, dt);
      // Loop invariants of the unfolds: numerator and denominator terms that do not depend on v.
      const numBase = g.add(s.num, gleakVleak);
      const denBase = g.add(g.add(cmt, gleakEpsilon), s.den);
      let v = h;
      for (let k = 0; k < U; k++) {
        const r = synapseSums(v, synapse);
        const numerator = g.add(g.mul(cmt, v), g.add(r.num, numBase));
        const denominator = g.add(r.den, denBase);
        v = g.div(numerator, denominator);
      }
      let y = M === N ? v : g.slice(v, 1, 0, M); // the motor neurons are ids 0..M-1
      if (outputW) y = g.mul(y, outputW);
      if (outputB) y = g.add(y, outputB);
      return { y, h: v };
    },
  };
}
