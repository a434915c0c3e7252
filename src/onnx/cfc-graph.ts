/**
 * The CfC cell (SPEC.md §3) as ONNX nodes: fully connected with a backbone, or wired (one backbone-free head per
 * wiring layer). Twin of src/backend/reference/cfc-cell.ts and wired-cfc-cell.ts.
 *
 * Folded at export: Linear weights transposed to (in × out); the wired masks multiplied into ff1 / ff2; |w_tau|.
 * The four heads of the gated modes (ff1, ff2, time_a, time_b) read the same features, so they are one MatMul
 * over the concatenated weights followed by a Split: one large product instead of four small ones.
 */
import type { CfC } from '../models/cfc.js';
import type { CfcActivation } from '../backend/reference/cfc-cell.js';
import { LECUN_TANH_INNER_SCALE, LECUN_TANH_OUTER_SCALE } from '../backend/reference/cfc-cell.js';
import { backboneLinearIndex } from '../backend/ncps-names.js';
import { readParam, times, transpose, type CellGraph, type CellStep } from './cell-graph.js';
import type { GraphBuilder } from './graph-builder.js';

type Mode = CfC['mode'];

/** Emits one CfC head: features f (B×F) → h' (B×n). Constants are made once; `emit` may run many times. */
interface Head {
  emit(g: GraphBuilder, f: string, dt: string): string;
}

function makeHead(g: GraphBuilder, model: CfC, mode: Mode, prefix: string, features: number, n: number, mask?: Float64Array): Head {
  const p = (name: string): Float64Array => readParam(model, `${prefix}.${name}`);
  const weight = (name: string, masked: boolean): Float64Array => {
    const w = p(`${name}.weight`);
    return transpose(masked && mask ? times(w, mask) : w, n, features);
  };
  if (mode === 'pure') {
    const w1 = g.floats(`${prefix}.ff1.weight_t`, weight('ff1', true), [features, n]);
    const b1 = g.floats(`${prefix}.ff1.bias`, p('ff1.bias'), [n]);
    const absWTau = g.floats(`${prefix}.abs_w_tau`, p('w_tau').map(Math.abs), [n]);
    const a = g.floats(`${prefix}.A`, p('A'), [n]);
    const negA = g.floats(`${prefix}.neg_A`, p('A').map((v) => -v), [n]);
    return {
      emit(g, f, dt) {
        // h' = −A·exp(−Δ·(|w_tau| + |ff1|))·ff1 + A
        const ff1 = g.linear(f, w1, b1);
        const decay = g.op('Exp', [g.mul(g.add(abs(g, ff1), absWTau), g.mul(dt, g.scalar(-1)))]);
        return g.add(g.mul(g.mul(negA, decay), ff1), a);
      },
    };
  }
  // [ff1 | ff2 | time_a | time_b] side by side: (features × 4n).
  const heads = ['ff1', 'ff2', 'time_a', 'time_b'].map((name) => weight(name, name === 'ff1' || name === 'ff2'));
  const joined = new Float64Array(features * 4 * n);
  for (let k = 0; k < features; k++) heads.forEach((w, h) => joined.set(w.subarray(k * n, (k + 1) * n), k * 4 * n + h * n));
  const wAll = g.floats(`${prefix}.heads_weight_t`, joined, [features, 4 * n]);
  const bAll = g.floats(`${prefix}.heads_bias`, ['ff1', 'ff2', 'time_a', 'time_b'].flatMap((name) => [...p(`${name}.bias`)]), [4 * n]);
  return {
    emit(g, f, dt) {
      const [ff1, ff2, timeA, timeB] = g.split(g.linear(f, wAll, bAll), 1, [n, n, n, n]);
      const t1 = g.tanh(ff1);
      const t2 = g.tanh(ff2);
      const ti = g.sigmoid(g.add(g.mul(timeA, dt), timeB));
      // no_gate: h' = t1 + ti·t2; default: h' = t1·(1 − ti) + ti·t2
      const gated = g.mul(ti, t2);
      return mode === 'no_gate' ? g.add(t1, gated) : g.add(g.mul(t1, g.sub(g.scalar(1), ti)), gated);
    },
  };
}

