/**
 * `ncp-silicon train`: sequences from a CSV or JSON file → windows → fit → a checkpoint. The checkpoint is a
 * normal model checkpoint (loadModel reads it) with one extra metadata entry, `ncp-silicon/data`: the columns,
 * window, horizon and normalisation, so `ncp-silicon predict` can prepare new data exactly the same way.
 *
 * Also holds the file reading and windowing that `predict` shares.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import { tensor } from '../models/tensor.js';
import { MODEL_FORMAT, modelPayload } from '../io/checkpoint.js';
import { saveSafetensors } from '../io/safetensors.js';
import { fit } from '../train/index.js';
import { AutoNCP } from '../wiring/index.js';
import { DemoProgress } from '../demo/progress.js';
import type { CommandIo } from './demo.js';

/** A user-facing failure: main prints `ncp-silicon: <message>` and exits 1, with no stack trace. */
export class CliError extends Error {
  override name = 'CliError';
}

export type Row = Record<string, string>;
export interface Sequence {
  id: string;
  rows: Row[];
}

/** How data was prepared for training; stored in the checkpoint (metadata key DATA_SPEC_KEY). */
export interface DataSpec {
  columns: string[];
  target: string[];
  window: number;
  horizon: number;
  timeColumn?: string;
  sequenceColumn?: string;
  /** Timespan of a sequence's first row (the median gap seen in training). */
  firstGap: number;
  inputMean: number[];
  inputStd: number[];
  targetMean: number[];
  targetStd: number[];
}
export const DATA_SPEC_KEY = 'ncp-silicon/data';

export interface TrainCommandOptions {
  target: string[];
  columns?: string[];
  timeColumn?: string;
  sequenceColumn?: string;
  window: number;
  horizon: number;
  model: 'cfc' | 'ltc';
  units: number;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  validationSplit?: number;
  seed: number;
  out: string;
  quiet?: boolean;
}

export async function runTrainCommand(path: string, o: TrainCommandOptions, io: CommandIo): Promise<number> {
  const sequences = readSequences(path, o.sequenceColumn);
  const header = columnsOf(sequences);
  const special = new Set([o.timeColumn, o.sequenceColumn].filter((c): c is string => c !== undefined));
  const columns = o.columns ?? header.filter((c) => !special.has(c) && isNumericColumn(sequences, c));
  for (const c of [...columns, ...o.target, ...special]) {
    if (!header.includes(c)) throw new CliError(`${path} has no column "${c}" (columns: ${header.join(', ')}).`);
  }
  if (columns.length === 0) throw new CliError(`${path} has no numeric input columns; name them with --columns.`);

  const spec: DataSpec = { columns, target: o.target, window: o.window, horizon: o.horizon, timeColumn: o.timeColumn, sequenceColumn: o.sequenceColumn, firstGap: 1, inputMean: [], inputStd: [], targetMean: [], targetStd: [] };
  const numeric = sequences.map((s) => numericSequence(path, s, spec, true));
  spec.firstGap = medianGap(numeric.flatMap((s) => s.gaps.slice(1)));
  const allInputs = numeric.flatMap((s) => s.inputs);
  const allTargets = numeric.flatMap((s) => s.targets!);
  [spec.inputMean, spec.inputStd] = meanStd(allInputs, columns.length);
  [spec.targetMean, spec.targetStd] = meanStd(allTargets, o.target.length);
  const windows = buildCliWindows(numeric, spec, true);
  if (windows.count === 0) {
    throw new CliError(`${path} has no sequence with the ${o.window + o.horizon} rows a window of ${o.window} and horizon ${o.horizon} need.`);
  }
  const S = columns.length;
  const P = o.target.length;
  const wiring = new AutoNCP(o.units, P, { seed: o.seed });
  const model = o.model === 'ltc' ? new LTC(S, wiring, { seed: o.seed, returnSequences: false }) : new CfC(S, wiring, { seed: o.seed, returnSequences: false });
  io.stderr.write(`${o.model === 'ltc' ? 'LTC' : 'CfC'} on AutoNCP(${o.units}, ${P}): ${model.layout.trainableLength} parameters, ${windows.count} windows of ${o.window} × ${S} from ${path}\n`);

  const progress = new DemoProgress(o.quiet ? undefined : io.stderr);
  progress.start('train');
  const history = await fit(
    model,
    { inputs: tensor(windows.inputs, [windows.count, o.window, S]), targets: tensor(windows.targets!, [windows.count, P]), timespans: tensor(windows.timespans, [windows.count, o.window]) },
    {
      epochs: o.epochs,
      batchSize: o.batchSize,
      optimizer: o.weightDecay > 0 ? { type: 'adamw', lr: o.lr, weightDecay: o.weightDecay } : { type: 'adam', lr: o.lr },
      clipGradNorm: 1,
      schedule: { type: 'cosine' },
      validationSplit: o.validationSplit,
      seed: o.seed,
      verbose: 0,
      onBatchEnd: (info) => progress.batch(info),
      onEpochEnd: (info) => progress.epoch(info),
      signal: io.signal,
    },
  );
  const last = history.epochs.at(-1);
  progress.done(last ? `train  ${history.epochs.length} epochs  loss ${last.loss.toFixed(4)}${last.valLoss === undefined ? '' : `  val_loss ${last.valLoss.toFixed(4)}`}` : 'train  no epoch finished');
  if (history.aborted) {
    io.stderr.write('ncp-silicon train: interrupted; no checkpoint was written.\n');
    return 130;
  }
  const { tensors, metadata } = modelPayload('ncp-silicon train', model, MODEL_FORMAT);
  await saveSafetensors(tensors, o.out, { metadata: { ...metadata, [DATA_SPEC_KEY]: JSON.stringify(spec) } });
  io.stdout.write(`${o.out}\n`);
  io.stderr.write(`Checkpoint written to ${o.out} (losses are on targets scaled to unit variance).\n`);
  return 0;
}

