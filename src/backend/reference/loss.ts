/**
 * Built-in losses over one batch, with their gradient dLoss/dOutput: the reference the native fused loss
 * (native/core/loss.h, forwardBackwardLoss) follows term for term, and the reference backend's own loss. The output is seen as `rows` positions
 * (B·L with returnSequences, else B) of P values; `mask` holds one 0/1 per position (or is absent). Masked
 * positions add nothing to the loss and get a zero gradient. Every loss is a mean:
 * over valid elements (rows·P) for mse, mae and bce; over valid positions for crossEntropy.
 * Sums run in double whatever the model's dtype.
 */
import { arrayTypeOf, dtypeOf, type FloatArray } from '../float-array.js';
import type { LossKind } from '../sequence-args.js';

export interface LossResult {
  /** The mean loss of the batch (0 when nothing in it is valid). */
  loss: number;
  /** dLoss/dOutput, the output's length and dtype. */
  grad: FloatArray;
  /** How many terms the mean is over: the weight of this batch in an epoch mean. */
  count: number;
}

export interface LossInput {
  output: FloatArray;
  /** rows·P values, or rows class indices for crossEntropy with index targets. */
  target: FloatArray;
  mask?: ArrayLike<number>;
  /** Values per position (the model's output size). */
  outputs: number;
  targetIsIndex?: boolean;
}

export function computeLoss(name: LossKind, input: LossInput): LossResult {
  const { output, target, mask, outputs: P } = input;
  const rows = output.length / P;
  const grad = new (arrayTypeOf(dtypeOf(output)))(output.length);
  let validRows = 0;
  for (let r = 0; r < rows; r++) if (!mask || mask[r] !== 0) validRows++;
  const count = name === 'crossEntropy' ? validRows : validRows * P;
  if (count === 0) return { loss: 0, grad, count: 0 };
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    if (mask && mask[r] === 0) continue;
    const base = r * P;
    if (name === 'crossEntropy') {
      sum += crossEntropyRow(output, target, base, P, r, input.targetIsIndex === true, grad, count);
      continue;
    }
    for (let k = base; k < base + P; k++) {
      const x = output[k];
      const t = target[k];
      if (name === 'mse') {
        const d = x - t;
        sum += d * d;
        grad[k] = (2 * d) / count;
      } else if (name === 'mae') {
        const d = x - t;
        sum += Math.abs(d);
        grad[k] = Math.sign(d) / count;
      } else {
        // bce on logits: max(x, 0) - x·t + log(1 + e^{-|x|}) never overflows; its derivative is σ(x) - t.
        sum += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
        grad[k] = (sigmoid(x) - t) / count;
      }
    }
  }
  return { loss: sum / count, grad, count };
}

/** -Σ t_k log softmax(x)_k for one position, writing (softmax·Σt - t)/count into grad. */
function crossEntropyRow(
  x: FloatArray,
  target: FloatArray,
  base: number,
  P: number,
  row: number,
  isIndex: boolean,
  grad: FloatArray,
  count: number,
): number {
  let max = -Infinity;
  for (let k = 0; k < P; k++) max = Math.max(max, x[base + k]);
  let z = 0;
  for (let k = 0; k < P; k++) z += Math.exp(x[base + k] - max);
  const logZ = max + Math.log(z);
  if (isIndex) {
    const c = target[row];
    for (let k = 0; k < P; k++) grad[base + k] = (Math.exp(x[base + k] - logZ) - (k === c ? 1 : 0)) / count;
    return logZ - x[base + c];
  }
  let mass = 0;
  let dot = 0;
  for (let k = 0; k < P; k++) {
    mass += target[base + k];
    dot += target[base + k] * x[base + k];
  }
  for (let k = 0; k < P; k++) grad[base + k] = (Math.exp(x[base + k] - logZ) * mass - target[base + k]) / count;
  return logZ * mass - dot;
}

function sigmoid(x: number): number {
  // Two branches so that neither e^{-x} nor e^{x} can overflow.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
