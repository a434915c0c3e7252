/**
 * The windowing `ncp-silicon train` and `predict` use, also exported from the package (docs/training.md,
 * "Forecast windows"): rows of one or more sequences → (N×L×S) input windows, (N×L) timespans and (N×P) targets,
 * normalised with a DataSpec, so that training and prediction prepare data identically.
 *
 * Two choices make irregular data work (as in the demo): with a time column, the time from each row of the window
 * to the row being forecast is an extra input (a forecast 3 days ahead should lean less on today than one 1 day
 * ahead), and the target is by default the change from the last observed value (a residual over persistence), so a
 * model that outputs 0 is exactly persistence and anything it learns improves on it.
 */
import { DataFormatError } from '../errors.js';
import type { Row, Sequence } from '../io/read-sequences.js';

export type { Row, Sequence } from '../io/read-sequences.js';

/** How data is prepared; `ncp-silicon train` stores it in the checkpoint (metadata key DATA_SPEC_KEY). */
export interface DataSpec {
  columns: string[];
  target: string[];
  window: number;
  horizon: number;
  timeColumn?: string;
  sequenceColumn?: string;
  /** Timespan of a sequence's first row, and the assumed gap per row past the data's end (median training gap). */
  firstGap: number;
  inputMean: number[];
  inputStd: number[];
  targetMean: number[];
  targetStd: number[];
  /** 'residual': the target is y[t+horizon] − y[t]; 'level': y[t+horizon]. Absent (older checkpoints) = 'level'. */
  targetMode?: TargetMode;
  /** Normalisation of the time-to-target input; present exactly when that input is (a time column was given). */
  leadMean?: number;
  leadStd?: number;
  /**
   * Seasons (in the time column's unit: days for dates) whose phase at the forecast row is an input, as its sine and
   * cosine, after the time to target. Absent (older checkpoints, numeric time columns) = none.
   */
  seasons?: number[];
}
export type TargetMode = 'residual' | 'level';
export const DATA_SPEC_KEY = 'ncp-silicon/data';

/** Input features per step: the columns, plus the time to the forecast target when the spec has one. */
export function inputWidth(spec: DataSpec): number {
  return spec.columns.length + (spec.leadMean === undefined ? 0 : 1) + 2 * (spec.seasons?.length ?? 0);
}

/** The median time between consecutive rows over every sequence (NaN when no sequence has two rows). */
export function medianGap(sequences: readonly NumericSequence[]): number {
  return median(sequences.flatMap((s) => s.gaps.slice(1))) ?? NaN;
}

/**
 * The seasons worth giving a model of dated data (times in days): the day when rows are at most 3 hours apart, the
 * week when they are about daily and span a month, the year when the data spans one. Numeric time columns have no calendar, so none.
 */
export function calendarSeasons(sequences: readonly NumericSequence[]): number[] {
  const first = Math.min(...sequences.map((s) => s.times[0]));
  const last = Math.max(...sequences.map((s) => s.times[s.times.length - 1]));
  const gap = medianGap(sequences);
  const seasons: number[] = [];
  if (gap <= 0.125 && last - first >= 2) seasons.push(1);
  if (gap <= 1.5 && last - first >= 28) seasons.push(7);
  if (last - first >= 365.25) seasons.push(365.25);
  return seasons;
}

export interface NumericSequence {
  id: string;
  inputs: number[][];
  /** Target columns' values per row (when read). */
  targets?: number[][];
  /** Each row's time (the time column, dates in days), or its index without one. */
  times: number[];
  /** Elapsed time before each row (NaN for the first: the spec's firstGap is used). */
  gaps: number[];
}

