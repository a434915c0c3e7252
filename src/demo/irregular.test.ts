import { describe, expect, it } from 'vitest';
import { irregularise, seededRandom } from './irregular.js';
import type { WeatherDay } from './weather-data.js';

const days: WeatherDay[] = Array.from({ length: 400 }, (_, i) => ({
  date: `d${i}`, day: i, dayOfYear: i % 365, precipitation: 0, tempMax: i, tempMin: 0, wind: 1, weather: 'sun',
}));

describe('irregularise', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = irregularise(days, { keep: 0.5, seed: 3 }).map((o) => o.day);
    expect(irregularise(days, { keep: 0.5, seed: 3 }).map((o) => o.day)).toEqual(a);
    expect(irregularise(days, { keep: 0.5, seed: 4 }).map((o) => o.day)).not.toEqual(a);
  });

  it('keeps the first day, about `keep` of the rest, and records gaps that add up to the elapsed days', () => {
    const obs = irregularise(days, { keep: 0.5, seed: 1 });
    expect(obs[0]).toMatchObject({ day: 0, gap: 1 });
    expect(obs.length / days.length).toBeGreaterThan(0.4);
    expect(obs.length / days.length).toBeLessThan(0.65);
    for (let i = 1; i < obs.length; i++) expect(obs[i].gap).toBe(obs[i].day - obs[i - 1].day);
  });

  it('never leaves a gap longer than maxGap', () => {
    const obs = irregularise(days, { keep: 0.1, seed: 2, maxGap: 4 });
    expect(Math.max(...obs.slice(1).map((o) => o.gap))).toBeLessThanOrEqual(4);
  });

  it('keeps every day with keep = 1 and refuses keep outside (0, 1]', () => {
    expect(irregularise(days, { keep: 1 })).toHaveLength(days.length);
    expect(() => irregularise(days, { keep: 0 })).toThrow(RangeError);
  });

  it('seededRandom gives uniform-looking numbers in [0, 1)', () => {
    const r = seededRandom(7);
    const xs = Array.from({ length: 10000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });
});
