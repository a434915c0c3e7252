/**
 * Training data: checked once against the model (dtype, layout, sizes, values), then cut into mini-batches by
 * gathering samples along the batch axis (axis 0 batch first, axis 1 time-major). Batches are fresh arrays:
 * native calls borrow them until their promise settles, and nothing else holds them.
 */
import { argumentError, argumentErrorRendered } from '../errors.js';
import { describe } from '../describe.js';
import { expectPlainObject } from '../validate.js';
import type { SequenceModel } from '../models/sequence-model.js';
import { arrayTypeOf, expectTensor, product, type FloatArray, type Tensor } from '../models/tensor.js';
import type { LossFunction, LossName, TrainData } from './types.js';

export interface PreparedData {
  /** N samples of L steps. */
  size: number;
  steps: number;
  inputs: Tensor;
  targets: Tensor;
  /** Targets are class indices (crossEntropy or a custom loss): the output shape without its last axis. */
  targetIsIndex: boolean;
  timespans?: Tensor;
  /** 0/1 per sample and step in the model's dtype and layout. */
  mask?: Tensor;
}

export interface Batch {
  size: number;
  input: Tensor;
  target: Tensor;
  timespans?: Tensor;
  mask?: Tensor;
}

export function prepareData(api: string, name: string, data: unknown, model: SequenceModel, loss: LossName | LossFunction): PreparedData {
  const d = expectPlainObject(api, name, data) as unknown as TrainData;
  for (const key of Object.keys(d)) {
    if (!['inputs', 'targets', 'timespans', 'mask'].includes(key)) {
      throw argumentError(TypeError, api, `${name}.${key}`, 'no such field (known: inputs, targets, timespans, mask)', (d as unknown as Record<string, unknown>)[key]);
    }
  }
  const { size: N, steps: L, inputs, timespans } = prepareInputs(api, `${name}.inputs`, d.inputs, `${name}.timespans`, d.timespans, model);
  const bf = model.batchFirst;
  // A NaN/Inf input makes that sample's gradient NaN every epoch: refuse it here, naming the sample.
  const badInput = inputs.data.findIndex((v) => !Number.isFinite(v));
  if (badInput >= 0) {
    const S = model.inputSize;
    const [outer, inner] = [Math.floor(badInput / S / (bf ? L : N)), Math.floor(badInput / S) % (bf ? L : N)];
    const [n, l] = bf ? [outer, inner] : [inner, outer];
    throw argumentError(RangeError, api, `${name}.inputs (sample ${n}, step ${l}, feature ${badInput % S})`, 'finite numbers', inputs.data[badInput]);
  }
  const P = model.outputSize;
  const byStep = (n: number, l: number, ...rest: number[]) => (bf ? [n, l, ...rest] : [l, n, ...rest]);
  const dtype = model.dtype;

  // Targets: the output shape, or for class indices the output shape without its last axis.
  const dense = model.returnSequences ? byStep(N, L, P) : [N, P];
  const denseText = model.returnSequences ? (bf ? '(N×L×P)' : '(L×N×P)') : '(N×P)';
  const index = dense.slice(0, -1);
  const t = d.targets as Tensor | undefined;
  const mayIndex = loss === 'crossEntropy' || typeof loss === 'function';
  const tShape: number[] | undefined = t && Array.isArray(t.shape) ? t.shape : undefined;
  const isIndex = mayIndex && tShape !== undefined && !sameShape(tShape, dense) && (sameShape(tShape, index) || (P > 1 && sameShape(tShape, [...index, 1])));
  const targets = isIndex ? { data: expectTensor(api, `${name}.targets`, t, dtype, tShape!, '(class indices)'), shape: index } : { data: expectTensor(api, `${name}.targets`, t, dtype, dense, denseText), shape: dense };
  if (isIndex) {
    targets.data.forEach((c, i) => {
      if (!Number.isInteger(c) || c < 0 || c >= P) throw argumentError(RangeError, api, `${name}.targets (element ${i})`, `a class index, an integer in [0, ${P - 1}]`, c);
    });
  } else if (loss === 'bce') {
    targets.data.forEach((v, i) => {
      if (!(v >= 0 && v <= 1)) throw argumentError(RangeError, api, `${name}.targets (element ${i})`, "a probability in [0, 1] (loss 'bce')", v);
    });
  } else if (loss === 'crossEntropy') {
    targets.data.forEach((v, i) => {
      if (!(v >= 0 && v <= 1)) throw argumentError(RangeError, api, `${name}.targets (element ${i})`, "a probability in [0, 1] or class indices (loss 'crossEntropy')", v);
    });
  } else {
    targets.data.forEach((v, i) => {
      if (!Number.isFinite(v)) throw argumentError(RangeError, api, `${name}.targets (element ${i})`, 'a finite number', v);
    });
  }

  const stepShape = byStep(N, L);
  const stepText = bf ? '(N×L)' : '(L×N)';
  let mask: Tensor | undefined;
  if (d.mask !== undefined) {
    const m = d.mask as { data?: unknown; shape?: unknown };
    if (typeof m !== 'object' || m === null || !(m.data instanceof Float32Array || m.data instanceof Float64Array || m.data instanceof Uint8Array)) {
      throw argumentError(TypeError, api, `${name}.mask`, `a tensor of 0/1 (Float32Array, Float64Array or Uint8Array data) of shape ${stepText}`, m?.data ?? m);
    }
    if (!Array.isArray(m.shape) || !sameShape(m.shape, stepShape) || m.data.length !== product(stepShape)) {
      throw argumentErrorRendered(RangeError, api, `${name}.mask.shape`, `[${stepShape.join(', ')}] ${stepText}`, Array.isArray(m.shape) ? `[${m.shape.join(', ')}]` : describe(m.shape));
    }
    const values = new (arrayTypeOf(dtype))(m.data.length);
    m.data.forEach((v, i) => {
      if (v !== 0 && v !== 1) throw argumentError(RangeError, api, `${name}.mask (element ${i})`, '0 or 1', v);
      values[i] = v;
    });
    mask = { data: values, shape: stepShape };
  }
  return { size: N, steps: L, inputs, targets, targetIsIndex: isIndex, timespans, mask };
}

