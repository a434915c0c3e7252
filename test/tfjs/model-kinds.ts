/** One model of every kind the tfjs layers must mirror (shared by the tfjs parity and training tests). */
import { LTC, type LTCOptions } from '../../src/models/ltc.js';
import { CfC, type CfCOptions } from '../../src/models/cfc.js';
import { AutoNCP, Random } from '../../src/wiring/index.js';
import type { CheckpointModel } from '../../src/io/checkpoint.js';

export const INPUTS = 3;

export const MODEL_KINDS: Record<string, () => CheckpointModel> = {
  'LTC fully connected': () => new LTC(INPUTS, 6, { seed: 2 }),
  'LTC AutoNCP, mixed memory': () => new LTC(INPUTS, new AutoNCP(12, 2), { mixedMemory: true, seed: 3 }),
  'LTC linear mappings, 3 unfolds, no softplus': () =>
    new LTC(INPUTS, new Random(7, { outputDim: 3, sparsityLevel: 0.4 }), { inputMapping: 'linear', outputMapping: 'linear', odeUnfolds: 3, implicitParamConstraints: false, seed: 4 } as LTCOptions),
  'LTC no mappings, last output only': () => new LTC(INPUTS, 5, { inputMapping: 'none', outputMapping: 'none', returnSequences: false, seed: 5 }),
  'CfC default, lecun_tanh backbone': () => new CfC(INPUTS, 6, { backboneUnits: 10, seed: 6 }),
  'CfC no_gate, 2-layer silu backbone': () => new CfC(INPUTS, 6, { mode: 'no_gate', activation: 'silu', backboneUnits: 8, backboneLayers: 2, seed: 7 }),
  'CfC pure, gelu backbone': () => new CfC(INPUTS, 5, { mode: 'pure', activation: 'gelu', backboneUnits: 8, seed: 8 }),
  'CfC relu backbone, projection': () => new CfC(INPUTS, 6, { activation: 'relu', backboneUnits: 8, projSize: 2, seed: 9 } as CfCOptions),
  'CfC tanh, no backbone, mixed memory': () => new CfC(INPUTS, 5, { activation: 'tanh', backboneLayers: 0, mixedMemory: true, seed: 10 }),
  'CfC with backbone dropout (inference)': () => new CfC(INPUTS, 5, { backboneUnits: 8, backboneLayers: 2, backboneDropout: 0.3, seed: 11 }),
  'wired CfC default (AutoNCP)': () => new CfC(INPUTS, new AutoNCP(10, 2), { seed: 12 }),
  'wired CfC no_gate, projection': () => new CfC(INPUTS, new AutoNCP(10, 2), { mode: 'no_gate', projSize: 3, seed: 13 }),
  'wired CfC pure, mixed memory': () => new CfC(INPUTS, new AutoNCP(10, 3), { mode: 'pure', mixedMemory: true, seed: 14 }),
};

/** Deterministic test data: inputs in [−1, 1), elapsed times in [0.5, 1.5). */
export function sampleData(batch: number, steps: number, seed = 1): { input: Float32Array; timespans: Float32Array } {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const input = Float32Array.from({ length: batch * steps * INPUTS }, () => 2 * next() - 1);
  const timespans = Float32Array.from({ length: batch * steps }, () => 0.5 + next());
  return { input, timespans };
}

export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`relativeError: length ${actual.length} vs ${expected.length}`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += (actual[i] - expected[i]) ** 2;
    norm += expected[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
}