/**
 * |x| as Relu(x) + Relu(−x): exact (one term is 0), and built only from ops that onnxruntime's Core ML EP has
 * accepted for many releases (Abs is not in its list).
 */
function abs(g: GraphBuilder, x: string): string {
  return g.add(g.op('Relu', [x]), g.op('Relu', [g.mul(x, g.scalar(-1))]));
}

/** act(a) of the backbone, written with Core ML-listed ops (gelu: exact erf form, as PyTorch's nn.GELU()). */
function activate(g: GraphBuilder, kind: CfcActivation, a: string): string {
  switch (kind) {
    case 'lecun_tanh':
      return g.mul(g.tanh(g.mul(a, g.scalar(LECUN_TANH_INNER_SCALE))), g.scalar(LECUN_TANH_OUTER_SCALE));
    case 'tanh':
      return g.tanh(a);
    case 'relu':
      return g.op('Relu', [a]);
    case 'gelu':
      return g.mul(g.mul(a, g.scalar(0.5)), g.add(g.op('Erf', [g.mul(a, g.scalar(Math.SQRT1_2))]), g.scalar(1)));
    case 'silu':
      return g.mul(a, g.sigmoid(a));
  }
}

export function cfcCellGraph(g: GraphBuilder, model: CfC): CellGraph {
  return model.layerSizes ? wiredCfcGraph(g, model, model.layerSizes) : fullyConnectedCfcGraph(g, model);
}

function fullyConnectedCfcGraph(g: GraphBuilder, model: CfC): CellGraph {
  const S = model.inputSize;
  const N = model.units;
  const Ub = model.backboneUnits;
  // Dropout is a training-time op: inference (and so the exported graph) never drops.
  const backbone = Array.from({ length: model.backboneLayers }, (_, l) => {
    const prefix = `rnn_cell.backbone.${backboneLinearIndex(l, model.backboneDropout)}`;
    const fanIn = l === 0 ? S + N : Ub;
    return {
      w: g.floats(`${prefix}.weight_t`, transpose(readParam(model, `${prefix}.weight`), Ub, fanIn), [fanIn, Ub]),
      b: g.floats(`${prefix}.bias`, readParam(model, `${prefix}.bias`), [Ub]),
    };
  });
  const head = makeHead(g, model, model.mode, 'rnn_cell', model.backboneLayers > 0 ? Ub : S + N, N);
  return {
    outputSize: N,
    step(g, x, h, dt): CellStep {
      let f = g.concat([x, h], 1); // z = [x; h]
      for (const layer of backbone) f = activate(g, model.activation, g.linear(f, layer.w, layer.b));
      const next = head.emit(g, f, dt);
      return { y: next, h: next };
    },
  };
}

function wiredCfcGraph(g: GraphBuilder, model: CfC, layerSizes: number[]): CellGraph {
  const S = model.inputSize;
  const heads = layerSizes.map((n, l) => {
    const inputs = l === 0 ? S : layerSizes[l - 1];
    const mask = readParam(model, `rnn_cell.layer_${l}.sparsity_mask`); // (n × (inputs + n)), like the weights
    return makeHead(g, model, model.mode, `rnn_cell.layer_${l}`, inputs + n, n, mask);
  });
  return {
    outputSize: layerSizes[layerSizes.length - 1],
    step(g, x, h, dt): CellStep {
      // State = [layer 0 | layer 1 | …]; layer l reads [its input; its own previous state].
      const parts = layerSizes.length === 1 ? [h] : g.split(h, 1, layerSizes);
      let input = x;
      const next = heads.map((head, l) => {
        input = head.emit(g, g.concat([input, parts[l]], 1), dt);
        return input;
      });
      return { y: input, h: g.concat(next, 1) };
    },
  };
}
