/**
 * What a sequence call's arguments and results look like from the model's shape: states in and out ({ h, c } with
 * mixed memory), the output's shape in the model's layout, and the gradients of a backward call. Free functions
 * over a model's shape, so sequence-model.ts keeps only the calls themselves.
 */
import { argumentError } from '../errors.js';
import type { ParamLayout } from '../backend/param-layout.js';
import type { SequenceArgs } from '../backend/sequence-args.js';
import { expectTensor, type Dtype, type FloatArray, type Tensor } from './tensor.js';
import type { ForwardResult, Gradients, State } from './sequence-types.js';

/** The parts of a model these functions read (SequenceModel has them all). */
export interface ModelShape {
  readonly dtype: Dtype;
  readonly inputSize: number;
  readonly stateSize: number;
  readonly outputSize: number;
  readonly batchFirst: boolean;
  readonly returnSequences: boolean;
  readonly hasMixedMemory: boolean;
  readonly layout: ParamLayout;
}

/** One call's arguments as validated, with how its input was shaped. */
export interface PreparedCall {
  args: SequenceArgs;
  isBatched: boolean;
  hasTimespans: boolean;
  batch: number;
  steps: number;
}

/** A state argument ({ h, c } with mixed memory) checked against the model's dtype and `shape`. */
export function splitState(model: ModelShape, api: string, name: string, state: State | undefined, shape: number[]): { h?: FloatArray; c?: FloatArray } {
  if (state === undefined) return {};
  const text = shape.length === 2 ? '(B×H)' : '(H)';
  if (model.hasMixedMemory) {
    if (typeof state !== 'object' || state === null || !('h' in state) || !('c' in state)) {
      throw argumentError(TypeError, api, name, `{ h, c } tensors of shape [${shape.join(', ')}] (mixed memory)`, state);
    }
    return {
      h: expectTensor(api, `${name}.h`, state.h, model.dtype, shape, text),
      c: expectTensor(api, `${name}.c`, state.c, model.dtype, shape, text),
    };
  }
  return { h: expectTensor(api, name, state, model.dtype, shape, text) };
}

export function outputShape(model: ModelShape, isBatched: boolean, batch: number, steps: number): number[] {
  const P = model.outputSize;
  if (!model.returnSequences) return isBatched ? [batch, P] : [P];
  if (!isBatched) return [steps, P];
  return model.batchFirst ? [batch, steps, P] : [steps, batch, P];
}

export function packState(model: ModelShape, h: FloatArray, c: FloatArray | undefined, isBatched: boolean, batch: number): State {
  const shape = isBatched ? [batch, model.stateSize] : [model.stateSize];
  const hTensor = { data: h, shape };
  return model.hasMixedMemory ? { h: hTensor, c: { data: c!, shape: [...shape] } } : hTensor;
}

/** A finished call's output and final state, shaped as the input was. */
export function callResult(model: ModelShape, call: PreparedCall): ForwardResult {
  const { args, isBatched, batch, steps } = call;
  return {
    output: { data: args.output, shape: outputShape(model, isBatched, batch, steps) },
    state: packState(model, args.hFinal, args.cFinal, isBatched, batch),
  };
}

/** A finished backward call's gradients: per trainable parameter (views into the flat buffer), input, timespans, state. */
export function callGradients(model: ModelShape, call: PreparedCall): Gradients {
  const { args, isBatched, batch } = call;
  const flat = args.dParams!;
  const params: Record<string, Tensor> = {};
  for (const e of model.layout.entries) {
    if (e.trainable) params[e.name] = { data: flat.subarray(e.offset, e.offset + e.size), shape: [...e.shape] };
  }
  return {
    params,
    flat,
    input: { data: args.dInput!, shape: [...(args.input ? inputShape(model, call) : [])] },
    timespans: call.hasTimespans ? { data: args.dTimespans!, shape: isBatched ? (model.batchFirst ? [batch, call.steps] : [call.steps, batch]) : [call.steps] } : undefined,
    state: packState(model, args.dH0!, args.dC0, isBatched, batch),
  };
}

function inputShape(model: ModelShape, call: PreparedCall): number[] {
  const { isBatched, batch, steps } = call;
  if (!isBatched) return [steps, model.inputSize];
  return model.batchFirst ? [batch, steps, model.inputSize] : [steps, batch, model.inputSize];
}
