import { describe, expect, it } from 'vitest';
import { loadNative } from '../backend/load.js';
import type { NativeOptimizerStepArgs } from '../backend/native-types.js';
import { Optimizer, clipScale, referenceGradNorm, referenceOptimizerStep } from './optimizer.js';
import type { ResolvedOptimizer } from './options.js';

const native = loadNative();

/** Deterministic pseudo-random values in [-1, 1) for parameters and gradients. */
function values(n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x / 2147483648) * 2 - 1;
  });
}

type Hyper = Pick<NativeOptimizerStepArgs, 'lr' | 'beta1' | 'beta2' | 'eps' | 'weightDecay' | 'momentum' | 'nesterov'>;

/** Adam / AdamW as in the PyTorch docs' pseudo-code, one scalar at a time, for `steps` iterations. */
function handAdam(p0: number[], grads: number[][], h: Hyper, decoupled: boolean): number[] {
  const { lr, beta1: b1 = 0.9, beta2: b2 = 0.999, eps = 1e-8, weightDecay: wd = 0 } = h;
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < p.length; i++) {
      let gi = g[i];
      if (decoupled) p[i] = p[i] - lr * wd * p[i];
      else gi = gi + wd * p[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      const mHat = m[i] / (1 - b1 ** t);
      const vHat = v[i] / (1 - b2 ** t);
      p[i] = p[i] - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  });
  return p;
}

/** SGD with momentum (buffer = first gradient at step 1) and optional Nesterov, PyTorch's definition. */
function handSgd(p0: number[], grads: number[][], h: Hyper): number[] {
  const { lr, weightDecay: wd = 0, momentum: mu = 0, nesterov = false } = h;
  const p = [...p0];
  const b = p.map(() => 0);
  grads.forEach((g, k) => {
    for (let i = 0; i < p.length; i++) {
      let gi = g[i] + wd * p[i];
      if (mu !== 0) {
        b[i] = k === 0 ? gi : mu * b[i] + gi;
        gi = nesterov ? gi + mu * b[i] : b[i];
      }
      p[i] = p[i] - lr * gi;
    }
  });
  return p;
}

function runNative(kind: NativeOptimizerStepArgs['kind'], p0: number[], grads: number[][], h: Hyper, dtype: 'float32' | 'float64'): Float32Array | Float64Array {
  const A = dtype === 'float64' ? Float64Array : Float32Array;
  const params = A.from(p0);
  const m = new A(p0.length);
  const v = new A(p0.length);
  grads.forEach((g, k) => native.optimizerStep({ kind, params, grads: A.from(g), m, v, ...h, step: k + 1, length: p0.length }));
  return params;
}

function expectClose(actual: ArrayLike<number>, expected: number[], relative: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected[i])));
  }
}

const N = 37; // not a multiple of any SIMD width: the loop tails are covered too
const P0 = values(N, 7);
const GRADS = [values(N, 11), values(N, 13), values(N, 17), values(N, 19)];

describe('native optimizer updates match the hand-computed equations', () => {
  const cases: { name: string; kind: NativeOptimizerStepArgs['kind']; h: Hyper; expected: () => number[] }[] = [
    { name: 'Adam', kind: 'adam', h: { lr: 0.01 }, expected: () => handAdam(P0, GRADS, { lr: 0.01 }, false) },
    { name: 'Adam + L2 weight decay, custom betas', kind: 'adam', h: { lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1 }, expected: () => handAdam(P0, GRADS, { lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1 }, false) },
    { name: 'AdamW (decoupled decay)', kind: 'adamw', h: { lr: 0.01, weightDecay: 0.05 }, expected: () => handAdam(P0, GRADS, { lr: 0.01, weightDecay: 0.05 }, true) },
    { name: 'SGD', kind: 'sgd', h: { lr: 0.1 }, expected: () => handSgd(P0, GRADS, { lr: 0.1 }) },
    { name: 'SGD + momentum + weight decay', kind: 'sgd', h: { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }, expected: () => handSgd(P0, GRADS, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }) },
    { name: 'SGD + Nesterov momentum', kind: 'sgd', h: { lr: 0.05, momentum: 0.5, nesterov: true }, expected: () => handSgd(P0, GRADS, { lr: 0.05, momentum: 0.5, nesterov: true }) },
  ];
  for (const c of cases) {
    it(`${c.name}: float64 to 1e-13, float32 to 1e-6`, () => {
      const expected = c.expected();
      expectClose(runNative(c.kind, P0, GRADS, c.h, 'float64'), expected, 1e-13);
      expectClose(runNative(c.kind, P0, GRADS, c.h, 'float32'), expected, 1e-6);
      // The update moved the parameters (the test would pass trivially otherwise).
      expect(Math.abs(expected[0] - P0[0])).toBeGreaterThan(1e-4);
    });
  }

  it('the TypeScript twin agrees with the native kernel', () => {
    for (const kind of ['adam', 'adamw', 'sgd'] as const) {
      const h = kind === 'sgd' ? { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 } : { lr: 0.01, weightDecay: 0.02 };
      const params = Float64Array.from(P0);
      const m = new Float64Array(N);
      const v = new Float64Array(N);
      GRADS.forEach((g, k) => referenceOptimizerStep({ kind, params, grads: Float64Array.from(g), m, v, ...h, step: k + 1, length: N }));
      expectClose(params, Array.from(runNative(kind, P0, GRADS, h, 'float64')), 1e-13);
    }
  });

  it('gradScale multiplies the gradient before the update (clipping folded in)', () => {
    const scaled = GRADS.map((g) => g.map((x) => x * 0.25));
    const params = Float64Array.from(P0);
    const m = new Float64Array(N);
    const v = new Float64Array(N);
    GRADS.forEach((g, k) => native.optimizerStep({ kind: 'sgd', params, grads: Float64Array.from(g), m, v, lr: 0.1, momentum: 0.9, step: k + 1, gradScale: 0.25, length: N }));
    expectClose(params, handSgd(P0, scaled, { lr: 0.1, momentum: 0.9 }), 1e-13);
  });
});

