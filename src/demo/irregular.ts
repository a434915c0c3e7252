/**
 * Makes the daily series irregular: days are dropped at random (seeded), and the number of days between two
 * kept observations becomes the elapsed time the continuous-time models see. This is the setting LTC and CfC
 * are built for, and it makes plain persistence weaker (tomorrow's weather may be three days away).
 */
import type { WeatherDay } from './weather-data.js';
import { mulberry32 } from '../random/mulberry32.js';

/**
 * The demo's day-dropping stream: mulberry32 (random/mulberry32.ts) with the seed mixed by a constant, so
 * small seeds give unrelated streams.
 */
export function seededRandom(seed: number): () => number {
  return mulberry32((seed >>> 0) ^ 0x9e3779b9);
}

export interface Observation extends WeatherDay {
  /** Days since the previous kept observation (the first observation gets 1). */
  gap: number;
}

export interface IrregularOptions {
  /** Probability of keeping a day (default 0.7). */
  keep?: number;
  /** Seed of the drop pattern (default 1). */
  seed?: number;
  /** Longest allowed gap in days (default 6): a longer run of drops keeps its last day, so no gap is absurd. */
  maxGap?: number;
}

/** Keeps each day with probability `keep`; the first day is always kept so every gap is defined. */
export function irregularise(days: readonly WeatherDay[], options: IrregularOptions = {}): Observation[] {
  const keep = options.keep ?? 0.7;
  const maxGap = options.maxGap ?? 6;
  if (!(keep > 0 && keep <= 1)) throw new RangeError(`irregularise: expected a number in (0, 1] for options.keep, received ${keep}.`);
  const random = seededRandom(options.seed ?? 1);
  const out: Observation[] = [];
  let lastDay = NaN;
  for (const d of days) {
    const r = random(); // drawn for every day, so the pattern for a day does not depend on earlier choices
    const gap = out.length === 0 ? 1 : d.day - lastDay;
    if (out.length === 0 || r < keep || gap >= maxGap) {
      out.push({ ...d, gap });
      lastDay = d.day;
    }
  }
  return out;
}
