/**
 * `ncp-silicon train`: sequences from a CSV or JSON file → forecast windows → fit → a checkpoint. The checkpoint is
 * a normal model checkpoint (loadModel reads it) with two extra metadata entries: `ncp-silicon/data` (the columns,
 * window, horizon, target mode and normalisation, so `ncp-silicon predict` prepares new data exactly the same way)
 * and `ncp-silicon/validation` (the scores on the validation tail, beside persistence, a linear baseline and, for dated data, a seasonal one).
 *
 * The file reading `predict` shares is in read-sequences.ts, the windowing in forecast-windows.ts.
 */
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import { tensor } from '../models/tensor.js';
import { MODEL_FORMAT, modelPayload } from '../io/checkpoint.js';
import { saveSafetensors } from '../io/safetensors.js';
import { Trainer, predict } from '../train/index.js';
import { existsSync } from 'node:fs';
import { CheckpointError, NcpError } from '../errors.js';
import { AutoNCP } from '../wiring/index.js';
import { DemoProgress } from '../demo/progress.js';
import type { CommandIo } from './demo.js';
import { CliError } from './cli-error.js';
import { columnsOf, readSequences } from '../io/read-sequences.js';
import { DATA_SPEC_KEY, calendarSeasons, fitNormalisation, forecastWindows, inputWidth, numericSequence, windowOrigins, type CliWindows, type DataSpec, type Sequence, type TargetMode } from '../train/forecast-windows.js';
import { chooseSeasons } from './season-choice.js';
import { seasonalForecast } from './seasonal-baseline.js';
import { VALIDATION_KEY, decodeOutputs, formatScores, linearForecast, scoreForecasts, splitTail, type ValidationScores } from './validation.js';
import type { Backend } from '../models/sequence-types.js';

export { CliError } from './cli-error.js';
export { columnsOf, parseCsv, readSequences } from '../io/read-sequences.js';
export { DATA_SPEC_KEY, forecastWindows, numericSequence, windowOrigins } from '../train/forecast-windows.js';
export type { CliWindows, DataSpec, NumericSequence, Row, Sequence } from '../train/forecast-windows.js';

/** Default share of each series held out (its tail) for validation. */
export const DEFAULT_VALIDATION_SPLIT = 0.2;

export interface TrainCommandOptions {
  target: string[];
  columns?: string[];
  timeColumn?: string;
  sequenceColumn?: string;
  window: number;
  horizon: number;
  targetMode?: TargetMode;
  model: 'cfc' | 'ltc';
  units: number;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  /** Share of each series (its tail) held out for validation; default DEFAULT_VALIDATION_SPLIT. */
  validationSplit?: number;
  seed: number;
  out: string;
  /** Save the resumable run state every this many epochs (default 1). */
  checkpointEvery?: number;
  /** Continue the run saved in resumeStatePath(out) (by --checkpoint-every or an interrupt). */
  resume?: boolean;
  /** --backend (default 'auto'). */
  backend?: Backend;
  quiet?: boolean;
}

