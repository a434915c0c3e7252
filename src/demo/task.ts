/**
 * The demo's forecasting task, end to end from the CSV to tensors: irregular Seattle weather, split in time at
 * 75 % of the timeline, windows for training (targets before the split) and testing (targets after it).
 *
 * No leakage: feature and target scales come from the training part only; a training window's target is always
 * before the split (and so are its inputs). Test windows may start before the split: that is history anyone
 * forecasting 1 January would have.
 */
import { tensor, type Tensor } from '../models/tensor.js';
import type { TrainData } from '../train/index.js';
import { targetIndices } from './baselines.js';
import { irregularise, type Observation } from './irregular.js';
import type { WeatherDay } from './weather-data.js';
import { buildWindows, decodeTarget, fitNormalisation, type Normalisation, type Windows } from './windows.js';

export interface TaskOptions {
  /** Probability of keeping a day (default 0.5: on average one observation every two days). */
  keep?: number;
  /** Seed of the drop pattern of the evaluated series (default 1). */
  dataSeed?: number;
  /** Observations per window (default 16). */
  window?: number;
  /**
   * Training copies of the series (default 8): the first is the evaluated series, the others drop different
   * days of the training years (seeded by `augmentSeed`). Irregular sampling is the point of the task, so
   * resampling it is a natural augmentation; it only ever uses days before the split.
   */
  augment?: number;
  /** Seed of the extra drop patterns (default 1). */
  augmentSeed?: number;
  /** Fraction of the timeline used for training (default 0.75). */
  trainFraction?: number;
}

export interface WeatherTask {
  options: Required<TaskOptions>;
  /** The evaluated irregular series (train and test parts). */
  observations: Observation[];
  /** First day (index since 2012-01-01) of the test period. */
  splitDay: number;
  splitDate: string;
  /** Forecast origins i (observation i → i+1) of the evaluated series, by part. */
  trainOrigins: number[];
  testOrigins: number[];
  normalisation: Normalisation;
  /** The evaluated series and the augmented copies with their training origins (for the linear AR baseline). */
  trainSeries: { observations: Observation[]; origins: number[] }[];
  /** Windows over the evaluated series plus the augmented copies, targets encoded. */
  train: TrainData;
  trainWindows: number;
  /** Inputs and timespans of the test windows (one per test origin, in time order). */
  testInputs: Tensor;
  testTimespans: Tensor;
  /** Encoded test targets (N×1), for monitoring the test loss in the training loss's units. */
  testTargets: Tensor;
  /** The observed temp_max of every test target (°C). */
  testTruth: Float64Array;
  testDates: string[];
  /** Model outputs (one per test window) → °C forecasts. */
  decode(outputs: ArrayLike<number>): Float64Array;
}

export function resolveTaskOptions(options: TaskOptions = {}): Required<TaskOptions> {
  return {
    keep: options.keep ?? 0.5,
    dataSeed: options.dataSeed ?? 1,
    window: options.window ?? 16,
    augment: options.augment ?? 8,
    augmentSeed: options.augmentSeed ?? 1,
    trainFraction: options.trainFraction ?? 0.75,
  };
}

export function buildWeatherTask(days: readonly WeatherDay[], options: TaskOptions = {}): WeatherTask {
  const o = resolveTaskOptions(options);
  // Rounded: 75 % of 2012–2015 is 1095.75 days, so the test year starts on 1 January 2015.
  const splitDay = Math.round(days.length * o.trainFraction);
  const observations = irregularise(days, { keep: o.keep, seed: o.dataSeed });
  const trainOrigins = targetIndices(observations, 0, splitDay);
  const testOrigins = targetIndices(observations, splitDay, Infinity);
  const normalisation = fitNormalisation(observations, trainOrigins);

  const trainSeries = [{ observations, origins: trainOrigins }];
  for (let k = 1; k < o.augment; k++) {
    // Seeds far from any data seed, so a copy never repeats the evaluated pattern.
    const copy = irregularise(days, { keep: o.keep, seed: 0x5eed0000 + o.augmentSeed * 1009 + k });
    trainSeries.push({ observations: copy, origins: targetIndices(copy, 0, splitDay) });
  }
  const parts: Windows[] = trainSeries.map((s) => buildWindows(s.observations, s.origins, o.window, normalisation));
  const N = parts.reduce((s, p) => s + p.count, 0);
  const L = o.window;
  const S = parts[0].features;
  const train: TrainData = {
    inputs: tensor(concat(parts.map((p) => p.inputs)), [N, L, S]),
    targets: tensor(concat(parts.map((p) => p.targets)), [N, 1]),
    timespans: tensor(concat(parts.map((p) => p.timespans)), [N, L]),
  };

  const test = buildWindows(observations, testOrigins, L, normalisation);
  return {
    options: o,
    observations,
    splitDay,
    splitDate: days[splitDay]?.date ?? '',
    trainOrigins,
    testOrigins,
    normalisation,
    trainSeries,
    train,
    trainWindows: N,
    testInputs: tensor(test.inputs, [test.count, L, S]),
    testTimespans: tensor(test.timespans, [test.count, L]),
    testTargets: tensor(test.targets, [test.count, 1]),
    testTruth: Float64Array.from(testOrigins, (i) => observations[i + 1].tempMax),
    testDates: testOrigins.map((i) => observations[i + 1].date),
    decode: (outputs) => Float64Array.from(testOrigins, (i, n) => decodeTarget(observations, i, outputs[n], normalisation)),
  };
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
