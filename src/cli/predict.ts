/**
 * `ncp-silicon predict`: a checkpoint + a CSV/JSON file → one forecast per window, as CSV or JSON, to stdout or a
 * file. Checkpoints from `ncp-silicon train` carry their columns, window and normalisation; any other model
 * checkpoint works on raw values given --columns and --window.
 */
import { extname } from 'node:path';
import { CheckpointError } from '../errors.js';
import { loadModel } from '../io/checkpoint.js';
import { loadSafetensors } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { tensor } from '../models/tensor.js';
import { predict } from '../train/index.js';
import type { CommandIo } from './demo.js';
import { parseDataSpec } from './data-spec.js';
import { CliError, columnsOf, readSequences } from './train.js';
import { DATA_SPEC_KEY, decodeTarget, forecastWindows, inputWidth, numericSequence, windowOrigins, type DataSpec } from '../train/forecast-windows.js';
import type { Backend } from '../models/sequence-types.js';

export interface PredictCommandOptions {
  out?: string;
  format?: 'csv' | 'json';
  columns?: string[];
  window?: number;
  timeColumn?: string;
  /** As in train; with a checkpoint from train it must name the column the checkpoint was trained with. */
  sequenceColumn?: string;
  batchSize: number;
  /** --backend (default 'auto'). */
  backend?: Backend;
}

export async function runPredictCommand(checkpoint: string, path: string, o: PredictCommandOptions, io: CommandIo): Promise<number> {
  const { model, spec } = await loadCheckpoint(checkpoint, o);
  if (model.returnSequences) throw new CliError(`${checkpoint} holds a model that returns sequences; predict needs one output per window (returnSequences: false).`);
  if (inputWidth(spec) !== model.inputSize) {
    throw new CliError(`${checkpoint} takes ${model.inputSize} input features, but ${spec.columns.length} columns were given (${spec.columns.join(', ')}).`);
  }
  const sequences = readSequences(path, spec.sequenceColumn);
  const header = columnsOf(sequences);
  // A residual model forecasts a change from the last value of its target columns: those must be in the file.
  const residual = spec.targetMode === 'residual';
  for (const c of [...spec.columns, ...(spec.timeColumn ? [spec.timeColumn] : []), ...(residual ? spec.target : [])]) {
    if (!header.includes(c)) throw new CliError(`${path} has no column "${c}", which ${checkpoint} was trained on (columns: ${header.join(', ')}).`);
  }
  const withTargets = spec.target.length > 0 && spec.target.every((c) => header.includes(c));
  const numeric = sequences.map((s) => numericSequence(path, s, spec, withTargets));
  const windows = forecastWindows(numeric, spec, windowOrigins(numeric, spec, false));
  if (windows.count === 0) throw new CliError(`${path} has no sequence with the ${spec.window} rows a window needs.`);

  const output = await predict(model, tensor(windows.inputs, [windows.count, spec.window, inputWidth(spec)]), {
    timespans: tensor(windows.timespans, [windows.count, spec.window]),
    batchSize: o.batchSize,
    signal: io.signal,
  });
  const P = model.outputSize;
  const names = spec.target.length === P ? spec.target : Array.from({ length: P }, (_, p) => `output_${p}`);
  const multi = sequences.length > 1 || spec.sequenceColumn !== undefined;
  const rowsOf = new Map(sequences.map((s) => [s.id, s.rows]));
  const records = windows.origins.map(({ sequence, row }, n) => {
    const rows = rowsOf.get(sequence)!;
    const forecastRow = row + spec.horizon;
    const rec: Record<string, string | number | null> = {};
    if (multi) rec.sequence = sequence;
    rec.row = row;
    if (spec.timeColumn) rec.time = rows[row][spec.timeColumn];
    rec.forecast_row = forecastRow;
    // The forecast row's own time cell when the file has it; past the end, the last time plus firstGap per row.
    if (spec.timeColumn) rec.forecast_time = forecastRow < rows.length ? rows[forecastRow][spec.timeColumn] : formatTime(windows.forecastTimes[n], rows[row][spec.timeColumn]);
    names.forEach((name, p) => (rec[name] = spec.target.length === P ? decodeTarget(spec, p, output.data[n * P + p], windows.anchors?.[n * P + p] ?? 0) : output.data[n * P + p]));
    if (withTargets) names.forEach((name, p) => (rec[`${name}_actual`] = Number.isNaN(windows.actual![n * P + p]) ? null : windows.actual![n * P + p]));
    return rec;
  });

  const format = o.format ?? (o.out && extname(o.out).toLowerCase() === '.json' ? 'json' : 'csv');
  const text = format === 'json' ? `${JSON.stringify(records, null, 2)}\n` : toCsv(records);
  if (o.out) {
    await writeFileAtomic(o.out, new TextEncoder().encode(text));
    io.stderr.write(`${records.length} forecasts written to ${o.out}\n`);
  } else {
    io.stdout.write(text);
  }
  return 0;
}

