/**
 * NaN, ±Inf and ±1e30 in inputs, timespans and parameters take a defined path through every kernel (LTC, CfC in
 * each mode, mixed memory, wired CfC; forward, backward and the bound single step): no crash, the same bits on
 * every run, no leak into the other samples of the batch, NaN propagating from the step it enters, and huge finite
 * values saturating to finite outputs. Under `npm run test:sanitize` the same calls must also give zero UBSan
 * reports (before the fix, fast_exp and simd_exp of NaN converted NaN to an integer and shifted a negative value).
 */
import { describe, expect, it } from 'vitest';
import { AutoNCP, CfC, LTC, tensor, type SequenceModel } from '../../src/index.js';

const S = 3;
const B = 2;
const L = 3;
const HOSTILE_STEP = 1; // the step of sample 0 that gets the hostile input
type Dtype = 'float32' | 'float64';

const MODELS: Record<string, (dtype: Dtype) => SequenceModel> = {
  ltc: (dtype) => new LTC(S, new AutoNCP(8, 2, { seed: 3 }), { dtype, seed: 2 }),
  'ltc mixed memory': (dtype) => new LTC(S, new AutoNCP(8, 2, { seed: 3 }), { dtype, seed: 2, mixedMemory: true }),
  'cfc default lecun_tanh': (dtype) => new CfC(S, 6, { dtype, seed: 2, backboneUnits: 8 }),
  'cfc no_gate relu, 2 layers': (dtype) => new CfC(S, 6, { dtype, seed: 2, backboneUnits: 8, backboneLayers: 2, mode: 'no_gate', activation: 'relu' }),
  'cfc pure gelu, projection': (dtype) => new CfC(S, 6, { dtype, seed: 2, backboneUnits: 8, mode: 'pure', activation: 'gelu', projSize: 2 }),
  'cfc default silu, mixed memory': (dtype) => new CfC(S, 6, { dtype, seed: 2, backboneUnits: 8, activation: 'silu', mixedMemory: true }),
  'cfc tanh, no backbone': (dtype) => new CfC(S, 6, { dtype, seed: 2, backboneLayers: 0, activation: 'tanh' }),
  'wired cfc': (dtype) => new CfC(S, new AutoNCP(8, 2, { seed: 3 }), { dtype, seed: 2 }),
};

const HOSTILE: Record<string, number> = { NaN: Number.NaN, '+Inf': Infinity, '-Inf': -Infinity, '+1e30': 1e30, '-1e30': -1e30 };

interface Run {
  output: number[];
  gradInput: number[];
  gradParams: number[];
  step: number[];
}

/** forwardBackward over B×L (sample 0 gets `inputValue` at HOSTILE_STEP, `dt` as its timespan there), then one bound step. */
function run(model: SequenceModel, inputValue: number | undefined, dt: number | undefined): Run {
  const Arr = model.dtype === 'float32' ? Float32Array : Float64Array;
  const x = new Arr(B * L * S).map((_, i) => Math.sin(i));
  const ts = new Arr(B * L).fill(1);
  if (inputValue !== undefined) x.fill(inputValue, HOSTILE_STEP * S, (HOSTILE_STEP + 1) * S);
  if (dt !== undefined) ts[HOSTILE_STEP] = dt;
  const dOutput = tensor(new Arr(B * L * model.outputSize).fill(1), [B, L, model.outputSize]);
  const result = model.forwardBackward(tensor(x, [B, L, S]), dOutput, { timespans: tensor(ts, [B, L]) });
  const stepInput = new Arr(S).fill(inputValue ?? 0.5);
  const stepped = model.step(tensor(stepInput, [S]), undefined, dt ?? 1);
  return {
    output: Array.from(result.output.data),
    gradInput: Array.from(result.grads.input.data),
    gradParams: Array.from(result.grads.flat),
    step: Array.from(stepped.output.data),
  };
}

/** Element-wise identity, NaN equal to NaN and +0 unequal to −0 (the same bits, up to NaN payloads). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Sample b's slice of a B×L×n batch-first array. */
function sample(values: ArrayLike<number>, b: number): number[] {
  const n = values.length / B;
  return Array.from(values).slice(b * n, (b + 1) * n);
}

