import { describe, expect, it } from 'vitest';
import { buildWeatherTask } from './task.js';
import { loadSeattleWeather } from './weather-data.js';
import { FEATURE_COUNT, buildWindows, decodeTarget, encodeTarget, fitNormalisation, rawFeatures } from './windows.js';
import { irregularise } from './irregular.js';
import { targetIndices } from './baselines.js';

const days = loadSeattleWeather();

describe('weather task', () => {
  const task = buildWeatherTask(days, { augment: 3, window: 8 });

  it('splits at 1 January 2015 (75 % of the timeline) with every training target before it', () => {
    expect(task.splitDate).toBe('2015-01-01');
    const obs = task.observations;
    for (const i of task.trainOrigins) expect(obs[i + 1].day).toBeLessThan(task.splitDay);
    for (const i of task.testOrigins) expect(obs[i + 1].day).toBeGreaterThanOrEqual(task.splitDay);
    expect(task.trainOrigins.length + task.testOrigins.length).toBe(obs.length - 1);
  });

  it('has tensors of consistent shapes, the gaps as timespans, and the augmented copies in training only', () => {
    const N = task.trainWindows;
    expect(task.train.inputs.shape).toEqual([N, 8, FEATURE_COUNT]);
    expect(task.train.targets.shape).toEqual([N, 1]);
    expect(task.train.timespans!.shape).toEqual([N, 8]);
    expect(N).toBeGreaterThan(2.5 * task.trainOrigins.length);
    expect(task.testInputs.shape).toEqual([task.testOrigins.length, 8, FEATURE_COUNT]);
    const gaps = new Set(task.testTimespans.data);
    expect([...gaps].every((g) => Number.isInteger(g) && g >= 1 && g <= 6)).toBe(true);
    expect(gaps.size).toBeGreaterThan(2);
  });

  it('does not leak: changing every test-period day changes neither the training data nor the statistics', () => {
    const altered = days.map((d, i) => (i >= task.splitDay ? { ...d, tempMax: d.tempMax + 50, wind: 99, precipitation: 123 } : d));
    const other = buildWeatherTask(altered, { augment: 3, window: 8 });
    expect(other.normalisation).toEqual(task.normalisation);
    expect(other.train.inputs.data).toEqual(task.train.inputs.data);
    expect(other.train.targets.data).toEqual(task.train.targets.data);
    expect(other.train.timespans!.data).toEqual(task.train.timespans!.data);
  });

  it('decodes the encoded test targets back to the observed temperatures', () => {
    const decoded = task.decode(task.testTargets.data);
    decoded.forEach((v, n) => expect(v).toBeCloseTo(task.testTruth[n], 3));
  });

  it('depends on the seeds: the data seed moves the evaluated series, the augment seed only the copies', () => {
    const a = buildWeatherTask(days, { augment: 2, window: 4, dataSeed: 2 });
    expect(a.observations.map((o) => o.day)).not.toEqual(task.observations.map((o) => o.day));
    const b = buildWeatherTask(days, { augment: 2, window: 8, augmentSeed: 9 });
    const c = buildWeatherTask(days, { augment: 2, window: 8, augmentSeed: 1 });
    expect(b.testInputs.data).toEqual(c.testInputs.data);
    expect(b.train.targets.data).not.toEqual(c.train.targets.data);
  });
});

describe('windows', () => {
  const obs = irregularise(days.slice(0, 200), { keep: 0.6, seed: 5 });
  const origins = targetIndices(obs, 0, Infinity);
  const norm = fitNormalisation(obs, origins);

  it('normalises features to zero mean and unit variance (sin/cos left alone)', () => {
    expect(norm.mean[4]).toBe(0);
    expect(norm.std[5]).toBe(1);
    expect(norm.targetScale).toBeGreaterThan(0);
  });

  it('ends each window at its origin, pads the first windows with observation 0, and encodes a residual over persistence', () => {
    const w = buildWindows(obs, [0, 10], 4, norm);
    const row = (n: number, t: number) => [...w.inputs.subarray((n * 4 + t) * FEATURE_COUNT, (n * 4 + t + 1) * FEATURE_COUNT)];
    const expected = (j: number) => rawFeatures(obs, j).map((v, f) => Math.fround((v - norm.mean[f]) / norm.std[f]));
    expect(row(0, 0)).toEqual(expected(0));
    expect(row(0, 3)).toEqual(expected(0));
    expect(row(1, 3)).toEqual(expected(10));
    expect(row(1, 0)).toEqual(expected(7));
    expect(w.timespans[1 * 4 + 3]).toBe(obs[10].gap);
    // gap_to_next of the last step is the distance to the forecast target.
    expect(rawFeatures(obs, 10)[7]).toBe(obs[11].gap);
    expect(w.targets[1]).toBeCloseTo(encodeTarget(obs, 10, norm), 5);
    expect(decodeTarget(obs, 10, encodeTarget(obs, 10, norm), norm)).toBeCloseTo(obs[11].tempMax, 10);
  });
});
