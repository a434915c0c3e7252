import { describe, expect, it } from 'vitest';
import { resolveFitOptions, type ResolvedSchedule } from './options.js';
import { learningRate } from './schedule.js';

const schedule = (s: unknown): ResolvedSchedule => resolveFitOptions('fit', { schedule: s }).schedule;
const at = (step: number, epoch: number, batch = 0, batches = 10, epochs = 10) => ({ step, epoch, batch, batches, epochs });

describe('learning-rate schedules', () => {
  it('constant by default', () => {
    expect(learningRate(schedule(undefined), 0.01, at(0, 0))).toBe(0.01);
    expect(learningRate(schedule(undefined), 0.01, at(999, 9, 9))).toBe(0.01);
  });

  it("step: lr · gamma^⌊epoch / stepSize⌋, constant within an epoch", () => {
    const s = schedule({ type: 'step', stepSize: 3, gamma: 0.5 });
    const lrs = [0, 1, 2, 3, 4, 5, 6, 9].map((e) => learningRate(s, 0.1, at(e * 10, e, 7)));
    expect(lrs).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.0125]);
    expect(learningRate(schedule({ type: 'step', stepSize: 1 }), 1, at(0, 2))).toBeCloseTo(0.01, 15); // gamma 0.1
  });

  it('cosine: follows the half cosine over the fractional epoch and stays at minLr after tMax', () => {
    const s = schedule({ type: 'cosine', tMax: 4, minLr: 0.001 });
    const expected = (e: number) => 0.001 + ((0.1 - 0.001) * (1 + Math.cos((Math.PI * Math.min(e, 4)) / 4))) / 2;
    expect(learningRate(s, 0.1, at(0, 0, 0))).toBeCloseTo(0.1, 15);
    expect(learningRate(s, 0.1, at(0, 1, 5))).toBeCloseTo(expected(1.5), 15);
    expect(learningRate(s, 0.1, at(0, 2, 0))).toBeCloseTo(0.0505, 15);
    expect(learningRate(s, 0.1, at(0, 4, 0))).toBeCloseTo(0.001, 15);
    expect(learningRate(s, 0.1, at(0, 7, 3))).toBeCloseTo(0.001, 15);
    // Default period: the run's epochs; default minLr 0.
    expect(learningRate(schedule({ type: 'cosine' }), 1, at(0, 5, 0, 10, 10))).toBeCloseTo(0.5, 15);
  });

  it('warm-up ramps linearly over warmupSteps optimizer steps, then leaves the schedule alone', () => {
    const s = schedule({ warmupSteps: 4 });
    expect([0, 1, 2, 3, 4, 50].map((t) => learningRate(s, 1, at(t, 0)))).toEqual([0.25, 0.5, 0.75, 1, 1, 1]);
  });

  it('warm-up combines with cosine and step by multiplication', () => {
    const cosine = schedule({ type: 'cosine', tMax: 2, warmupSteps: 10 });
    const plain = schedule({ type: 'cosine', tMax: 2 });
    for (const [t, e, b] of [[0, 0, 0], [4, 0, 4], [12, 1, 2]]) {
      expect(learningRate(cosine, 0.1, at(t, e, b))).toBeCloseTo(learningRate(plain, 0.1, at(t, e, b)) * Math.min(1, (t + 1) / 10), 15);
    }
    const step = schedule({ type: 'step', stepSize: 1, gamma: 0.5, warmupSteps: 2 });
    expect(learningRate(step, 1, at(0, 0))).toBe(0.5);
    expect(learningRate(step, 1, at(10, 1))).toBe(0.5);
  });

  it('refuses bad schedules with the usual message shape', () => {
    expect(() => schedule({ type: 'linear' })).toThrow(/^fit: expected one of 'constant' \| 'step' \| 'cosine' for options\.schedule\.type, received string "linear"\.$/);
    expect(() => schedule({ type: 'step' })).toThrow(/^fit: expected a positive integer for options\.schedule\.stepSize, received undefined\.$/);
    expect(() => schedule({ type: 'cosine', stepSize: 2 })).toThrow(/options\.schedule\.stepSize/);
    expect(() => schedule({ type: 'cosine', tMax: 0 })).toThrow(RangeError);
    expect(() => schedule({ warmupSteps: 1.5 })).toThrow(/expected a non-negative integer for options\.schedule\.warmupSteps, received number 1\.5/);
  });
});