describe('gradient norm and clipping', () => {
  it('gradNorm is the 2-norm, natively and in TypeScript', () => {
    const g = GRADS[0];
    const expected = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
    expect(native.gradNorm({ grads: Float64Array.from(g), length: N })).toBeCloseTo(expected, 13);
    expect(native.gradNorm({ grads: Float32Array.from(g), length: N })).toBeCloseTo(expected, 6);
    expect(referenceGradNorm(g)).toBeCloseTo(expected, 13);
  });

  it("clipScale follows clip_grad_norm_: max/(norm + 1e-6) above the limit, 1 below", () => {
    expect(clipScale(10, 1)).toBeCloseTo(1 / (10 + 1e-6), 15);
    expect(clipScale(0.5, 1)).toBe(1);
    expect(clipScale(1, 1)).toBe(1);
  });

  it('an Optimizer step with a clip scale equals a step on the clipped gradient', () => {
    const config: ResolvedOptimizer = { type: 'adam', lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentum: 0, nesterov: false };
    const a = new Optimizer(config, 'float64', N, true);
    const b = new Optimizer(config, 'float64', N, true);
    const pa = Float64Array.from(P0);
    const pb = Float64Array.from(P0);
    const g = Float64Array.from(GRADS[0]);
    const scale = clipScale(a.gradNorm(g), 0.5);
    expect(scale).toBeLessThan(1);
    a.apply(pa, g, 0.01, scale);
    b.apply(pb, g.map((x) => x * scale), 0.01);
    expectClose(pa, Array.from(pb), 1e-15);
    expect(a.step).toBe(1);
  });
});

describe('native argument checks', () => {
  const ok = (): NativeOptimizerStepArgs => ({ kind: 'adam', params: new Float32Array(4), grads: new Float32Array(4), m: new Float32Array(4), v: new Float32Array(4), lr: 0.1, step: 1, length: 4 });
  const cases: [string, (a: NativeOptimizerStepArgs) => void, typeof TypeError | typeof RangeError, RegExp][] = [
    ['mixed dtypes', (a) => (a.grads = new Float64Array(4)), TypeError, /^optimizerStep: expected Float32Array \(the trainable parameters\) for grads, received Float64Array\(4\)\.$/],
    ['a short buffer', (a) => (a.m = new Float32Array(3)), RangeError, /expected Float32Array of length 4 .* for m, received Float32Array\(3\)/],
    ['aliasing', (a) => (a.v = a.m), RangeError, /for v, received an overlapping view/],
    ['a missing second moment', (a) => delete a.v, TypeError, /for v, received undefined/],
    ['an unknown kind', (a) => ((a as { kind: string }).kind = 'rmsprop'), RangeError, /expected one of 'adam' \| 'adamw' \| 'sgd' for kind, received string "rmsprop"/],
    ['a negative lr', (a) => (a.lr = -1), RangeError, /expected a finite number ≥ 0 for lr, received number -1\./],
    ['step 0', (a) => (a.step = 0), RangeError, /expected an integer ≥ 1 for step, received number 0/],
    ['beta1 = 1', (a) => (a.beta1 = 1), RangeError, /expected a number in \[0, 1\) for beta1, received number 1\./],
    ['a non-array params', (a) => ((a as unknown as { params: number[] }).params = [1, 2, 3, 4]), TypeError, /expected a Float32Array or Float64Array for params, received Array\(4\)/],
  ];
  for (const [name, mutate, kind, message] of cases) {
    it(`refuses ${name}`, () => {
      const args = ok();
      mutate(args);
      let caught: unknown;
      try {
        native.optimizerStep(args);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(kind);
      expect((caught as { code: string }).code).toBe(kind === TypeError ? 'NCP_INVALID_TYPE' : 'NCP_INVALID_RANGE');
      expect((caught as Error).message).toMatch(message);
    });
  }

  it('leaves the buffers untouched when it refuses', () => {
    const args = ok();
    args.params.fill(1);
    args.m = new Float32Array(3);
    expect(() => native.optimizerStep(args)).toThrow(RangeError);
    expect(Array.from(args.params)).toEqual([1, 1, 1, 1]);
  });
});