/** Where the resumable state of a run writing `out` lives: beside it, `<name>.resume.safetensors`. */
export function resumeStatePath(out: string): string {
  return `${out.replace(/\.safetensors$/i, '')}.resume.safetensors`;
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

  const spec: DataSpec = {
    columns, target: o.target, window: o.window, horizon: o.horizon, timeColumn: o.timeColumn, sequenceColumn: o.sequenceColumn,
    targetMode: o.targetMode ?? 'residual', firstGap: 1, inputMean: [], inputStd: [], targetMean: [], targetStd: [],
  };
  const numeric = sequences.map((s) => numericSequence(path, s, spec, true));
  const dated = spec.timeColumn !== undefined && !isNumericColumn(sequences, spec.timeColumn);
  const all = windowOrigins(numeric, spec, true);
  if (all.length === 0) {
    throw new CliError(`${path} has no sequence with the ${o.window + o.horizon} rows a window of ${o.window} and horizon ${o.horizon} need.`);
  }
  const fraction = o.validationSplit ?? DEFAULT_VALIDATION_SPLIT;
  const split = splitTail(numeric, spec, all, fraction);
  if (split.train.length === 0 || split.validation.length === 0) {
    throw new CliError(`${path} is too short to hold out the last ${Math.round(fraction * 100)} % of each series for validation (${split.train.length} training and ${split.validation.length} validation windows); add rows, shorten --window or change --validation-split.`);
  }
  if (dated) {
    const seasons = chooseSeasons(numeric, spec, split.train, calendarSeasons(numeric));
    if (seasons.length > 0) spec.seasons = seasons;
  }
  fitNormalisation(numeric, spec, split.train);
  const train = forecastWindows(numeric, spec, split.train);
  const validation = forecastWindows(numeric, spec, split.validation);
  const S = inputWidth(spec);
  const P = o.target.length;
  const L = o.window;
  const wiring = new AutoNCP(o.units, P, { seed: o.seed });
  const modelOptions = { seed: o.seed, returnSequences: false, backend: o.backend ?? 'auto' };
  const model = o.model === 'ltc' ? new LTC(S, wiring, modelOptions) : new CfC(S, wiring, modelOptions);
  const modelName = o.model === 'ltc' ? 'LTC' : 'CfC';
  io.stderr.write(
    `${modelName} on AutoNCP(${o.units}, ${P}): ${model.layout.trainableLength} parameters, ${all.length} windows of ${L} × ${S} from ${path} ` +
      `(${train.count} for training, ${validation.count} for validation), target: the ${spec.targetMode === 'residual' ? 'change from the last value' : 'value'} ${o.horizon} row${o.horizon === 1 ? '' : 's'} ahead\n`,
  );
  const asData = (w: CliWindows) => ({ inputs: tensor(w.inputs, [w.count, L, S]), targets: tensor(w.targets!, [w.count, P]), timespans: tensor(w.timespans, [w.count, L]) });

  const progress = new DemoProgress(o.quiet ? undefined : io.stderr);
  const statePath = resumeStatePath(o.out);
  const every = o.checkpointEvery ?? 1;
  // The run state (weights, optimizer, position, RNG) is saved every few epochs and on Ctrl-C/SIGTERM, so an
  // interrupted run continues with --resume exactly where it stopped (the library resumes bit for bit).
  const trainer: Trainer = new Trainer(model, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    optimizer: o.weightDecay > 0 ? { type: 'adamw', lr: o.lr, weightDecay: o.weightDecay } : { type: 'adam', lr: o.lr },
    clipGradNorm: 1,
    schedule: { type: 'cosine' },
    validationData: asData(validation),
    // Keep the weights of the epoch with the lowest validation loss (training never stops early): a late epoch
    // that overfits should not replace a better one.
    earlyStopping: { patience: o.epochs, restoreBestWeights: true, monitor: 'valLoss' },
    seed: o.seed,
    verbose: 0,
    onBatchEnd: (info) => progress.batch(info),
    onEpochEnd: async (info) => {
      progress.epoch(info);
      if (info.epoch % every === 0 || info.epoch === info.epochs) await trainer.save(statePath);
    },
    signal: io.signal,
  });
  if (o.resume) {
    if (!existsSync(statePath)) throw new CliError(`--resume: there is no saved run ${statePath} to continue (it is written every --checkpoint-every epochs and on Ctrl-C).`);
    try {
      await trainer.resume(statePath);
    } catch (error) {
      // Another model, batch size or data than the saved run: one line, not a stack.
      if (error instanceof CheckpointError || error instanceof NcpError || error instanceof RangeError || error instanceof TypeError) throw new CliError(`--resume: ${error.message}`);
      throw error;
    }
    io.stderr.write(`Resuming ${statePath} after epoch ${trainer.epoch}${trainer.step > 0 ? ` (step ${trainer.step})` : ''}.\n`);
  }
  progress.start('train');
  const history = await trainer.fit(asData(train));
  const last = history.epochs.at(-1);
  progress.done(last ? `train  ${history.epochs.length} epochs  loss ${last.loss.toFixed(4)}${last.valLoss === undefined ? '' : `  val_loss ${last.valLoss.toFixed(4)}`}` : 'train  no epoch finished');
  if (history.aborted) {
    await trainer.save(statePath);
    io.stderr.write(`ncp-silicon train: interrupted after ${trainer.step} steps (epoch ${trainer.epoch} of ${o.epochs} complete); the run is saved in ${statePath}. Run the same command with --resume to continue.\n`);
    return 130;
  }

  const outputs = await predict(model, asData(validation).inputs, { timespans: asData(validation).timespans, signal: io.signal });
  const forecasts: Record<string, Float64Array> = { model: decodeOutputs(spec, validation, outputs.data), persistence: validation.anchors! };
  const linear = linearForecast(spec, train, validation);
  if (linear) forecasts.linear = linear;
  const seasonal = dated ? seasonalForecast(numeric, spec, split.train, split.validation) : undefined;
  if (seasonal) forecasts.seasonal = seasonal.forecasts;
  const scores: ValidationScores = Object.fromEntries(spec.target.map((t) => [t, {}]));
  for (const [name, values] of Object.entries(forecasts)) scoreForecasts(spec, validation, values).forEach((s, p) => (scores[spec.target[p]][name] = s));

  const { tensors, metadata } = modelPayload('ncp-silicon train', model, MODEL_FORMAT);
  const stored = { split: fraction, windows: validation.count, scores, ...(seasonal && { seasonalPeriodDays: seasonal.periodDays }) };
  await saveSafetensors(tensors, o.out, { metadata: { ...metadata, [DATA_SPEC_KEY]: JSON.stringify(spec), [VALIDATION_KEY]: JSON.stringify(stored) } });
  io.stdout.write(`${o.out}\n`);
  io.stderr.write(formatScores(scores, modelName, validation.count, fraction, seasonal?.periodDays));
  io.stderr.write(`Checkpoint written to ${o.out} (the losses above are on targets scaled to unit variance; the table is in data units).\n`);
  return 0;
}

function isNumericColumn(sequences: readonly Sequence[], column: string): boolean {
  return sequences.every((s) => s.rows.every((r) => r[column] !== undefined && r[column] !== '' && Number.isFinite(Number(r[column]))));
}
