/**
 * What every exported cell provides (one time step as ONNX nodes), and the helpers that read a model's
 * parameters for export. Parameters are read by their ncps names (src/backend/ncps-names.ts) and folded in float64
 * before they are rounded to the graph's float type, so constant work never loses precision twice.
 */
import type { SequenceModel } from '../models/sequence-model.js';
import type { GraphBuilder } from './graph-builder.js';

/** Value names of one step's results: the cell output y (B×O) and the new state (B×H). */
export interface CellStep {
  y: string;
  h: string;
}

export interface CellGraph {
  /** O: features of the cell output (before any projection). */
  readonly outputSize: number;
  /**
   * Emits one step. x (B×S), h (B×H) and dt (B×1) are value names in the graph's float type.
   * Constants were added once when the cell graph was made, so an unrolled sequence shares them.
   */
  step(g: GraphBuilder, x: string, h: string, dt: string): CellStep;
}

/** A float64 copy of the parameter `name` (an ncps state-dict name). */
export function readParam(model: SequenceModel, name: string): Float64Array {
  const entry = model.layout.entries.find((e) => e.name === name);
  if (!entry) throw new Error(`exportOnnx: internal error, the model has no parameter '${name}'.`);
  return Float64Array.from(model.parameters.subarray(entry.offset, entry.offset + entry.size));
}

/** (rows × cols) row-major → (cols × rows): a Linear weight (out × in) becomes a MatMul operand (in × out). */
export function transpose(w: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

/** Elementwise a ⊙ b. */
export function times(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => a[i] * b[i]);
}

/** softplus with β = 1 and PyTorch's linear threshold 20 (SPEC §2), the f of implicit constraints. */
export function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}