/** Checks inputs (N×L×S in the model's layout) and optional timespans (N×L, finite, > 0). */
export function prepareInputs(
  api: string,
  inputsName: string,
  inputs: unknown,
  timespansName: string,
  timespans: unknown,
  model: SequenceModel,
): { size: number; steps: number; inputs: Tensor; timespans?: Tensor } {
  const bf = model.batchFirst;
  const S = model.inputSize;
  const layout = bf ? '(N×L×S)' : '(L×N×S)';
  const shape = (inputs as Tensor | undefined)?.shape;
  if (!Array.isArray(shape) || shape.length !== 3 || shape[2] !== S || !(shape[0] >= 1) || !(shape[1] >= 1)) {
    const received = Array.isArray(shape) ? `shape [${shape.join(', ')}]` : describe(inputs);
    throw argumentErrorRendered(Array.isArray(shape) ? RangeError : TypeError, api, inputsName, `a tensor of shape ${layout} with N, L ≥ 1 and S = ${S}`, received);
  }
  const N = bf ? shape[0] : shape[1];
  const L = bf ? shape[1] : shape[0];
  const data = expectTensor(api, inputsName, inputs, model.dtype, shape, layout);
  let ts: Tensor | undefined;
  if (timespans !== undefined) {
    const stepShape = bf ? [N, L] : [L, N];
    const values = expectTensor(api, timespansName, timespans, model.dtype, stepShape, bf ? '(N×L)' : '(L×N)');
    values.forEach((v, i) => {
      if (!(v > 0) || !Number.isFinite(v)) throw argumentError(RangeError, api, `${timespansName} (element ${i})`, 'finite elapsed times > 0', v);
    });
    ts = { data: values, shape: stepShape };
  }
  return { size: N, steps: L, inputs: { data, shape: [...shape] }, timespans: ts };
}

/** The samples `indices` (in that order) of a prepared data set. */
export function gatherBatch(data: PreparedData, indices: ArrayLike<number>, batchFirst: boolean, returnSequences: boolean): Batch {
  const stepAxis = batchFirst ? 0 : 1;
  return {
    size: indices.length,
    input: gather(data.inputs, stepAxis, indices),
    // Last-step targets are (N×P) in either layout.
    target: gather(data.targets, returnSequences ? stepAxis : 0, indices),
    timespans: data.timespans && gather(data.timespans, stepAxis, indices),
    mask: data.mask && gather(data.mask, stepAxis, indices),
  };
}

/** Samples [begin, end) as a prepared data set of their own (the validation split). */
export function sliceData(data: PreparedData, begin: number, end: number, batchFirst: boolean, returnSequences: boolean): PreparedData {
  const indices = Int32Array.from({ length: end - begin }, (_, i) => begin + i);
  const b = gatherBatch(data, indices, batchFirst, returnSequences);
  return { ...data, size: end - begin, inputs: b.input, targets: b.target, timespans: b.timespans, mask: b.mask };
}

/** t[…, indices[j], …] along `axis`: contiguous blocks of the trailing dimensions, copied with set(). */
function gather(t: Tensor, axis: 0 | 1, indices: ArrayLike<number>): Tensor {
  const n = t.shape[axis];
  const outer = axis === 0 ? 1 : t.shape[0];
  const inner = product(t.shape.slice(axis + 1));
  const k = indices.length;
  const out = new (arrayTypeOf(t.data instanceof Float64Array ? 'float64' : 'float32'))(outer * k * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      const from = (o * n + indices[j]) * inner;
      out.set(t.data.subarray(from, from + inner), (o * k + j) * inner);
    }
  }
  const shape = [...t.shape];
  shape[axis] = k;
  return { data: out as FloatArray, shape };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
