/**
 * A sequence call's arguments, checked and allocated from the model's shape: the input, timespans and states
 * validated against it, the output (and, for a backward call, gradient) arrays allocated, the call's size checked
 * against LIMITS first. SequenceModel's calls all start here.
 */
import { argumentError, argumentErrorRendered } from '../errors.js';
import type { SequenceArgs } from '../backend/sequence-args.js';
import type { CallShape } from './call-limits.js';
import { outputShape, splitState, type ModelShape, type PreparedCall } from './call-results.js';
import { LOSS_OPTION_KEYS } from './loss-args.js';
import { arrayTypeOf, expectTensor, type FloatArray, type Tensor } from './tensor.js';
import type { ForwardBackwardOptions } from './sequence-types.js';

/** What the call needs of the model beyond its shape. */
export interface CallContext {
  /** The parameter buffer's version (backends refresh their copies when it changes). */
  version: number;
  paramLength: number;
  /** Refuses a call too large for LIMITS before anything is allocated. */
  checkCall(call: Omit<CallShape, 'threads'>): void;
}

/**
 * fusedLoss: forwardBackwardLoss (no dOutput, the loss options allowed); wantGradients false: a device training
 * step, whose gradients stay on the device (no d* arrays).
 */
export function prepareCall(
model: ModelShape, at: CallContext, api: string, input: Tensor, options: ForwardBackwardOptions | undefined, dOutput: Tensor | undefined, fusedLoss: boolean, wantGradients: boolean,
): PreparedCall {
  const opts = options ?? {};
  if (typeof opts !== 'object') throw argumentError(TypeError, api, 'options', 'an object', opts);
  const backward = dOutput !== undefined || fusedLoss;
  const known = ['state', 'timespans', 'dropoutSeed', ...(backward ? ['dState'] : []), ...(fusedLoss ? LOSS_OPTION_KEYS : [])];
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) throw argumentError(TypeError, api, `options.${key}`, `no such option (known: ${known.join(', ')})`, (opts as Record<string, unknown>)[key]);
  }
  const S = model.inputSize;
  const H = model.stateSize;
  const shape = input?.shape;
  if (typeof input !== 'object' || input === null || !Array.isArray(shape)) {
    throw argumentError(TypeError, api, 'input', `a tensor { data, shape } of shape [B, L, ${S}]`, input);
  }
  const layoutText = model.batchFirst ? '(B×L×S)' : '(L×B×S)';
  if (shape.length !== 2 && shape.length !== 3) {
    throw argumentErrorRendered(RangeError, api, 'input.shape', `rank 3 ${layoutText} or rank 2 (L×S) with S = ${S}`, `[${shape.join(', ')}]`);
  }
  const isBatched = shape.length === 3;
  const batch = isBatched ? (model.batchFirst ? shape[0] : shape[1]) : 1;
  const steps = isBatched ? (model.batchFirst ? shape[1] : shape[0]) : shape[0];
  if (shape[shape.length - 1] !== S || batch < 1 || steps < 1) {
    throw argumentErrorRendered(RangeError, api, 'input.shape', isBatched ? `${layoutText} with B ≥ 1, L ≥ 1, S = ${S}` : `(L×S) with L ≥ 1, S = ${S}`, `[${shape.join(', ')}]`);
  }
  at.checkCall({ batch, steps, backward, returnSequences: model.returnSequences, hasTimespans: opts.timespans !== undefined, shape });
  const data = expectTensor(api, 'input', input, model.dtype, shape, layoutText);
  const ArrayType = arrayTypeOf(model.dtype);

  let timespans: FloatArray | undefined;
  if (opts.timespans !== undefined) {
    const tsShape = isBatched ? (model.batchFirst ? [batch, steps] : [steps, batch]) : [steps];
    timespans = expectTensor(api, 'options.timespans', opts.timespans, model.dtype, tsShape, isBatched ? (model.batchFirst ? '(B×L)' : '(L×B)') : '(L)');
    for (let i = 0; i < timespans.length; i++) {
      const v = timespans[i];
      if (!(v > 0) || !Number.isFinite(v)) {
        throw argumentError(RangeError, api, `options.timespans (element ${i})`, 'finite elapsed times > 0', v);
      }
    }
  }
  const stateShape = isBatched ? [batch, H] : [H];
  const { h: h0, c: c0 } = splitState(model, api, 'options.state', opts.state, stateShape);
  const outLength = model.returnSequences ? batch * steps * model.outputSize : batch * model.outputSize;
  const args: SequenceArgs = {
    version: at.version,
    batch,
    steps,
    batchFirst: model.batchFirst,
    returnSequences: model.returnSequences,
    input: data,
    timespans,
    h0,
    c0,
    output: new ArrayType(outLength),
    hFinal: new ArrayType(batch * H),
    cFinal: model.hasMixedMemory ? new ArrayType(batch * H) : undefined,
  };
  if (opts.dropoutSeed !== undefined) {
    const seed = opts.dropoutSeed;
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
      throw argumentError(RangeError, api, 'options.dropoutSeed', 'a non-negative safe integer', seed);
    }
    args.dropoutSeed = seed;
  }
  if (backward && wantGradients) {
    const outShape = outputShape(model, isBatched, batch, steps);
    if (dOutput !== undefined) args.dOutput = expectTensor(api, 'dOutput', dOutput, model.dtype, outShape, '(the output shape)');
    const d = splitState(model, api, 'options.dState', opts.dState, stateShape);
    args.dHFinal = d.h;
    args.dCFinal = d.c;
    args.dInput = new ArrayType(data.length);
    args.dTimespans = timespans ? new ArrayType(timespans.length) : undefined;
    args.dH0 = new ArrayType(batch * H);
    args.dC0 = model.hasMixedMemory ? new ArrayType(batch * H) : undefined;
    args.dParams = new ArrayType(at.paramLength);
  }
  return { args, isBatched, hasTimespans: timespans !== undefined, batch, steps };
}