async function loadCheckpoint(checkpoint: string, o: PredictCommandOptions): Promise<{ model: Awaited<ReturnType<typeof loadModel>>; spec: DataSpec }> {
  let metadata: Record<string, string>;
  try {
    metadata = (await loadSafetensors(checkpoint)).metadata;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`cannot read ${checkpoint}: no such file.`);
    if (error instanceof CheckpointError) throw new CliError(error.message);
    throw error;
  }
  const model = await loadModel(checkpoint, { backend: o.backend ?? 'auto' });
  const stored = metadata[DATA_SPEC_KEY];
  if (stored !== undefined) {
    if (o.columns || o.window) throw new CliError(`${checkpoint} already records its columns and window; drop --columns and --window.`);
    const spec = parseDataSpec(checkpoint, stored, model);
    // The same --time-column / --sequence-column as train are welcome, other ones would misread the data.
    for (const [flag, given, recorded] of [['--time-column', o.timeColumn, spec.timeColumn], ['--sequence-column', o.sequenceColumn, spec.sequenceColumn]] as const) {
      if (given !== undefined && given !== recorded) throw new CliError(`${checkpoint} was trained with ${recorded === undefined ? `no ${flag}` : `${flag} ${recorded}`}; received ${flag} ${given}.`);
    }
    return { model, spec };
  }
  if (!o.columns || !o.window) {
    throw new CliError(`${checkpoint} has no training metadata (it was not written by \`ncp-silicon train\`); give --columns and --window (values are used unnormalised).`);
  }
  const spec: DataSpec = {
    columns: o.columns,
    target: [],
    window: o.window,
    horizon: 1,
    timeColumn: o.timeColumn,
    sequenceColumn: o.sequenceColumn,
    firstGap: 1,
    inputMean: o.columns.map(() => 0),
    inputStd: o.columns.map(() => 1),
    targetMean: [],
    targetStd: [],
  };
  return { model, spec };
}

/** A time past the data's end, written like the file's own: a number, or (for date columns) an ISO date. */
function formatTime(value: number, like: string): string | number {
  if (Number.isFinite(Number(like))) return Number(value.toPrecision(12));
  const iso = new Date(Math.round(value * 86_400_000)).toISOString();
  return /^\d{4}-\d{2}-\d{2}$/.test(like) ? iso.slice(0, 10) : iso;
}

function toCsv(records: readonly Record<string, string | number | null>[]): string {
  if (records.length === 0) return '';
  const header = Object.keys(records[0]);
  const cell = (v: string | number | null) => v === null ? '' : (typeof v === 'number' ? String(Number.isInteger(v) ? v : Number(v.toPrecision(7))) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header.join(','), ...records.map((r) => header.map((h) => cell(r[h])).join(','))].join('\n') + '\n';
}
