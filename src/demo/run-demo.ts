/**
 * `ncp-silicon demo`: trains a CfC and an LTC (AutoNCP wirings) on irregularly sampled Seattle weather, measures
 * them against persistence, climatology and a linear AR model on the same split, and writes a report folder.
 *
 * The settings below were tuned on many data and training seeds (docs/demo.md lists them); the CI test in
 * test/demo runs this same function at a smaller epoch budget and checks the margins.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import { saveModel } from '../io/checkpoint.js';
import { evaluate, fit, predict, type History } from '../train/index.js';
import { AutoNCP } from '../wiring/index.js';
import { Climatology, LinearAR, climatologyForecast, mse, persistenceForecast } from './baselines.js';
import { DemoProgress, type ProgressStream } from './progress.js';
import { writeReport, type DemoResults, type ForecastSeries, type ModelResult } from './report.js';
import { buildWeatherTask, type WeatherTask } from './task.js';
import { loadSeattleWeather, type WeatherDay } from './weather-data.js';
import { FEATURE_NAMES } from './windows.js';

export type DemoModelKey = 'cfc' | 'ltc';
export const DEMO_MODELS: readonly DemoModelKey[] = ['cfc', 'ltc'];

interface ModelSpec {
  label: string;
  /** Adam learning rate and decoupled weight decay (AdamW): the LTC's parameters (conductances, time
   * constants) collapse under the strong decay that keeps the CfC from memorising the three training years. */
  lr: number;
  weightDecay: number;
  build(inputSize: number, units: number, seed: number): CfC | LTC;
}

export const MODEL_SPECS: Record<DemoModelKey, ModelSpec> = {
  cfc: {
    label: 'CfC',
    lr: 0.003,
    weightDecay: 0.5,
    build: (S, units, seed) => new CfC(S, new AutoNCP(units, 1, { seed }), { seed, returnSequences: false }),
  },
  ltc: {
    label: 'LTC',
    lr: 0.01,
    weightDecay: 0.1,
    build: (S, units, seed) => new LTC(S, new AutoNCP(units, 1, { seed }), { seed, returnSequences: false }),
  },
};

/** The defaults of runDemo and of `ncp-silicon demo` (tuned; see docs/demo.md). */
export const DEMO_DEFAULTS = {
  out: 'ncp-demo-report',
  epochs: 30,
  seed: 1,
  dataSeed: 1,
  keep: 0.5,
  window: 16,
  augment: 8,
  units: 12,
  batchSize: 32,
} as const;

export interface DemoOptions {
  /** Report folder (default `ncp-demo-report`). */
  out?: string;
  /** Epochs per model (default 30). */
  epochs?: number;
  /** Seeds the wirings, initial weights, shuffling and augmentation copies (default 1). */
  seed?: number;
  /** Seeds which days are dropped from the evaluated series (default 1). */
  dataSeed?: number;
  /** Probability of keeping a day (default 0.5). */
  keep?: number;
  /** Observations per window (default 16). */
  window?: number;
  /** Training copies of the series with other drop patterns (default 8; 1 = none). */
  augment?: number;
  /** Neurons per AutoNCP wiring (default 12, one motor neuron). */
  units?: number;
  batchSize?: number;
  models?: readonly DemoModelKey[];
  /** Skip writing the report folder (tests of the numbers alone). */
  writeFiles?: boolean;
  /** Progress display (default none); the CLI passes stderr. */
  progress?: ProgressStream;
  signal?: AbortSignal;
  /** The command line shown in the report (default a reconstruction from the options). */
  command?: string;
  /** Pre-loaded data (tests); default the vega-datasets CSV. */
  days?: readonly WeatherDay[];
}