function checkRun(model: SequenceModel, hostile: Run, clean: Run, again: Run): void {
  const O = model.outputSize;
  expect(hostile.output).toHaveLength(B * L * O);
  expect(hostile.gradInput).toHaveLength(B * L * S);
  expect(hostile.gradParams).toHaveLength(model.parameters.length);
  expect(hostile.step).toHaveLength(O);
  // Defined behaviour: the same bits on every run (undefined behaviour is not bound to that).
  for (const key of ['output', 'gradInput', 'gradParams', 'step'] as const) {
    expect(sameValues(hostile[key], again[key]), `${key} repeats bit for bit`).toBe(true);
  }
  // The other sample of the batch never sees sample 0's values; steps before the hostile one are untouched too.
  expect(sameValues(sample(hostile.output, 1), sample(clean.output, 1)), 'sample 1 output').toBe(true);
  expect(sameValues(sample(hostile.gradInput, 1), sample(clean.gradInput, 1)), 'sample 1 input gradient').toBe(true);
  const before = HOSTILE_STEP * O;
  expect(sameValues(Array.from(hostile.output).slice(0, before), Array.from(clean.output).slice(0, before)), 'steps before the hostile one').toBe(true);
}

describe.each(['float32', 'float64'] as const)('non-finite and huge values take a defined path (%s)', (dtype) => {
  for (const [name, make] of Object.entries(MODELS)) {
    describe(name, () => {
      const model = make(dtype);
      const clean = run(model, undefined, undefined);

      it.each(Object.keys(HOSTILE))('input %s', (label) => {
        const value = HOSTILE[label];
        const hostile = run(model, value, undefined);
        checkRun(model, hostile, clean, run(model, value, undefined));
        const fromHostileStep = sample(hostile.output, 0).slice(HOSTILE_STEP * model.outputSize);
        if (Number.isNaN(value)) {
          // NaN propagates into every later output of its sample, except through a relu backbone, which maps
          // NaN to 0 (`a > 0 ? a : 0`, like the TypeScript reference; docs/numerics.md).
          const reluBackbone = model instanceof CfC && model.activation === 'relu' && model.backboneLayers > 0;
          if (!reluBackbone) {
            expect(fromHostileStep.every(Number.isNaN), `every output from the NaN on: ${fromHostileStep}`).toBe(true);
            expect(Array.from(hostile.step).every(Number.isNaN)).toBe(true);
          }
        } else if (Number.isFinite(value)) {
          // Huge finite inputs saturate the gates and activations: finite outputs, forward and single step.
          expect(fromHostileStep.every(Number.isFinite), `finite outputs: ${fromHostileStep}`).toBe(true);
          expect(Array.from(hostile.step).every(Number.isFinite)).toBe(true);
        }
      });

      it.each([1e30, 1e-30, 3e38])('elapsed time %s', (dt) => {
        const hostile = run(model, undefined, dt);
        checkRun(model, hostile, clean, run(model, undefined, dt));
        const outputs = [...sample(hostile.output, 0), ...Array.from(hostile.step)];
        expect(outputs.every(Number.isFinite), `finite outputs: ${outputs}`).toBe(true);
      });

      it.each(Object.keys(HOSTILE))('every parameter in turn set to %s', (label) => {
        // Parameters are the caller's to write (the trainer refuses non-finite updates); whatever is written, each
        // kernel runs a defined path: no crash, deterministic results of the right size.
        const saved = Float64Array.from(model.parameters);
        try {
          const stride = Math.max(1, Math.floor(model.parameters.length / 12));
          for (let p = 0; p < model.parameters.length; p += stride) {
            model.parameters.set(saved);
            model.parameters[p] = HOSTILE[label];
            model.markParametersChanged();
            const first = run(model, undefined, undefined);
            const second = run(model, undefined, undefined);
            expect(first.output).toHaveLength(B * L * model.outputSize);
            for (const key of ['output', 'gradInput', 'gradParams', 'step'] as const) {
              expect(sameValues(first[key], second[key]), `parameter ${p}: ${key} repeats bit for bit`).toBe(true);
            }
          }
        } finally {
          model.parameters.set(saved);
          model.markParametersChanged();
        }
      });
    });
  }
});
