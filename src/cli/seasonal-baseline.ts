/**
 * The seasonal baseline `ncp-silicon train` scores beside persistence and the linear model, where it applies: the
 * value observed one season before the forecast row's time (seasonal naive). It applies to a date time column with
 * a weekly or yearly season, when every validation forecast has such an observation at or before its window's
 * last row; the season with the lower error on the training windows is used, so validation never picks it.
 */
import type { DataSpec, NumericSequence, WindowOrigin } from '../train/forecast-windows.js';

/** Candidate seasons of a date column, in days (how forecast-windows stores dates). */
const SEASONS_DAYS = [1, 7, 365.25];

export interface SeasonalForecast {
  periodDays: number;
  /** (N×P) forecasts in data units, one per validation window. */
  forecasts: Float64Array;
}

/**
 * Seasonal-naive forecasts of the validation windows, or undefined where no season applies (no date column, too
 * few seasons of history, or a validation forecast without an observation one season back).
 */
export function seasonalForecast(
  sequences: readonly NumericSequence[],
  spec: DataSpec,
  train: readonly WindowOrigin[],
  validation: readonly WindowOrigin[],
): SeasonalForecast | undefined {
  const byId = new Map(sequences.map((s) => [s.id, s]));
  const gap = medianGap(sequences);
  let best: { periodDays: number; trainMse: number } | undefined;
  for (const period of SEASONS_DAYS) {
    // Interpolating across more than a quarter of the season is not seasonal any more; a season shorter than two
    // typical gaps is not seen at all.
    const tolerance = seasonTolerance(period);
    if (!(period >= 2 * gap)) continue;
    // Early training windows have no season of history yet: the choice is made on those that do.
    const fitted = train.filter((o) => forecastAll(byId, spec, [o], period, tolerance) !== undefined);
    const fit = forecastAll(byId, spec, fitted, period, tolerance);
    if (fitted.length < 10 || !fit || !forecastAll(byId, spec, validation, period, tolerance)) continue;
    const mse = meanSquaredError(byId, spec, fitted, fit);
    if (!best || mse < best.trainMse) best = { periodDays: period, trainMse: mse };
  }
  if (!best) return undefined;
  return { periodDays: best.periodDays, forecasts: forecastAll(byId, spec, validation, best.periodDays, seasonTolerance(best.periodDays))! };
}

/**
 * Every origin's seasonal-naive forecast, or undefined when one of them has no observation a season back. Irregular
 * data rarely has a row exactly one season back, so the value there is interpolated between the two rows around
 * it, when they are no further apart than `maxSpan`.
 */
function forecastAll(byId: Map<string, NumericSequence>, spec: DataSpec, origins: readonly WindowOrigin[], period: number, maxSpan: number): Float64Array | undefined {
  const P = spec.target.length;
  const out = new Float64Array(origins.length * P);
  for (let n = 0; n < origins.length; n++) {
    const s = byId.get(origins[n].sequence)!;
    const origin = origins[n].row;
    const target = s.times[origin + spec.horizon];
    // The most recent whole number of seasons back that was already observed at the window's last row.
    const back = target - Math.max(1, Math.ceil((target - s.times[origin]) / period)) * period;
    if (back < s.times[0]) return undefined;
    const after = firstRowAtOrAfter(s.times, back, origin);
    const before = s.times[after] === back ? after : after - 1;
    const span = s.times[after] - s.times[before];
    if (span > maxSpan) return undefined;
    const w = span === 0 ? 0 : (back - s.times[before]) / span;
    for (let p = 0; p < P; p++) out[n * P + p] = (1 - w) * s.targets![before][p] + w * s.targets![after][p];
  }
  return out;
}

/** The first row (at most `last`) whose time is ≥ `time`; times increase and times[last] ≥ time. */
function firstRowAtOrAfter(times: readonly number[], time: number, last: number): number {
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] >= time) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function meanSquaredError(byId: Map<string, NumericSequence>, spec: DataSpec, origins: readonly WindowOrigin[], forecasts: Float64Array): number {
  const P = spec.target.length;
  let se = 0;
  for (let n = 0; n < origins.length; n++) {
    const s = byId.get(origins[n].sequence)!;
    for (let p = 0; p < P; p++) se += (forecasts[n * P + p] - s.targets![origins[n].row + spec.horizon][p]) ** 2;
  }
  return se / Math.max(1, origins.length * P);
}

function seasonTolerance(period: number): number {
  return period / 4;
}

function medianGap(sequences: readonly NumericSequence[]): number {
  const gaps = sequences.flatMap((s) => s.gaps.filter((g) => g > 0)).sort((a, b) => a - b);
  return gaps.length === 0 ? NaN : gaps[gaps.length >> 1];
}
