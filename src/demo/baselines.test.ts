import { describe, expect, it } from 'vitest';
import { Climatology, LinearAR, climatologyForecast, leastSquares, mse, persistenceForecast, targetIndices } from './baselines.js';
import { seededRandom, type Observation } from './irregular.js';

function series(values: number[], gap = 1): Observation[] {
  return values.map((v, i) => ({
    date: `d${i}`, day: i * gap, dayOfYear: (i * gap) % 365, precipitation: 0, tempMax: v, tempMin: 0, wind: 0, weather: '', gap: i === 0 ? 1 : gap,
  }));
}

describe('baselines', () => {
  it('leastSquares recovers exact coefficients', () => {
    const rows = Array.from({ length: 20 }, (_, i) => [i, Math.sin(i), 1]);
    const w = leastSquares(rows, rows.map(([a, b]) => 2 * a - 3 * b + 0.5));
    expect([...w].map((x) => Number(x.toFixed(8)))).toEqual([2, -3, 0.5]);
    expect(() => leastSquares([[1, 1], [2, 2], [3, 3]], [1, 2, 3])).toThrow(/singular/);
  });

  it('mse and persistence', () => {
    expect(mse([1, 2, 3], [1, 2, 5])).toBeCloseTo(4 / 3);
    expect(() => mse([1], [1, 2])).toThrow(RangeError);
    const obs = series([1, 2, 4, 8]);
    expect([...persistenceForecast(obs, [0, 1, 2])]).toEqual([1, 2, 4]);
  });

  it('targetIndices selects forecasts by the day of their target', () => {
    const obs = series([0, 0, 0, 0, 0, 0], 2); // days 0, 2, 4, 6, 8, 10
    expect(targetIndices(obs, 0, 6)).toEqual([0, 1]); // targets on days 2 and 4
    expect(targetIndices(obs, 6, Infinity)).toEqual([2, 3, 4]);
  });

  it('climatology of a constant is that constant, and smoothing follows a seasonal cycle', () => {
    const flat = new Climatology(Array.from({ length: 100 }, (_, i) => ({ dayOfYear: i * 3 % 366, value: 7 })));
    expect(flat.at(0)).toBeCloseTo(7);
    expect(flat.at(200)).toBeCloseTo(7);
    const cycle = Array.from({ length: 3 * 365 }, (_, i) => ({ dayOfYear: i % 365, value: 10 - 8 * Math.cos((2 * Math.PI * (i % 365)) / 365.25) }));
    const c = new Climatology(cycle, 10);
    expect(c.at(0)).toBeLessThan(3);
    expect(c.at(182)).toBeGreaterThan(17);
    const obs = series([0, 0, 0]);
    expect(climatologyForecast(obs, [0], c)[0]).toBeCloseTo(c.at(1));
  });

  it('LinearAR fits an AR(1) process with a mean', () => {
    const random = seededRandom(11);
    const values = [5];
    for (let i = 1; i < 400; i++) values.push(2 + 0.6 * values[i - 1] + (random() - 0.5));
    const obs = series(values);
    const train = targetIndices(obs, 0, 300);
    const test = targetIndices(obs, 300, Infinity);
    const ar = new LinearAR([{ observations: obs, origins: train }], 1);
    expect(ar.weights[0]).toBeCloseTo(0.6, 1);
    const truth = test.map((i) => obs[i + 1].tempMax);
    expect(mse(ar.forecast(obs, test), truth)).toBeLessThan(mse(persistenceForecast(obs, test), truth));
  });
});