/** Parses one sequence's cells into numbers; a bad cell or a time that does not increase is a DataFormatError. */
export function numericSequence(path: string, s: Sequence, spec: DataSpec, withTargets: boolean): NumericSequence {
  const value = (row: Row, column: string, r: number): number => {
    const cell = row[column];
    const n = Number(cell);
    if (cell === undefined || cell === '' || !Number.isFinite(n)) {
      throw new DataFormatError(`${path}: expected a number in column "${column}" at row ${r}${s.id !== '0' ? ` of sequence ${s.id}` : ''}, received ${cell === undefined ? 'nothing' : JSON.stringify(cell)}.`);
    }
    return n;
  };
  const time = (row: Row, r: number): number => {
    // Numbers as they are; otherwise dates (ISO 8601 and the like), in days, so a date column just works.
    const cell = row[spec.timeColumn!];
    const ms = cell !== undefined && !Number.isFinite(Number(cell)) ? Date.parse(cell) : NaN;
    return Number.isNaN(ms) ? value(row, spec.timeColumn!, r) : ms / 86_400_000;
  };
  const times = spec.timeColumn ? s.rows.map((row, r) => time(row, r)) : s.rows.map((_, r) => r);
  const gaps = times.map((t, r) => (r === 0 ? NaN : t - times[r - 1]));
  gaps.forEach((g, r) => {
    if (r > 0 && !(g > 0)) throw new DataFormatError(`${path}: time column "${spec.timeColumn}" must increase within a sequence; row ${r} goes from ${times[r - 1]} to ${times[r]}.`);
  });
  return {
    id: s.id,
    inputs: s.rows.map((row, r) => spec.columns.map((c) => value(row, c, r))),
    targets: withTargets ? s.rows.map((row, r) => spec.target.map((c) => value(row, c, r))) : undefined,
    times,
    gaps,
  };
}

/** A window ends at row `row` of sequence `sequence` (its origin) and forecasts row `row + horizon`. */
export interface WindowOrigin {
  sequence: string;
  row: number;
}

export interface CliWindows {
  /** (N×L×S), S = inputWidth(spec), normalised. */
  inputs: Float32Array;
  /** (N×L) elapsed time before each step. */
  timespans: Float32Array;
  /** (N×P) encoded targets, when the forecast rows exist and targets were read. */
  targets?: Float32Array;
  /** (N×P) the last observed target values (the persistence forecast), in data units, when targets were read. */
  anchors?: Float64Array;
  /** (N×P) the actual values forecast, in data units (NaN past the data's end), when targets were read. */
  actual?: Float64Array;
  /** Time of the forecast row (estimated past the data's end with the spec's firstGap per row). */
  forecastTimes: Float64Array;
  count: number;
  origins: WindowOrigin[];
}

/**
 * Every origin with a full window behind it: for training (`withTargets`) only those whose forecast row is in the
 * data; for prediction every one, including the last rows (forecasting past the data's end).
 */
export function windowOrigins(sequences: readonly NumericSequence[], spec: DataSpec, withTargets: boolean): WindowOrigin[] {
  const origins: WindowOrigin[] = [];
  for (const s of sequences) {
    const last = withTargets ? s.inputs.length - 1 - spec.horizon : s.inputs.length - 1;
    for (let t = spec.window - 1; t <= last; t++) origins.push({ sequence: s.id, row: t });
  }
  return origins;
}

/** The forecast row's time: from the data when it exists, else extrapolated by firstGap per missing row. */
function forecastTime(s: NumericSequence, row: number, spec: DataSpec): number {
  const target = row + spec.horizon;
  if (target < s.times.length) return s.times[target];
  return s.times[s.times.length - 1] + (target - (s.times.length - 1)) * spec.firstGap;
}

