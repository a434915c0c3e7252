/**
 * The fused forwardBackwardLoss (forward + built-in loss + backward in one call, one forward pass) against its
 * reference: src/train/losses.ts's loss and gradient on a forward's output, fed to forwardBackward. Every loss,
 * with mask and index targets, both layouts, with and without returnSequences, LTC (mixed memory) and CfC
 * (backbone dropout), float32 and float64, CPU and reference backends, sync and async; and forward's dropoutSeed.
 */
import { describe, expect, it } from 'vitest';
import { AutoNCP, CfC, LTC } from '../../src/index.js';
import { computeLoss } from '../../src/train/losses.js';
import type { SequenceModel } from '../../src/models/sequence-model.js';
import { arrayTypeOf, type Dtype, type FloatArray, type Tensor } from '../../src/models/tensor.js';

type LossKind = 'mse' | 'mae' | 'bce' | 'crossEntropy';

function fill(n: number, seed: number, low: number, high: number, dtype: Dtype): FloatArray {
  let x = seed;
  return new (arrayTypeOf(dtype))(n).map(() => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return low + (high - low) * (x / 2147483648);
  });
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

interface Case {
  name: string;
  make: (dtype: Dtype, backend: 'cpu' | 'reference') => SequenceModel;
  dropoutSeed?: number;
}

const B = 3;
const L = 4;
const S = 2;
const CASES: Case[] = [
  { name: 'LTC mixed memory, time-major', make: (dtype, backend) => new LTC(S, 5, { dtype, backend, mixedMemory: true, batchFirst: false, seed: 3 }) },
  { name: 'LTC wired, last step only', make: (dtype, backend) => new LTC(S, new AutoNCP(6, 2, { seed: 4 }), { dtype, backend, returnSequences: false, seed: 3 }) },
  { name: 'CfC with backbone dropout', make: (dtype, backend) => new CfC(S, 4, { dtype, backend, backboneUnits: 6, backboneLayers: 2, backboneDropout: 0.4, projSize: 3, seed: 5 }), dropoutSeed: 77 },
  { name: 'CfC wired', make: (dtype, backend) => new CfC(S, new AutoNCP(6, 3, { seed: 2 }), { dtype, backend, seed: 6 }) },
];

function callData(model: SequenceModel, loss: LossKind, index: boolean, dtype: Dtype) {
  const bf = model.batchFirst;
  const input = { data: fill(B * L * S, 1, -1, 1, dtype), shape: bf ? [B, L, S] : [L, B, S] };
  const timespans = { data: fill(B * L, 2, 0.5, 1.5, dtype), shape: bf ? [B, L] : [L, B] };
  const P = model.outputSize;
  const rowsShape = model.returnSequences ? (bf ? [B, L] : [L, B]) : [B];
  const rows = rowsShape.reduce((a, b) => a * b, 1);
  const target: Tensor = index
    ? { data: new (arrayTypeOf(dtype))(rows).map((_, r) => (r * 7) % P), shape: rowsShape }
    : { data: fill(rows * P, 3, loss === 'mse' || loss === 'mae' ? -1 : 0, 1, dtype), shape: [...rowsShape, P] };
  const mask = { data: new (arrayTypeOf(dtype))(rows).map((_, r) => (r % 3 === 1 ? 0 : 1)), shape: rowsShape };
  return { input, timespans, target, mask };
}

const LOSS_CASES: [LossKind, boolean, boolean][] = [
  ['mse', false, false],
  ['mse', false, true],
  ['mae', false, true],
  ['bce', false, true],
  ['crossEntropy', false, false],
  ['crossEntropy', true, true],
];