// ---- reading files -----------------------------------------------------------------------------------

/** CSV (header row) or JSON: an array of row objects, an array of such arrays, or `{ sequences: [...] }`. */
export function readSequences(path: string, sequenceColumn?: string): Sequence[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `cannot read ${path}: no such file.` : `cannot read ${path}: ${(error as Error).message}.`);
  }
  const isJson = extname(path).toLowerCase() === '.json' || /^\s*[[{]/.test(text);
  const rowsOrSequences = isJson ? parseJsonRows(path, text) : [parseCsv(path, text)];
  if (sequenceColumn === undefined) return rowsOrSequences.map((rows, i) => ({ id: String(i), rows }));
  const groups = new Map<string, Row[]>();
  for (const rows of rowsOrSequences) {
    for (const row of rows) {
      const id = row[sequenceColumn];
      if (id === undefined) throw new CliError(`${path} has no column "${sequenceColumn}" (--sequence-column).`);
      if (!groups.has(id)) groups.set(id, []);
      groups.get(id)!.push(row);
    }
  }
  return [...groups].map(([id, rows]) => ({ id, rows }));
}

export function parseCsv(path: string, text: string): Row[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new CliError(`${path} needs a header row and at least one data row.`);
  const header = splitCsvLine(lines[0]);
  return lines.slice(1).map((line, i) => {
    const cells = splitCsvLine(line);
    if (cells.length !== header.length) throw new CliError(`${path} line ${i + 2} has ${cells.length} cells, the header has ${header.length}.`);
    return Object.fromEntries(header.map((h, c) => [h, cells[c]]));
  });
}

/** Comma-separated cells; double quotes around a cell allow commas in it ("" is a literal quote). */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') cells.push(cell.trim()), (cell = '');
    else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

function parseJsonRows(path: string, text: string): Row[][] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path} is not valid JSON (${(error as Error).message}).`);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Array.isArray((value as { sequences?: unknown }).sequences)) {
    value = (value as { sequences: unknown[] }).sequences;
  }
  const shape = 'an array of row objects, an array of such arrays, or {"sequences": [...]}';
  if (!Array.isArray(value) || value.length === 0) throw new CliError(`${path} must hold ${shape}.`);
  const sequences = Array.isArray(value[0]) ? value : [value];
  return sequences.map((seq, s) => {
    if (!Array.isArray(seq)) throw new CliError(`${path}: sequence ${s} is not an array (expected ${shape}).`);
    return seq.map((row, r) => {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new CliError(`${path}: sequence ${s} row ${r} is not an object of column values.`);
      return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]));
    });
  });
}

export function columnsOf(sequences: readonly Sequence[]): string[] {
  const names = new Set<string>();
  for (const s of sequences) for (const row of s.rows) for (const k of Object.keys(row)) names.add(k);
  return [...names];
}

function isNumericColumn(sequences: readonly Sequence[], column: string): boolean {
  return sequences.every((s) => s.rows.every((r) => r[column] !== undefined && r[column] !== '' && Number.isFinite(Number(r[column]))));
}

// ---- windows -----------------------------------------------------------------------------------------

export interface NumericSequence {
  id: string;
  inputs: number[][];
  targets?: number[][];
  /** Elapsed time before each row (its first row gets the spec's firstGap, set later). */
  gaps: number[];
}

export function numericSequence(path: string, s: Sequence, spec: DataSpec, withTargets: boolean): NumericSequence {
  const value = (row: Row, column: string, r: number): number => {
    const cell = row[column];
    const n = Number(cell);
    if (cell === undefined || cell === '' || !Number.isFinite(n)) {
      throw new CliError(`${path}: expected a number in column "${column}" at row ${r}${s.id !== '0' ? ` of sequence ${s.id}` : ''}, received ${cell === undefined ? 'nothing' : JSON.stringify(cell)}.`);
    }
    return n;
  };
  const time = (row: Row, r: number): number => {
    // Numbers as they are; otherwise dates (ISO 8601 and the like), in days, so a date column just works.
    const cell = row[spec.timeColumn!];
    const ms = cell !== undefined && !Number.isFinite(Number(cell)) ? Date.parse(cell) : NaN;
    return Number.isNaN(ms) ? value(row, spec.timeColumn!, r) : ms / 86_400_000;
  };
  const times = spec.timeColumn ? s.rows.map((row, r) => time(row, r)) : undefined;
  const gaps = s.rows.map((_, r) => (r === 0 || !times ? NaN : times[r] - times[r - 1]));
  gaps.forEach((g, r) => {
    if (r > 0 && times && !(g > 0)) throw new CliError(`${path}: time column "${spec.timeColumn}" must increase within a sequence; row ${r} goes from ${times[r - 1]} to ${times[r]}.`);
  });
  return {
    id: s.id,
    inputs: s.rows.map((row, r) => spec.columns.map((c) => value(row, c, r))),
    targets: withTargets ? s.rows.map((row, r) => spec.target.map((c) => value(row, c, r))) : undefined,
    gaps: times ? gaps : gaps.map(() => 1),
  };
}

export interface CliWindows {
  inputs: Float32Array;
  timespans: Float32Array;
  targets?: Float32Array;
  count: number;
  /** For each window: its sequence and the row index of its last input row. */
  origins: { sequence: string; row: number }[];
}

/**
 * One window per row that has `window` rows up to it and (for training) a target `horizon` rows later;
 * for prediction, every row with a full window, including the last (forecasting past the data).
 */
export function buildCliWindows(sequences: readonly NumericSequence[], spec: DataSpec, withTargets: boolean): CliWindows {
  const L = spec.window;
  const S = spec.columns.length;
  const P = spec.target.length;
  const origins: CliWindows['origins'] = [];
  for (const s of sequences) {
    const lastOrigin = withTargets ? s.inputs.length - 1 - spec.horizon : s.inputs.length - 1;
    for (let t = L - 1; t <= lastOrigin; t++) origins.push({ sequence: s.id, row: t });
  }
  const byId = new Map(sequences.map((s) => [s.id, s]));
  const inputs = new Float32Array(origins.length * L * S);
  const timespans = new Float32Array(origins.length * L);
  const targets = withTargets ? new Float32Array(origins.length * P) : undefined;
  origins.forEach(({ sequence, row }, n) => {
    const s = byId.get(sequence)!;
    for (let l = 0; l < L; l++) {
      const r = row - L + 1 + l;
      s.inputs[r].forEach((v, f) => (inputs[(n * L + l) * S + f] = (v - spec.inputMean[f]) / spec.inputStd[f]));
      timespans[n * L + l] = Number.isNaN(s.gaps[r]) ? spec.firstGap : s.gaps[r];
    }
    if (targets) s.targets![row + spec.horizon].forEach((v, p) => (targets[n * P + p] = (v - spec.targetMean[p]) / spec.targetStd[p]));
  });
  return { inputs, timespans, targets, count: origins.length, origins };
}

function meanStd(rows: readonly number[][], width: number): [number[], number[]] {
  const mean = Array.from({ length: width }, (_, f) => rows.reduce((s, r) => s + r[f], 0) / rows.length);
  const std = Array.from({ length: width }, (_, f) => Math.sqrt(rows.reduce((s, r) => s + (r[f] - mean[f]) ** 2, 0) / rows.length) || 1);
  return [mean, std];
}

function medianGap(gaps: number[]): number {
  if (gaps.length === 0) return 1;
  const sorted = [...gaps].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
