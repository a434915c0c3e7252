/**
 * Argument checks and layout changes for OnnxPolicy: the same tensor shapes as SequenceModel.step / forward
 * (batch first or time-major, batched or not, `{h, c}` with mixed memory), turned into the graph's batch-first
 * float32 feeds, and the graph's outputs turned back.
 */
import { argumentError, argumentErrorRendered } from '../errors.js';
import { describe } from '../describe.js';
import type { FloatArray, Tensor } from '../models/tensor.js';
import type { State } from '../models/sequence-model.js';

/** What the exporter wrote into metadata_props: the shape contract of the graph. */
export interface OnnxModelInfo {
  kind: 'LTC' | 'CfC';
  mode: 'step' | 'sequence';
  /** The fixed batch size, or 'dynamic'. */
  batch: number | 'dynamic';
  /** L of a 'sequence' graph (1 for 'step'). */
  sequenceLength: number;
  inputSize: number;
  stateSize: number;
  outputSize: number;
  hasMixedMemory: boolean;
  batchFirst: boolean;
  returnSequences: boolean;
  dtype: 'float32' | 'float16';
  target: 'generic' | 'coreml';
}

/** Checks a float tensor of an exact shape (Float32Array or Float64Array); returns its data. */
export function expectFloatTensor(api: string, name: string, value: unknown, shape: readonly number[], shapeText: string): FloatArray {
  const expected = `a float tensor { data, shape } of shape [${shape.join(', ')}] ${shapeText}`;
  if (typeof value !== 'object' || value === null || !('data' in value) || !('shape' in value)) {
    throw argumentError(TypeError, api, name, expected, value);
  }
  const t = value as Tensor;
  if (!(t.data instanceof Float32Array) && !(t.data instanceof Float64Array)) {
    throw argumentErrorRendered(TypeError, api, `${name}.data`, 'a Float32Array or Float64Array', describe(t.data));
  }
  if (!Array.isArray(t.shape) || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw argumentErrorRendered(RangeError, api, `${name}.shape`, `[${shape.join(', ')}] ${shapeText}`, Array.isArray(t.shape) ? `[${t.shape.join(', ')}]` : describe(t.shape));
  }
  if (t.data.length !== shape.reduce((a, b) => a * b, 1)) {
    throw argumentErrorRendered(RangeError, api, `${name}.data`, `${shape.reduce((a, b) => a * b, 1)} elements`, describe(t.data));
  }
  return t.data;
}

/** Checks the batch against a graph with a fixed batch size. */
export function checkBatch(api: string, name: string, info: OnnxModelInfo, batch: number, shape: number[]): void {
  if (info.batch !== 'dynamic' && batch !== info.batch) {
    throw argumentErrorRendered(
      RangeError,
      api,
      name,
      `a batch of ${info.batch} (the graph was exported with batch ${info.batch}; export with batch 'dynamic' for any batch)`,
      `shape [${shape.join(', ')}]`,
    );
  }
}

/** Initial state as float32 feeds (zeros when absent). */
export function stateFeeds(api: string, name: string, info: OnnxModelInfo, state: State | undefined, batch: number, isBatched: boolean): { h: Float32Array; c?: Float32Array } {
  const H = info.stateSize;
  const shape = isBatched ? [batch, H] : [H];
  const text = isBatched ? '(B×H)' : '(H)';
  if (state === undefined) return { h: new Float32Array(batch * H), c: info.hasMixedMemory ? new Float32Array(batch * H) : undefined };
  if (info.hasMixedMemory) {
    if (typeof state !== 'object' || state === null || !('h' in state) || !('c' in state)) {
      throw argumentError(TypeError, api, name, `{ h, c } tensors of shape [${shape.join(', ')}] (mixed memory)`, state);
    }
    return {
      h: toFloat32(expectFloatTensor(api, `${name}.h`, state.h, shape, text)),
      c: toFloat32(expectFloatTensor(api, `${name}.c`, state.c, shape, text)),
    };
  }
  return { h: toFloat32(expectFloatTensor(api, name, state, shape, text)) };
}

/** Elapsed times, each finite and > 0 (as SequenceModel checks them). */
export function checkTimes(api: string, name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    if (!(data[i] > 0) || !Number.isFinite(data[i])) throw argumentError(RangeError, api, `${name} (element ${i})`, 'finite elapsed times > 0', data[i]);
  }
}

export function toFloat32(data: FloatArray): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/** The result in the caller's dtype: float32 as ORT returned it, or a float64 copy for float64 inputs. */
export function inDtype(data: Float32Array, asFloat64: boolean): FloatArray {
  return asFloat64 ? Float64Array.from(data) : data;
}

/** (L × B × X) ↔ (B × L × X): swaps the first two axes of a row-major array. */
export function swapLeadingAxes(data: ArrayLike<number>, first: number, second: number, inner: number): Float32Array {
  const out = new Float32Array(first * second * inner);
  for (let i = 0; i < first; i++) {
    for (let j = 0; j < second; j++) {
      const from = (i * second + j) * inner;
      const to = (j * first + i) * inner;
      for (let k = 0; k < inner; k++) out[to + k] = data[from + k];
    }
  }
  return out;
}

/** Reads and checks the exporter's metadata; `undefined` when a key is missing (not one of our files). */
export function parseModelInfo(props: Map<string, string>, keys: Record<keyof OnnxModelInfo | 'format', string>): OnnxModelInfo | undefined {
  const get = (k: keyof typeof keys): string | undefined => props.get(keys[k]);
  if (get('format') !== '1') return undefined;
  const int = (k: keyof typeof keys): number => Number.parseInt(get(k) ?? '', 10);
  const info: OnnxModelInfo = {
    kind: get('kind') as OnnxModelInfo['kind'],
    mode: get('mode') as OnnxModelInfo['mode'],
    batch: get('batch') === 'dynamic' ? 'dynamic' : int('batch'),
    sequenceLength: int('sequenceLength'),
    inputSize: int('inputSize'),
    stateSize: int('stateSize'),
    outputSize: int('outputSize'),
    hasMixedMemory: get('hasMixedMemory') === 'true',
    batchFirst: get('batchFirst') !== 'false',
    returnSequences: get('returnSequences') !== 'false',
    dtype: get('dtype') === 'float16' ? 'float16' : 'float32',
    target: get('target') === 'coreml' ? 'coreml' : 'generic',
  };
  const counts = [info.sequenceLength, info.inputSize, info.stateSize, info.outputSize, info.batch === 'dynamic' ? 1 : info.batch];
  if (!['LTC', 'CfC'].includes(info.kind) || !['step', 'sequence'].includes(info.mode) || counts.some((n) => !Number.isInteger(n) || n < 1)) return undefined;
  return info;
}