for (const c of CASES) {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const backend of ['cpu', 'reference'] as const) {
      describe(`${c.name}, ${dtype}, ${backend}`, () => {
        const tolerance = dtype === 'float64' ? 1e-10 : 1e-5;
        for (const [loss, index, masked] of LOSS_CASES) {
          it(`${loss}${index ? ' (index targets)' : ''}${masked ? ' with mask' : ''}: one fused call gives what forward + losses.ts + forwardBackward give`, async () => {
            const model = c.make(dtype, backend);
            const { input, timespans, target, mask } = callData(model, loss, index, dtype);
            const seed = c.dropoutSeed;
            const forward = model.forward(input, { timespans, dropoutSeed: seed });
            const expected = computeLoss(loss, { output: forward.output.data, target: target.data, mask: masked ? mask.data : undefined, outputs: model.outputSize, targetIsIndex: index });
            const split = model.forwardBackward(input, { data: expected.grad, shape: forward.output.shape }, { timespans, dropoutSeed: seed });
            const options = { loss, timespans, dropoutSeed: seed, targetIsIndex: index, ...(masked ? { mask } : {}) };
            for (const fused of [model.forwardBackwardLoss(input, target, options), await model.forwardBackwardLossAsync(input, target, options)]) {
              expect(fused.count).toBe(expected.count);
              expect(Math.abs(fused.loss - expected.loss)).toBeLessThanOrEqual(tolerance * Math.abs(expected.loss));
              expect(relativeError(fused.output.data, split.output.data)).toBeLessThanOrEqual(tolerance);
              expect(relativeError(fused.grads.flat, split.grads.flat)).toBeLessThanOrEqual(tolerance);
              expect(relativeError(fused.grads.input.data, split.grads.input.data)).toBeLessThanOrEqual(tolerance);
              expect(relativeError(fused.grads.timespans!.data, split.grads.timespans!.data)).toBeLessThanOrEqual(tolerance);
            }
          });
        }
      });
    }
  }
}

describe('forward with dropoutSeed', () => {
  it('applies the same training masks as forwardBackward with that seed, and none without a seed', () => {
    for (const backend of ['cpu', 'reference'] as const) {
      const model = new CfC(S, 4, { dtype: 'float64', backend, backboneUnits: 8, backboneLayers: 3, backboneDropout: 0.5, seed: 9 });
      const input = { data: fill(B * L * S, 1, -1, 1, 'float64'), shape: [B, L, S] };
      const dOutput = { data: new Float64Array(B * L * model.outputSize), shape: [B, L, model.outputSize] };
      const trained = model.forwardBackward(input, dOutput, { dropoutSeed: 5 }).output.data;
      const masked = model.forward(input, { dropoutSeed: 5 }).output.data;
      const plain = model.forward(input).output.data;
      expect(Array.from(masked)).toEqual(Array.from(trained));
      expect(relativeError(plain, trained)).toBeGreaterThan(1e-3);
    }
  });
});

describe('forwardBackwardLoss refuses bad loss arguments with typed errors', () => {
  const model = new LTC(S, 4, { dtype: 'float32', seed: 1 });
  const input = { data: fill(B * L * S, 1, -1, 1, 'float32'), shape: [B, L, S] };
  const target = { data: new Float32Array(B * L * 4), shape: [B, L, 4] };
  it.each([
    [{ loss: 'hinge' }, target, TypeError, "LTC.forwardBackwardLoss: expected one of 'mse', 'mae', 'bce', 'crossEntropy' for options.loss"],
    [{ loss: 'mse', targetIsIndex: true }, target, TypeError, "expected a boolean, true only with loss 'crossEntropy' for options.targetIsIndex"],
    [{ loss: 'mse' }, { data: new Float32Array(5), shape: [5] }, RangeError, 'target.shape'],
    [{ loss: 'crossEntropy', targetIsIndex: true }, { data: new Float32Array(B * L).fill(4), shape: [B, L] }, RangeError, 'expected a class index, an integer in [0, 3] for target (element 0), received number 4'],
    [{ loss: 'mse', mask: { data: new Float32Array(B * L).fill(0.5), shape: [B, L] } }, target, RangeError, 'expected 0 or 1 for options.mask (element 0), received number 0.5'],
    [{ loss: 'mse', dOutput: target }, target, TypeError, 'options.dOutput'],
  ])('%j', (options, t, type, message) => {
    expect(() => model.forwardBackwardLoss(input, t as Tensor, options as never)).toThrow(type);
    expect(() => model.forwardBackwardLoss(input, t as Tensor, options as never)).toThrow(message);
  });
});
