/** The bench's models and deterministic inputs: the same numbers on every backend and in every run. */
import type { State } from '../../models/sequence-types.js';
import type { Tensor } from '../../models/tensor.js';
import { CfC } from '../../models/cfc.js';
import { LTC } from '../../models/ltc.js';
import { AutoNCP } from '../../wiring/index.js';
import { BENCH_INPUTS, BENCH_OUTPUTS, BENCH_UNITS, BENCH_WIRING_SEED, type HardwareBenchCase } from './cases.js';

export function benchModel(c: HardwareBenchCase): LTC | CfC {
  const wiring = new AutoNCP(BENCH_UNITS, BENCH_OUTPUTS, { seed: BENCH_WIRING_SEED });
  return c.model === 'ltc' ? new LTC(BENCH_INPUTS, wiring, { seed: 1 }) : new CfC(BENCH_INPUTS, wiring, { seed: 1 });
}

/** An LCG stream scaled to [low, high): deterministic, not good randomness (it does not need to be). */
export function lcg(n: number, seed: number, low: number, high: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = low + ((high - low) * s) / 4294967296;
  }
  return out;
}

export interface SequenceInputs {
  input: Tensor;
  timespans: Tensor;
  dOutput: Tensor;
}

export function sequenceInputs(c: HardwareBenchCase, outputs: number): SequenceInputs {
  const { batch: B, steps: L } = c;
  return {
    input: { data: lcg(B * L * BENCH_INPUTS, 1, -1, 1), shape: [B, L, BENCH_INPUTS] },
    timespans: { data: lcg(B * L, 2, 0.5, 1.5), shape: [B, L] },
    dOutput: { data: lcg(B * L * outputs, 3, -1, 1), shape: [B, L, outputs] },
  };
}

export interface StepInputs {
  x: Tensor;
  dt: Tensor;
  state?: State;
}

export function stepInputs(c: HardwareBenchCase): StepInputs {
  return { x: { data: lcg(c.batch * BENCH_INPUTS, 4, -1, 1), shape: [c.batch, BENCH_INPUTS] }, dt: { data: lcg(c.batch, 5, 0.5, 1.5), shape: [c.batch] } };
}
