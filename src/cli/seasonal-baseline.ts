/**
 * The seasonal baseline `ncp-silicon train` scores beside persistence and the linear model, where it applies: the
 * value observed one season before the forecast row's time (seasonal naive). It applies to a date time column with
 * a weekly or yearly season, when every validation forecast has such an observation at or before its window's
 * last row; the season with the lower error on the training windows is used, so validation never picks it.
 */
import { medianGap, type DataSpec, type NumericSequence, type WindowOrigin } from '../train/forecast-windows.js';

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
  let best: { periodDays: number; trainMse: number; forecasts: Float64Array } | undefined;
  // A season shorter than two typical gaps is not seen at all.
  for (const period of SEASONS_DAYS.filter((d) => d >= 2 * gap)) {
    const forecasts = forecastAll(byId, spec, validation, period);
    if (!forecasts) continue;
    // Early training windows have no season of history yet: the choice is made on those that do.
    let se = 0;
    let fitted = 0;
    for (const o of train) {
      const value = seasonalValue(byId.get(o.sequence)!, spec, o.row, period);
      if (!value) continue;
      fitted++;
      const actual = byId.get(o.sequence)!.targets![o.row + spec.horizon];
      value.forEach((v, p) => (se += (v - actual[p]) ** 2));
    }
    if (fitted < 10) continue;
    const trainMse = se / (fitted * spec.target.length);
    if (!best || trainMse < best.trainMse) best = { periodDays: period, trainMse, forecasts };
  }
  return best && { periodDays: best.periodDays, forecasts: best.forecasts };
}

/** Every origin's seasonal-naive forecast (N×P), or undefined when one of them has none (seasonalValue). */
function forecastAll(byId: Map<string, NumericSequence>, spec: DataSpec, origins: readonly WindowOrigin[], period: number): Float64Array | undefined {
  const P = spec.target.length;
  const out = new Float64Array(origins.length * P);
  for (let n = 0; n < origins.length; n++) {
    const value = seasonalValue(byId.get(origins[n].sequence)!, spec, origins[n].row, period);
    if (!value) return undefined;
    out.set(value, n * P);
  }
  return out;
}

/**
 * The targets one season before the forecast row of the window ending at `origin`, as observed by then. Irregular
 * data rarely has a row exactly one season back, so the value there is interpolated between the two rows around
 * it; undefined before the sequence starts, or when those rows are more than a quarter of the season apart (that
 * is not seasonal any more).
 */
function seasonalValue(s: NumericSequence, spec: DataSpec, origin: number, period: number): number[] | undefined {
  const target = s.times[origin + spec.horizon];
  // The most recent whole number of seasons back that was already observed at the window's last row.
  const back = target - Math.max(1, Math.ceil((target - s.times[origin]) / period)) * period;
  if (back < s.times[0]) return undefined;
  const after = firstRowAtOrAfter(s.times, back, origin);
  const before = s.times[after] === back ? after : after - 1;
  const span = s.times[after] - s.times[before];
  if (span > period / 4) return undefined;
  const w = span === 0 ? 0 : (back - s.times[before]) / span;
  return s.targets![before].map((v, p) => (1 - w) * v + w * s.targets![after][p]);
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
