/**
 * The baselines an NCP has to beat, fitted on the training part only: persistence (the next observation equals
 * the last one), a smoothed day-of-year climatology, and a linear autoregressive model with seasonal features
 * solved by least squares in plain TypeScript.
 */
import type { Observation } from './irregular.js';

const YEAR = 365.25;

/** Mean squared error of two equally long series. */
export function mse(predictions: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (predictions.length !== truth.length || truth.length === 0) {
    throw new RangeError(`mse: expected two non-empty series of equal length, received ${predictions.length} and ${truth.length}.`);
  }
  let sum = 0;
  for (let i = 0; i < truth.length; i++) sum += (predictions[i] - truth[i]) ** 2;
  return sum / truth.length;
}

/** sin and cos of the day of the year (one full turn per year). */
export function seasonal(dayOfYear: number): [number, number] {
  const angle = (2 * Math.PI * dayOfYear) / YEAR;
  return [Math.sin(angle), Math.cos(angle)];
}

/**
 * Climatology: the expected temp_max of each day of the year, from training observations only. With three
 * years of (irregular) training data a raw per-day mean is mostly noise, so each day averages every training
 * observation with a circular Gaussian weight on the distance in days of the year (bandwidth `sigmaDays`).
 */
export class Climatology {
  /** Smoothed value for day of year 0..365. */
  readonly table: Float64Array;

  constructor(observations: readonly { dayOfYear: number; value: number }[], sigmaDays = 10) {
    if (observations.length === 0) throw new RangeError('Climatology: expected at least one observation, received none.');
    // Bin first (366 bins), then smooth the bins: O(366²) instead of O(366·n).
    const sums = new Float64Array(366);
    const counts = new Float64Array(366);
    for (const o of observations) {
      sums[o.dayOfYear] += o.value;
      counts[o.dayOfYear] += 1;
    }
    this.table = new Float64Array(366);
    for (let d = 0; d < 366; d++) {
      let num = 0;
      let den = 0;
      for (let e = 0; e < 366; e++) {
        if (counts[e] === 0) continue;
        const raw = Math.abs(d - e);
        const dist = Math.min(raw, YEAR - raw);
        const w = Math.exp(-0.5 * (dist / sigmaDays) ** 2);
        num += w * sums[e];
        den += w * counts[e];
      }
      this.table[d] = num / den;
    }
  }

  at(dayOfYear: number): number {
    return this.table[Math.min(365, Math.max(0, Math.round(dayOfYear)))];
  }
}

/** Indices i of the forecasts "observation i → observation i+1" whose target falls in [fromDay, toDay). */
export function targetIndices(obs: readonly Observation[], fromDay: number, toDay: number, minIndex = 0): number[] {
  const out: number[] = [];
  for (let i = minIndex; i + 1 < obs.length; i++) {
    const day = obs[i + 1].day;
    if (day >= fromDay && day < toDay) out.push(i);
  }
  return out;
}

export function persistenceForecast(obs: readonly Observation[], indices: readonly number[]): Float64Array {
  return Float64Array.from(indices, (i) => obs[i].tempMax);
}

export function climatologyForecast(obs: readonly Observation[], indices: readonly number[], climatology: Climatology): Float64Array {
  return Float64Array.from(indices, (i) => climatology.at(obs[i + 1].dayOfYear));
}

/**
 * Linear AR: next temp_max from the last `lags` observed temp_max values, sin/cos of the target's day of year,
 * the gap in days to the target, and a bias. Fitted by ridge-stabilised least squares (normal equations) on
 * one or more series (the demo passes the same augmented training copies the networks see, so the comparison
 * is on equal data).
 */
export class LinearAR {
  readonly lags: number;
  readonly weights: Float64Array;

  constructor(series: readonly { observations: readonly Observation[]; origins: readonly number[] }[], lags = 3, ridge = 1e-6) {
    this.lags = lags;
    const rows: number[][] = [];
    const targets: number[] = [];
    for (const { observations, origins } of series) {
      for (const i of origins) {
        if (i < lags - 1) continue; // needs `lags` real observations behind it
        rows.push(this.features(observations, i));
        targets.push(observations[i + 1].tempMax);
      }
    }
    this.weights = leastSquares(rows, targets, ridge);
  }

  features(obs: readonly Observation[], i: number): number[] {
    const x: number[] = [];
    for (let k = 0; k < this.lags; k++) x.push(obs[Math.max(0, i - k)].tempMax);
    const [s, c] = seasonal(obs[i + 1].dayOfYear);
    x.push(s, c, obs[i + 1].gap, 1);
    return x;
  }

  forecast(obs: readonly Observation[], indices: readonly number[]): Float64Array {
    return Float64Array.from(indices, (i) => this.features(obs, i).reduce((sum, v, j) => sum + v * this.weights[j], 0));
  }
}

/** Solves min ‖Xw − y‖² + ridge·‖w‖² via the normal equations and Gaussian elimination with partial pivoting. */
export function leastSquares(rows: readonly number[][], targets: readonly number[], ridge = 0): Float64Array {
  const p = rows[0]?.length ?? 0;
  if (rows.length < p || p === 0) throw new RangeError(`leastSquares: expected at least ${p} rows of ${p} features, received ${rows.length}.`);
  // Augmented matrix [XᵀX + ridge·I | Xᵀy].
  const a = Array.from({ length: p }, () => new Float64Array(p + 1));
  rows.forEach((x, n) => {
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) a[i][j] += x[i] * x[j];
      a[i][p] += x[i] * targets[n];
    }
  });
  for (let i = 0; i < p; i++) a[i][i] += ridge;
  for (let col = 0; col < p; col++) {
    let pivot = col;
    for (let r = col + 1; r < p; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    if (Math.abs(a[col][col]) < 1e-12) throw new RangeError('leastSquares: expected linearly independent features, received a singular system.');
    for (let r = 0; r < p; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= p; c++) a[r][c] -= f * a[col][c];
    }
  }
  return Float64Array.from({ length: p }, (_, i) => a[i][p] / a[i][i]);
}
