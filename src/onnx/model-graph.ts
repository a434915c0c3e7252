/**
 * A whole sequence model as an ONNX graph: the graph inputs and outputs, the mixed-memory LSTM and the output
 * projection around the cell (SPEC.md §4), and the unrolling of a fixed-length sequence (Core ML takes no Loop
 * or Scan, so 'sequence' graphs repeat the step with shared constants).
 *
 * Graph interface (always batch first; OnnxPolicy converts time-major inputs):
 *   step:      x (B×S), state (B×H), [c (B×H)], dt (B×1)          → y (B×P), next_state (B×H), [next_c (B×H)]
 *   sequence:  x (B×L×S), timespans (B×L), state (B×H), [c (B×H)] → y (B×L×P, or B×P without returnSequences),
 *                                                                   next_state (B×H), [next_c (B×H)]
 * Inputs and outputs are float32 in both dtypes: a float16 graph casts at its edges, because Node has no
 * Float16Array and the Core ML EP converts at the partition boundary anyway.
 */
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import { readParam, transpose, type CellGraph } from './cell-graph.js';
import { cfcCellGraph } from './cfc-graph.js';
import { GraphBuilder, type OnnxTypes } from './graph-builder.js';
import type { GraphOptions } from './graph-options.js';
export type { GraphOptions } from './graph-options.js';
import { ltcCellGraph } from './ltc-graph.js';


/** Keys of the metadata_props every exported model carries (OnnxPolicy reads them back). */
export const METADATA_KEYS = {
  format: 'ncp_silicon.format',
  kind: 'ncp_silicon.model',
  mode: 'ncp_silicon.mode',
  batch: 'ncp_silicon.batch',
  sequenceLength: 'ncp_silicon.sequence_length',
  inputSize: 'ncp_silicon.input_size',
  stateSize: 'ncp_silicon.state_size',
  outputSize: 'ncp_silicon.output_size',
  hasMixedMemory: 'ncp_silicon.mixed_memory',
  batchFirst: 'ncp_silicon.batch_first',
  returnSequences: 'ncp_silicon.return_sequences',
  dtype: 'ncp_silicon.dtype',
  target: 'ncp_silicon.target',
} as const;

interface Lstm {
  emit(g: GraphBuilder, x: string, h: string, c: string): { h: string; c: string };
}

/** LSTMCell of ncps (SPEC §4): z = x·W_inᵀ + b_in + h·W_recᵀ, chunks (i, ig, fg, og), forget gate σ(fg + 1). */
function lstmGraph(g: GraphBuilder, model: LTC | CfC): Lstm {
  const S = model.inputSize;
  const N = model.stateSize;
  const bias = readParam(model, 'lstm.input_map.bias');
  for (let j = 2 * N; j < 3 * N; j++) bias[j] += 1; // fold ncps's "+ 1" on the forget gate into its bias
  const wIn = g.floats('lstm.input_map.weight_t', transpose(readParam(model, 'lstm.input_map.weight'), 4 * N, S), [S, 4 * N]);
  const bIn = g.floats('lstm.input_map.bias_forget_plus_1', bias, [4 * N]);
  const wRec = g.floats('lstm.recurrent_map.weight_t', transpose(readParam(model, 'lstm.recurrent_map.weight'), 4 * N, N), [N, 4 * N]);
  return {
    emit(g, x, h, c) {
      const z = g.add(g.linear(x, wIn, bIn), g.op('MatMul', [h, wRec]));
      const [i, ig, fg, og] = g.split(z, 1, [N, N, N, N]);
      const cNext = g.add(g.mul(c, g.sigmoid(fg)), g.mul(g.tanh(i), g.sigmoid(ig)));
      return { h: g.mul(g.tanh(cNext), g.sigmoid(og)), c: cNext };
    },
  };
}

