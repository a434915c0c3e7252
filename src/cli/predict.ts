/**
 * `ncp-silicon predict`: a checkpoint + a CSV/JSON file → one forecast per window, as CSV or JSON, to stdout or a
 * file. Checkpoints from `ncp-silicon train` carry their columns, window and normalisation; any other model
 * checkpoint works on raw values given --columns and --window.
 */
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { CheckpointError } from '../errors.js';
import { loadModel } from '../io/checkpoint.js';
import { loadSafetensors } from '../io/safetensors.js';
import { tensor } from '../models/tensor.js';
import { predict } from '../train/index.js';
import type { CommandIo } from './demo.js';
import { parseDataSpec } from './data-spec.js';
import { CliError, columnsOf, readSequences } from './train.js';
import { DATA_SPEC_KEY, decodeTarget, forecastWindows, inputWidth, numericSequence, windowOrigins, type DataSpec } from './forecast-windows.js';

export interface PredictCommandOptions {
  out?: string;
  format?: 'csv' | 'json';
  columns?: string[];
  window?: number;
  timeColumn?: string;
  batchSize: number;
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
  const records = windows.origins.map(({ sequence, row }, n) => {
    const rec: Record<string, string | number> = {};
    if (multi) rec.sequence = sequence;
    rec.row = row;
    rec.forecast_row = row + spec.horizon;
    names.forEach((name, p) => (rec[name] = spec.target.length === P ? decodeTarget(spec, p, output.data[n * P + p], windows.anchors?.[n * P + p] ?? 0) : output.data[n * P + p]));
    return rec;
  });

  const format = o.format ?? (o.out && extname(o.out).toLowerCase() === '.json' ? 'json' : 'csv');
  const text = format === 'json' ? `${JSON.stringify(records, null, 2)}\n` : toCsv(records);
  if (o.out) {
    writeFileSync(o.out, text);
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
  const model = await loadModel(checkpoint);
  const stored = metadata[DATA_SPEC_KEY];
  if (stored !== undefined) {
    if (o.columns || o.window || o.timeColumn) throw new CliError(`${checkpoint} already records its columns, window and time column; drop --columns, --window and --time-column.`);
    return { model, spec: parseDataSpec(checkpoint, stored, model) };
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
    firstGap: 1,
    inputMean: o.columns.map(() => 0),
    inputStd: o.columns.map(() => 1),
    targetMean: [],
    targetStd: [],
  };
  return { model, spec };
}

function toCsv(records: readonly Record<string, string | number>[]): string {
  if (records.length === 0) return '';
  const header = Object.keys(records[0]);
  const cell = (v: string | number) => (typeof v === 'number' ? String(Number.isInteger(v) ? v : Number(v.toPrecision(7))) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header.join(','), ...records.map((r) => header.map((h) => cell(r[h])).join(','))].join('\n') + '\n';
}