export interface DemoOutcome {
  results: DemoResults;
  /** Absolute report folder, when files were written. */
  outDir?: string;
  files: string[];
  /** Checkpoint file names inside outDir. */
  checkpoints: string[];
  /** Ctrl-C (the signal) stopped training: results hold only what finished, and no files were written. */
  aborted: boolean;
  histories: Record<string, History>;
  /** Test loss after every epoch (scaled target units), per model. */
  testCurves: Record<string, number[]>;
  task: WeatherTask;
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoOutcome> {
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  const epochs = options.epochs ?? DEMO_DEFAULTS.epochs;
  const units = options.units ?? DEMO_DEFAULTS.units;
  const batchSize = options.batchSize ?? DEMO_DEFAULTS.batchSize;
  const models = options.models ?? DEMO_MODELS;
  const progress = new DemoProgress(options.progress);
  const days = options.days ?? loadSeattleWeather();
  const task = buildWeatherTask(days, {
    keep: options.keep ?? DEMO_DEFAULTS.keep,
    dataSeed: options.dataSeed ?? DEMO_DEFAULTS.dataSeed,
    window: options.window ?? DEMO_DEFAULTS.window,
    augment: options.augment ?? DEMO_DEFAULTS.augment,
    augmentSeed: seed,
  });
  const { observations: obs, testOrigins, testTruth } = task;

  // Baselines see training data only: climatology the evaluated series' training observations (the copies
  // hold the same days, so they would add nothing); the linear AR the same augmented windows as the networks.
  const climatology = new Climatology(obs.filter((o) => o.day < task.splitDay).map((o) => ({ dayOfYear: o.dayOfYear, value: o.tempMax })));
  const linearAR = new LinearAR(task.trainSeries, 3);
  const baselineForecasts: ForecastSeries[] = [
    { key: 'persistence', label: 'Persistence', values: persistenceForecast(obs, testOrigins) },
    { key: 'climatology', label: 'Climatology', values: climatologyForecast(obs, testOrigins, climatology) },
    { key: 'linearAR', label: 'Linear AR', values: linearAR.forecast(obs, testOrigins) },
  ];
  const results: DemoResults = {
    models: {},
    baselines: {
      persistence: { testMse: mse(baselineForecasts[0].values, testTruth) },
      climatology: { testMse: mse(baselineForecasts[1].values, testTruth) },
      linearAR: { testMse: mse(baselineForecasts[2].values, testTruth) },
    },
  };
  progress.message(
    `Seattle weather: ${obs.length} of ${days.length} days kept, training windows ${task.trainWindows} ` +
      `(${task.options.augment} drop patterns), test forecasts ${testOrigins.length} from ${task.splitDate}`,
  );

  const histories: Record<string, History> = {};
  const testCurves: Record<string, number[]> = {};
  const testData = { inputs: task.testInputs, targets: task.testTargets, timespans: task.testTimespans };
  const trained = new Map<DemoModelKey, CfC | LTC>();
  const forecasts: ForecastSeries[] = [];
  const modelLines: Record<string, string> = {};
  let aborted = false;
  for (const key of models) {
    const spec = MODEL_SPECS[key];
    const model = spec.build(task.train.inputs.shape[2], units, seed);
    const testCurve: number[] = [];
    progress.start(spec.label.padEnd(4));
    const started = performance.now();
    const history = await fit(model, task.train, {
      epochs,
      batchSize,
      loss: 'mse',
      optimizer: { type: 'adamw', lr: spec.lr, weightDecay: spec.weightDecay },
      clipGradNorm: 1,
      schedule: { type: 'cosine' },
      seed,
      shuffle: true,
      verbose: 0,
      onBatchEnd: (info) => progress.batch(info),
      onEpochEnd: async (info) => {
        progress.epoch(info);
        // Test loss per epoch, for the learning-curve plot only: nothing (no stopping, no selection) uses it.
        testCurve.push(await evaluate(model, testData));
      },
      signal: options.signal,
    });
    const trainSeconds = (performance.now() - started) / 1000;
    if (history.aborted || options.signal?.aborted) {
      progress.finish();
      aborted = true;
      break;
    }
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    const output = await predict(model, task.testInputs, { timespans: task.testTimespans, signal: options.signal });
    const values = task.decode(output.data);
    const result: ModelResult = {
      testMse: mse(values, testTruth),
      trainSeconds,
      sampleStepsPerSecond: meanRate(history),
      peakRssBytes,
    };
    results.models[key] = result;
    histories[key] = history;
    testCurves[key] = testCurve;
    trained.set(key, model);
    forecasts.push({ key, label: spec.label, values });
    modelLines[key] = describeModel(model, spec, { epochs, batchSize, units });
    progress.done(`${spec.label.padEnd(4)}  test MSE ${result.testMse.toFixed(3)}  trained in ${trainSeconds.toFixed(1)} s`);
  }

  const outcome: DemoOutcome = { results, files: [], checkpoints: [], aborted, histories, testCurves, task };
  if (aborted || options.writeFiles === false) return outcome;

  const outDir = resolve(options.out ?? DEMO_DEFAULTS.out);
  mkdirSync(outDir, { recursive: true });
  const checkpoints: Record<string, string> = {};
  for (const [key, model] of trained) {
    const file = `${key}.safetensors`;
    await saveModel(model, join(outDir, file));
    checkpoints[key] = file;
  }
  const written = writeReport(outDir, {
    results,
    command: options.command ?? reconstructCommand(options),
    setup: describeSetup(task, days.length),
    modelLines,
    labels: { ...Object.fromEntries(models.map((k) => [k, MODEL_SPECS[k].label])) },
    histories,
    testCurves,
    truth: testTruth,
    testDates: task.testDates,
    forecasts: [...forecasts, ...baselineForecasts],
    checkpoints,
  });
  outcome.outDir = outDir;
  outcome.checkpoints = Object.values(checkpoints);
  outcome.files = [written.markdown, written.results, ...written.plots.map((p) => join(outDir, p)), ...Object.values(checkpoints).map((c) => join(outDir, c))];
  return outcome;
}

/** Sample-steps per second over the whole run (epochs weighted by their duration). */
function meanRate(history: History): number {
  let steps = 0;
  let seconds = 0;
  for (const e of history.epochs) {
    steps += e.sampleStepsPerSecond * e.seconds;
    seconds += e.seconds;
  }
  return seconds > 0 ? steps / seconds : 0;
}

function describeModel(model: CfC | LTC, spec: ModelSpec, o: { epochs: number; batchSize: number; units: number }): string {
  const wiring = model.wiring!;
  return (
    `AutoNCP(${o.units}, 1) wiring (${wiring.synapseCount} synapses, ${wiring.sensorySynapseCount} sensory), ` +
    `${model.layout.trainableLength} trainable parameters; AdamW lr ${spec.lr}, weight decay ${spec.weightDecay}, cosine schedule, ` +
    `gradient norm clipped at 1, batch ${o.batchSize}, ${o.epochs} epochs.`
  );
}

function describeSetup(task: WeatherTask, dayCount: number): string[] {
  const o = task.options;
  const obs = task.observations;
  const gaps = obs.slice(1).map((x) => x.gap);
  const meanGap = gaps.reduce((s, g) => s + g, 0) / gaps.length;
  return [
    `Data: daily Seattle weather 2012–2015 (${dayCount} days) from the \`vega-datasets\` npm package.`,
    `Irregular sampling: each day kept with probability ${o.keep} (data seed ${o.dataSeed}), so ${obs.length} observations remain; ` +
      `the gap in days to the previous observation (mean ${meanGap.toFixed(2)}, max ${Math.max(...gaps)}) is the models' timespan.`,
    `Task: forecast temp_max of the next observed day. Train on targets before ${task.splitDate} (the first ${Math.round(o.trainFraction * 100)} % of the timeline), test on the ${task.testOrigins.length} targets from then on.`,
    `Inputs: windows of the last ${o.window} observations with ${FEATURE_NAMES.join(', ')}; normalised with training statistics only.`,
    `Target: the change from the last observed temp_max (a residual over persistence), scaled by its training standard deviation.`,
    `Augmentation: ${o.augment - 1} more drop patterns of the training years (${task.trainWindows} training windows in all); the test series is never resampled.`,
    `Baselines: persistence (the last observed temp_max); climatology (mean temp_max by day of year over the training observations, Gaussian-smoothed, σ = 10 days); ` +
      `linear AR (least squares on the last 3 observed temp_max, sin/cos of the target's day of year, the gap and a bias, fitted on the same augmented training windows as the networks).`,
  ];
}

function reconstructCommand(o: DemoOptions): string {
  const parts = ['npx ncp-silicon demo'];
  if (o.out !== undefined) parts.push(`--out ${o.out}`);
  if (o.epochs !== undefined) parts.push(`--epochs ${o.epochs}`);
  if (o.seed !== undefined) parts.push(`--seed ${o.seed}`);
  if (o.dataSeed !== undefined) parts.push(`--data-seed ${o.dataSeed}`);
  return parts.join(' ');
}