export function buildModelGraph(model: LTC | CfC, options: GraphOptions): OnnxTypes.IModelProto {
  const { mode, dtype, batch } = options;
  const g = new GraphBuilder(dtype);
  const S = model.inputSize;
  const H = model.stateSize;
  const P = model.outputSize;
  const L = options.sequenceLength;
  const B: number | string = batch === 'dynamic' ? 'B' : batch;
  const isMixed = model.hasMixedMemory;

  // Constants first (shared by every unrolled step).
  const lstm = isMixed ? lstmGraph(g, model) : undefined;
  const cell: CellGraph = model instanceof LTC ? ltcCellGraph(g, model) : cfcCellGraph(g, model);
  const projSize = model instanceof CfC ? model.projSize : undefined;
  const projection =
    projSize !== undefined
      ? {
          w: g.floats('fc.weight_t', transpose(readParam(model, 'fc.weight'), projSize, cell.outputSize), [cell.outputSize, projSize]),
          b: g.floats('fc.bias', readParam(model, 'fc.bias'), [projSize]),
        }
      : undefined;

  const toCompute = (name: string): string => (dtype === 'float16' ? g.cast(name, 'float16') : name);
  const toOutput = (name: string): string => (dtype === 'float16' ? g.cast(name, 'float32') : name);

  const step = (x: string, h: string, c: string | undefined, dt: string) => {
    let hCell = h;
    let cNext = c;
    if (lstm) ({ h: hCell, c: cNext } = lstm.emit(g, x, h, c!));
    const r = cell.step(g, x, hCell, dt);
    const y = projection ? g.linear(r.y, projection.w, projection.b) : r.y;
    return { y, h: r.h, c: cNext };
  };

  const x = toCompute(g.input('x', 'float32', mode === 'step' ? [B, S] : [B, L, S]));
  const time = toCompute(g.input(mode === 'step' ? 'dt' : 'timespans', 'float32', mode === 'step' ? [B, 1] : [B, L]));
  let h = toCompute(g.input('state', 'float32', [B, H]));
  let c = isMixed ? toCompute(g.input('c', 'float32', [B, H])) : undefined;

  let y: string;
  if (mode === 'step') {
    ({ y, h, c } = step(x, h, c, time));
    g.output('y', toOutput(y), 'float32', [B, P]);
  } else {
    const xs = g.split(x, 1, new Array<number>(L).fill(1)).map((xt) => g.squeeze(xt, 1)); // L × (B×S)
    const dts = g.split(time, 1, new Array<number>(L).fill(1)); // L × (B×1)
    const ys: string[] = [];
    for (let t = 0; t < L; t++) {
      const r = step(xs[t], h, c, dts[t]);
      ({ h, c } = r);
      if (model.returnSequences || t === L - 1) ys.push(r.y);
    }
    if (model.returnSequences) {
      y = g.concat(ys.map((yt) => g.unsqueeze(yt, 1)), 1);
      g.output('y', toOutput(y), 'float32', [B, L, P]);
    } else {
      g.output('y', toOutput(ys[0]), 'float32', [B, P]);
    }
  }
  g.output('next_state', toOutput(h), 'float32', [B, H]);
  if (c) g.output('next_c', toOutput(c), 'float32', [B, H]);

  const kind = model instanceof LTC ? 'LTC' : 'CfC';
  return g.toModel({
    opset: options.opset,
    graphName: `${kind}_${mode}`,
    docString: `ncp-silicon ${kind} (${mode}${mode === 'sequence' ? `, L ${L}` : ''}), exported for target '${options.target}' in ${dtype}.`,
    metadata: {
      [METADATA_KEYS.format]: '1',
      [METADATA_KEYS.kind]: kind,
      [METADATA_KEYS.mode]: mode,
      [METADATA_KEYS.batch]: String(batch),
      [METADATA_KEYS.sequenceLength]: String(mode === 'sequence' ? L : 1),
      [METADATA_KEYS.inputSize]: String(S),
      [METADATA_KEYS.stateSize]: String(H),
      [METADATA_KEYS.outputSize]: String(P),
      [METADATA_KEYS.hasMixedMemory]: String(isMixed),
      [METADATA_KEYS.batchFirst]: String(model.batchFirst),
      [METADATA_KEYS.returnSequences]: String(model.returnSequences),
      [METADATA_KEYS.dtype]: dtype,
      [METADATA_KEYS.target]: options.target,
    },
  });
}
