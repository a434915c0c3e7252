import { describe, expect, it } from 'vitest';
import { computeLoss, type LossInput } from './losses.js';
import type { LossName } from './types.js';

function values(n: number, seed: number, low = -2, high = 2): Float64Array {
  let x = seed;
  return Float64Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return low + (high - low) * (x / 2147483648);
  });
}

const ROWS = 6;
const P = 3;
const MASK = [1, 1, 0, 1, 0, 1];

function targetsFor(name: LossName, index = false): Float64Array {
  if (index) return Float64Array.from({ length: ROWS }, (_, r) => r % P);
  if (name === 'bce') return values(ROWS * P, 5, 0, 1);
  if (name === 'crossEntropy') {
    // Rows of probabilities (sum 1).
    const t = values(ROWS * P, 5, 0.1, 1);
    for (let r = 0; r < ROWS; r++) {
      const s = t[r * P] + t[r * P + 1] + t[r * P + 2];
      for (let k = 0; k < P; k++) t[r * P + k] /= s;
    }
    return t;
  }
  return values(ROWS * P, 5);
}

/** Central differences of the loss with respect to every output element. */
function numericGrad(name: LossName, input: LossInput): Float64Array {
  const h = 1e-6;
  const out = new Float64Array(input.output.length);
  for (let i = 0; i < out.length; i++) {
    const plus = Float64Array.from(input.output);
    const minus = Float64Array.from(input.output);
    plus[i] += h;
    minus[i] -= h;
    out[i] = (computeLoss(name, { ...input, output: plus }).loss - computeLoss(name, { ...input, output: minus }).loss) / (2 * h);
  }
  return out;
}

describe('built-in losses', () => {
  const cases: [string, LossName, boolean][] = [
    ['mse', 'mse', false],
    ['mae', 'mae', false],
    ['bce (on logits)', 'bce', false],
    ['crossEntropy, probability targets', 'crossEntropy', false],
    ['crossEntropy, class-index targets', 'crossEntropy', true],
  ];
  for (const [title, name, index] of cases) {
    for (const masked of [false, true]) {
      it(`${title}${masked ? ', masked' : ''}: the gradient matches finite differences`, () => {
        const input: LossInput = { output: values(ROWS * P, 3), target: targetsFor(name, index), outputs: P, targetIsIndex: index, mask: masked ? MASK : undefined };
        const { grad } = computeLoss(name, input);
        const numeric = numericGrad(name, input);
        for (let i = 0; i < grad.length; i++) expect(grad[i]).toBeCloseTo(numeric[i], 7);
      });
    }
  }

  it('mse, mae and bce have their textbook values', () => {
    const output = Float64Array.of(1, -2, 0.5, 3);
    const target = Float64Array.of(0, 0, 1, 1);
    const base = { output, target, outputs: 2 };
    expect(computeLoss('mse', base).loss).toBeCloseTo((1 + 4 + 0.25 + 4) / 4, 15);
    expect(computeLoss('mae', base).loss).toBeCloseTo((1 + 2 + 0.5 + 2) / 4, 15);
    const bce = (x: number, t: number) => -(t * Math.log(1 / (1 + Math.exp(-x))) + (1 - t) * Math.log(1 - 1 / (1 + Math.exp(-x))));
    expect(computeLoss('bce', base).loss).toBeCloseTo((bce(1, 0) + bce(-2, 0) + bce(0.5, 1) + bce(3, 1)) / 4, 14);
  });

  it('crossEntropy with class indices equals crossEntropy with the one-hot targets', () => {
    const output = values(ROWS * P, 9);
    const indices = targetsFor('crossEntropy', true);
    const oneHot = new Float64Array(ROWS * P);
    indices.forEach((c, r) => (oneHot[r * P + c] = 1));
    const a = computeLoss('crossEntropy', { output, target: indices, outputs: P, targetIsIndex: true, mask: MASK });
    const b = computeLoss('crossEntropy', { output, target: oneHot, outputs: P, mask: MASK });
    expect(a.loss).toBeCloseTo(b.loss, 14);
    for (let i = 0; i < a.grad.length; i++) expect(a.grad[i]).toBeCloseTo(b.grad[i], 14);
    // The mean is over positions (4 valid), not elements.
    expect(a.count).toBe(4);
  });

  it('bce on logits stays finite for huge logits', () => {
    const r = computeLoss('bce', { output: Float64Array.of(1000, -1000, 1000), target: Float64Array.of(1, 0, 0), outputs: 1 });
    expect(r.loss).toBeCloseTo(1000 / 3, 10);
    expect(Array.from(r.grad).map((g) => g * 3)).toEqual([0, 0, 1]);
  });

  it('masked positions do not affect the loss and get zero gradient', () => {
    for (const name of ['mse', 'mae', 'bce', 'crossEntropy'] as const) {
      const output = values(ROWS * P, 3);
      const target = targetsFor(name);
      const a = computeLoss(name, { output, target, outputs: P, mask: MASK });
      // Scribble over the padded rows (2 and 4) of both output and target.
      const output2 = Float64Array.from(output);
      const target2 = Float64Array.from(target);
      for (const r of [2, 4]) for (let k = 0; k < P; k++) {
        output2[r * P + k] = 50 + k;
        target2[r * P + k] = name === 'mse' || name === 'mae' ? -7 : 0.5;
      }
      const b = computeLoss(name, { output: output2, target: target2, outputs: P, mask: MASK });
      expect(b.loss).toBe(a.loss);
      expect(Array.from(b.grad)).toEqual(Array.from(a.grad));
      for (const r of [2, 4]) for (let k = 0; k < P; k++) expect(a.grad[r * P + k]).toBe(0);
      expect(a.count).toBe(name === 'crossEntropy' ? 4 : 4 * P);
    }
  });

  it('an all-padded batch has loss 0, zero gradient and weight 0', () => {
    const r = computeLoss('mse', { output: Float32Array.of(1, 2), target: Float32Array.of(0, 0), outputs: 1, mask: [0, 0] });
    expect(r).toEqual({ loss: 0, grad: new Float32Array(2), count: 0 });
  });

  it('returns the gradient in the output dtype', () => {
    expect(computeLoss('mse', { output: Float32Array.of(1), target: Float32Array.of(0), outputs: 1 }).grad).toBeInstanceOf(Float32Array);
    expect(computeLoss('mse', { output: Float64Array.of(1), target: Float64Array.of(0), outputs: 1 }).grad).toBeInstanceOf(Float64Array);
  });
});