/** Builds the windows of `origins` (default: windowOrigins of the sequences). */
export function forecastWindows(sequences: readonly NumericSequence[], spec: DataSpec, origins: readonly WindowOrigin[]): CliWindows {
  const L = spec.window;
  const C = spec.columns.length;
  const S = inputWidth(spec);
  const P = spec.target.length;
  const N = origins.length;
  const byId = new Map(sequences.map((s) => [s.id, s]));
  const withTargets = sequences.every((s) => s.targets !== undefined) && P > 0;
  const inputs = new Float32Array(N * L * S);
  const timespans = new Float32Array(N * L);
  const forecastTimes = new Float64Array(N);
  const anchors = withTargets ? new Float64Array(N * P) : undefined;
  const actual = withTargets ? new Float64Array(N * P).fill(NaN) : undefined;
  let complete = withTargets;
  origins.forEach(({ sequence, row }, n) => {
    const s = byId.get(sequence);
    if (!s || row < L - 1 || row >= s.inputs.length) throw new RangeError(`forecastWindows: expected origins with a full window in their sequence, received row ${row} of sequence "${sequence}".`);
    const tTarget = forecastTime(s, row, spec);
    forecastTimes[n] = tTarget;
    for (let l = 0; l < L; l++) {
      const r = row - L + 1 + l;
      const base = (n * L + l) * S;
      for (let f = 0; f < C; f++) inputs[base + f] = (s.inputs[r][f] - spec.inputMean[f]) / spec.inputStd[f];
      if (spec.leadMean !== undefined) inputs[base + C] = (tTarget - s.times[r] - spec.leadMean) / spec.leadStd!;
      spec.seasons?.forEach((period, k) => {
        const phase = (2 * Math.PI * (((tTarget % period) + period) % period)) / period;
        inputs[base + S - 2 * (spec.seasons!.length - k)] = Math.sin(phase);
        inputs[base + S - 2 * (spec.seasons!.length - k) + 1] = Math.cos(phase);
      });
      timespans[n * L + l] = Number.isNaN(s.gaps[r]) ? spec.firstGap : s.gaps[r];
    }
    if (!anchors || !actual) return;
    const forecastRow = row + spec.horizon;
    for (let p = 0; p < P; p++) {
      anchors[n * P + p] = s.targets![row][p];
      if (forecastRow < s.targets!.length) actual[n * P + p] = s.targets![forecastRow][p];
      else complete = false;
    }
  });
  let targets: Float32Array | undefined;
  if (complete && anchors && actual) {
    targets = new Float32Array(N * P);
    for (let i = 0; i < N * P; i++) targets[i] = encodeTarget(spec, i % P, actual[i], anchors[i]);
  }
  return { inputs, timespans, targets, anchors, actual, forecastTimes, count: N, origins: [...origins] };
}

/** Data-unit value → what the model is trained to output. */
export function encodeTarget(spec: DataSpec, p: number, value: number, anchor: number): number {
  return (value - (spec.targetMode === 'residual' ? anchor : 0) - spec.targetMean[p]) / spec.targetStd[p];
}

/** Model output → forecast in data units (a residual is added to the last observed value, `anchor`). */
export function decodeTarget(spec: DataSpec, p: number, output: number, anchor: number): number {
  return output * spec.targetStd[p] + spec.targetMean[p] + (spec.targetMode === 'residual' ? anchor : 0);
}

/**
 * Fills the spec's normalisation (inputs, time to target, targets) from the training windows only, so nothing of
 * the validation tail leaks into them: inputs over every row the training windows use, targets over their forecasts.
 */
export function fitNormalisation(sequences: readonly NumericSequence[], spec: DataSpec, trainOrigins: readonly WindowOrigin[]): void {
  const byId = new Map(sequences.map((s) => [s.id, s]));
  const C = spec.columns.length;
  const P = spec.target.length;
  const inputRows: number[][] = [];
  const targetRows: number[][] = [];
  const leads: number[][] = [];
  const lastRow = new Map<string, number>();
  for (const { sequence, row } of trainOrigins) lastRow.set(sequence, Math.max(lastRow.get(sequence) ?? -1, row + spec.horizon));
  for (const [id, last] of lastRow) inputRows.push(...byId.get(id)!.inputs.slice(0, last + 1));
  const gaps = [...lastRow].flatMap(([id, last]) => byId.get(id)!.gaps.slice(1, last + 1));
  spec.firstGap = median(gaps) ?? 1;
  for (const { sequence, row } of trainOrigins) {
    const s = byId.get(sequence)!;
    const t = s.times[row + spec.horizon];
    for (let r = row - spec.window + 1; r <= row; r++) leads.push([t - s.times[r]]);
    targetRows.push(s.targets!.length > 0 ? spec.target.map((_, p) => s.targets![row + spec.horizon][p] - (spec.targetMode === 'residual' ? s.targets![row][p] : 0)) : []);
  }
  [spec.inputMean, spec.inputStd] = meanStd(inputRows, C);
  [spec.targetMean, spec.targetStd] = meanStd(targetRows, P);
  if (spec.timeColumn !== undefined) [[spec.leadMean], [spec.leadStd]] = meanStd(leads, 1);
}

function meanStd(rows: readonly number[][], width: number): [number[], number[]] {
  const mean = Array.from({ length: width }, (_, f) => rows.reduce((s, r) => s + r[f], 0) / rows.length);
  const std = Array.from({ length: width }, (_, f) => Math.sqrt(rows.reduce((s, r) => s + (r[f] - mean[f]) ** 2, 0) / rows.length) || 1);
  return [mean, std];
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
