/**
 * The MLX backend against ncps and against the CPU backend, on MLX's device (its CPU device on Linux): every ncps
 * fixture's float32 runs within 1e-5 relative (2-norm) of ncps's float64 numbers (outputs, final state, every
 * gradient), and random models across the option space within 1e-5 of the CPU backend. compile.test.ts runs a
 * subset of the same checks with compiled steps.
 */
import { describe, it } from 'vitest';
import { MODEL_FIXTURES } from '../helpers/fixtures.js';
import { CALLS, expectCpuParity, expectDropoutParity, expectFixtureParity, RANDOM_MODELS } from './parity-cases.js';

describe('MLX: ncps fixtures (float32 on MLX vs ncps float64)', () => {
  for (const name of MODEL_FIXTURES) {
    for (const runName of ['uniform_float32', 'timespans_float32'] as const) {
      it(`${name} ${runName}`, () => expectFixtureParity(name, runName));
    }
  }
});

describe('MLX vs the CPU backend: random models across the option space (float32, within 1e-5)', () => {
  for (const [modelName, make] of Object.entries(RANDOM_MODELS)) {
    for (const [callName, shape] of Object.entries(CALLS)) {
      it(`${modelName}; ${callName}`, () => expectCpuParity(make(), shape));
    }
  }

  it('backbone dropout in training drops the same units as the CPU backend (same dropoutSeed)', expectDropoutParity);
});
