/**
 * Runs one model's sequence call on the CPU addon and on the MLX addon with the same arguments (the addons' own
 * NativeModel / MlxModel, built from the model's nativeModelConfig()), so the two backends' numbers can be compared.
 */
import { expect } from 'vitest';
import { loadNative } from '../../src/backend/load.js';
import { mlxStatus } from '../../src/backend/mlx-load.js';
import type { MlxAddon } from '../../src/backend/mlx-types.js';
import type { NativeModelConfig } from '../../src/backend/native-types.js';
import type { SequenceArgs } from '../../src/backend/sequence-args.js';
import type { SequenceModel } from '../../src/models/sequence-model.js';

/** The MLX addon; a missing one fails the test with how to build it (MLX tests run, they never skip). */
export function requireMlx(): MlxAddon {
  const status = mlxStatus();
  if (!status.available) expect.fail(`the MLX addon is required for these tests: ${status.reason}`);
  return status.addon;
}

export interface CallShape {
  batch: number;
  steps: number;
  batchFirst?: boolean;
  returnSequences?: boolean;
  timespans?: boolean;
  initialState?: boolean;
  dropoutSeed?: number;
}

export type CallResult = Record<string, Float32Array>;

/** Deterministic pseudo-random values in [-1, 1) (or [lo, hi)). */
export function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return out;
}

/** The arguments of one forwardBackward call with fresh outputs; inputs from `seed`. */
export function sequenceArgs(model: SequenceModel, shape: CallShape, seed: number, backward: boolean): SequenceArgs<Float32Array> {
  const { batch: B, steps: L } = shape;
  const S = model.inputSize, H = model.stateSize, P = model.outputSize;
  const returnSequences = shape.returnSequences ?? true;
  const outLength = returnSequences ? B * L * P : B * P;
  const mixed = model.hasMixedMemory;
  const args: SequenceArgs<Float32Array> = {
    version: 1,
    batch: B,
    steps: L,
    batchFirst: shape.batchFirst ?? true,
    returnSequences,
    input: values(B * L * S, seed),
    timespans: shape.timespans ? values(B * L, seed + 1, 0.1, 2) : undefined,
    h0: shape.initialState ? values(B * H, seed + 2, -0.5, 0.5) : undefined,
    c0: shape.initialState && mixed ? values(B * H, seed + 3, -0.5, 0.5) : undefined,
    output: new Float32Array(outLength),
    hFinal: new Float32Array(B * H),
    cFinal: mixed ? new Float32Array(B * H) : undefined,
    hSequence: new Float32Array(B * L * H),
  };
  if (backward) {
    Object.assign(args, {
      dOutput: values(outLength, seed + 4),
      dHFinal: values(B * H, seed + 5),
      dCFinal: mixed ? values(B * H, seed + 6) : undefined,
      dInput: new Float32Array(B * L * S),
      dTimespans: shape.timespans ? new Float32Array(B * L) : undefined,
      dH0: new Float32Array(B * H),
      dC0: mixed ? new Float32Array(B * H) : undefined,
      dParams: new Float32Array(model.parameters.length),
      dropoutSeed: shape.dropoutSeed ?? 0,
    });
  }
  return args;
}

/** The written arrays of a call (outputs and gradients), by argument name. */
export function resultsOf(args: SequenceArgs<Float32Array>): CallResult {
  const out: CallResult = {};
  for (const key of ['output', 'hFinal', 'cFinal', 'hSequence', 'dInput', 'dTimespans', 'dH0', 'dC0', 'dParams'] as const) {
    const v = args[key];
    if (v) out[key] = v;
  }
  return out;
}

export function runCpu(config: NativeModelConfig, args: SequenceArgs<Float32Array>, backward: boolean): CallResult {
  const model = new (loadNative().NativeModel)(config);
  if (backward) model.forwardBackward(args);
  else model.forward(args);
  return resultsOf(args);
}

export function runMlx(config: NativeModelConfig, args: SequenceArgs<Float32Array>, backward: boolean): CallResult {
  const model = new (requireMlx().MlxModel)(config);
  if (backward) model.forwardBackward(args);
  else model.forward(args);
  return resultsOf(args);
}

/** Every array of `expected` within `tolerance` relative (2-norm) in `actual`; dParams per named tensor. */
export function expectClose(actual: CallResult, expected: CallResult, model: SequenceModel, tolerance: number, label: string): void {
  expect(Object.keys(actual).sort(), label).toEqual(Object.keys(expected).sort());
  for (const [key, want] of Object.entries(expected)) {
    if (key === 'dParams') {
      for (const entry of model.layout.entries) {
        if (!entry.trainable) continue;
        const a = actual.dParams.subarray(entry.offset, entry.offset + entry.size);
        const e = want.subarray(entry.offset, entry.offset + entry.size);
        expect(relative(a, e), `${label}: dParams ${entry.name}`).toBeLessThan(tolerance);
      }
    } else {
      expect(relative(actual[key], want), `${label}: ${key}`).toBeLessThan(tolerance);
    }
  }
}

function relative(a: ArrayLike<number>, e: ArrayLike<number>): number {
  let diff = 0, norm = 0;
  for (let i = 0; i < e.length; i++) {
    diff += (a[i] - e[i]) ** 2;
    norm += e[i] ** 2;
  }
  if (!Number.isFinite(diff)) return Infinity;
  return norm === 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
}
