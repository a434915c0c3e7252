/**
 * Turns the irregular observations into model inputs: per-step features normalised with training statistics
 * only, windows of the last `window` observations ending at each forecast origin, the gaps as timespans, and the
 * next observation's temp_max as the target (encoded as a residual over persistence, which is what the model
 * learns best: most of tomorrow's temperature is today's).
 */
import { seasonal } from './baselines.js';
import type { Observation } from './irregular.js';

/** What the model sees at every step (one row per observation in the window). */
export const FEATURE_NAMES = [
  'temp_max',
  'temp_min',
  'log1p_precipitation',
  'wind',
  'sin_day_of_year',
  'cos_day_of_year',
  'gap_since_previous',
  'gap_to_next',
] as const;
export const FEATURE_COUNT = FEATURE_NAMES.length;

/**
 * Raw (unnormalised) features of observation j. `gap_to_next` is the number of days to the observation being
 * forecast: when you forecast you know which day you are forecasting for, and a 3-day-ahead forecast should
 * lean less on today's value than a 1-day one.
 */
export function rawFeatures(obs: readonly Observation[], j: number): number[] {
  const o = obs[j];
  const next = obs[j + 1];
  const [s, c] = seasonal(o.dayOfYear);
  return [o.tempMax, o.tempMin, Math.log1p(o.precipitation), o.wind, s, c, o.gap, next ? next.gap : 1];
}

export interface Normalisation {
  mean: number[];
  std: number[];
  /** Scale of the target residual (std of next − last temp_max over the training forecasts). */
  targetScale: number;
}

/**
 * Statistics from the training forecasts only (every observation up to and including their targets), so
 * nothing from the test period leaks into the inputs. sin/cos are left as they are (already in [-1, 1]).
 */
export function fitNormalisation(obs: readonly Observation[], trainIndices: readonly number[]): Normalisation {
  const last = Math.max(...trainIndices) + 1;
  const rows = obs.slice(0, last).map((_, j) => rawFeatures(obs, j));
  const mean = FEATURE_NAMES.map((_, f) => rows.reduce((s, r) => s + r[f], 0) / rows.length);
  const std = FEATURE_NAMES.map((_, f) => Math.sqrt(rows.reduce((s, r) => s + (r[f] - mean[f]) ** 2, 0) / rows.length) || 1);
  for (const f of [4, 5]) {
    mean[f] = 0;
    std[f] = 1;
  }
  const residuals = trainIndices.map((i) => obs[i + 1].tempMax - obs[i].tempMax);
  const rMean = residuals.reduce((s, r) => s + r, 0) / residuals.length;
  const targetScale = Math.sqrt(residuals.reduce((s, r) => s + (r - rMean) ** 2, 0) / residuals.length) || 1;
  return { mean, std, targetScale };
}

export interface Windows {
  /** (N×L×S) batch first. */
  inputs: Float32Array;
  /** (N×L): days since the previous observation, the models' elapsed time. */
  timespans: Float32Array;
  /** (N×1): (next temp_max − last temp_max) / targetScale. */
  targets: Float32Array;
  /** Forecast origin i of every window (the window ends at observation i and forecasts observation i+1). */
  origins: number[];
  count: number;
  window: number;
  features: number;
}

/**
 * One window per forecast origin i: observations i−L+1 … i. Origins with fewer than L observations behind them
 * are padded by repeating observation 0 (only the first few training windows ever need it).
 */
export function buildWindows(obs: readonly Observation[], origins: readonly number[], window: number, norm: Normalisation): Windows {
  const S = FEATURE_COUNT;
  const N = origins.length;
  const inputs = new Float32Array(N * window * S);
  const timespans = new Float32Array(N * window);
  const targets = new Float32Array(N);
  // Feature rows are shared by overlapping windows: normalise each observation once.
  const cache = new Map<number, number[]>();
  const row = (j: number): number[] => {
    let r = cache.get(j);
    if (!r) {
      r = rawFeatures(obs, j).map((v, f) => (v - norm.mean[f]) / norm.std[f]);
      cache.set(j, r);
    }
    return r;
  };
  origins.forEach((i, n) => {
    if (i + 1 >= obs.length) throw new RangeError(`buildWindows: expected origins with a next observation, received origin ${i} of ${obs.length}.`);
    for (let t = 0; t < window; t++) {
      const j = Math.max(0, i - window + 1 + t);
      inputs.set(row(j), (n * window + t) * S);
      timespans[n * window + t] = obs[j].gap;
    }
    targets[n] = encodeTarget(obs, i, norm);
  });
  return { inputs, timespans, targets, origins: [...origins], count: N, window, features: S };
}

export function encodeTarget(obs: readonly Observation[], origin: number, norm: Normalisation): number {
  return (obs[origin + 1].tempMax - obs[origin].tempMax) / norm.targetScale;
}

/** Model output → °C forecast of observation origin+1. */
export function decodeTarget(obs: readonly Observation[], origin: number, value: number, norm: Normalisation): number {
  return obs[origin].tempMax + value * norm.targetScale;
}
