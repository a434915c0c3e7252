/**
 * Whether a model of dated data gets the calendar (season phases) as inputs. The phases help where the data has a
 * season (CO₂, temperatures) and give a small model something spurious to fit where it has none (prices), so the
 * choice is measured: a linear model with and without them, fitted on the earlier training windows of each series and
 * scored on the later ones. The validation tail is never looked at.
 */
import { fitNormalisation, forecastWindows, type DataSpec, type NumericSequence, type WindowOrigin } from '../train/forecast-windows.js';
import { linearForecast, scoreForecasts } from './validation.js';

/** The part of `candidates` to use (all or none), chosen on `trainOrigins` only; `spec` is left as it was. */
export function chooseSeasons(sequences: readonly NumericSequence[], spec: DataSpec, trainOrigins: readonly WindowOrigin[], candidates: readonly number[]): number[] {
  if (candidates.length === 0) return [];
  const { fit, check } = innerSplit(spec, trainOrigins, 0.25);
  if (fit.length === 0 || check.length === 0) return [];
  const error = (seasons: number[]): number => {
    const trial: DataSpec = { ...spec, seasons: seasons.length > 0 ? [...seasons] : undefined };
    fitNormalisation(sequences, trial, fit);
    const fitWindows = forecastWindows(sequences, trial, fit);
    const checkWindows = forecastWindows(sequences, trial, check);
    const forecasts = linearForecast(trial, fitWindows, checkWindows);
    if (!forecasts) return NaN;
    // Each target's MSE relative to persistence, so targets on different scales count alike.
    const model = scoreForecasts(trial, checkWindows, forecasts);
    const persistence = scoreForecasts(trial, checkWindows, checkWindows.anchors!);
    return model.reduce((sum, s, p) => sum + s.mse / (persistence[p].mse || 1), 0);
  };
  const without = error([]);
  const withSeasons = error([...candidates]);
  return withSeasons < without ? [...candidates] : [];
}

/** The last `fraction` of each sequence's training forecasts (by forecast row) check; the earlier ones fit. */
function innerSplit(spec: DataSpec, origins: readonly WindowOrigin[], fraction: number): { fit: WindowOrigin[]; check: WindowOrigin[] } {
  const rows = new Map<string, number[]>();
  for (const o of origins) {
    const list = rows.get(o.sequence);
    if (list) list.push(o.row);
    else rows.set(o.sequence, [o.row]);
  }
  const cutoff = new Map([...rows].map(([id, r]) => [id, r.sort((a, b) => a - b)[Math.floor((1 - fraction) * r.length)]]));
  const fit: WindowOrigin[] = [];
  const check: WindowOrigin[] = [];
  for (const o of origins) {
    const c = cutoff.get(o.sequence)!;
    // Fitting windows must not forecast a row the checking windows start from.
    if (o.row >= c) check.push(o);
    else if (o.row + spec.horizon < c) fit.push(o);
  }
  return { fit, check };
}
