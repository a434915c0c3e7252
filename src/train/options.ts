/**
 * Validation of every training option, once, before any work: each check reports the value it tested, in the
 * shape `<Api>: expected <what> for options.<name>, received <description>.` The resolved forms are plain JSON
 * (apart from functions, data and the signal), so a checkpoint can store them and feed them back in here.
 */
import { argumentError } from '../errors.js';
import type { BackendChoice } from '../backend/sequence-backend.js';
import { expectBackend } from '../backend/select.js';
import { expectBoolean, expectInteger, expectNumber, expectOneOf, expectOptions, expectPlainObject } from '../validate.js';
import type {
  AbortSignalLike,
  EarlyStoppingOptions,
  FitOptions,
  LossFunction,
  LossName,
  OptimizerName,
  ScheduleOptions,
  TrainData,
} from './types.js';

export const LOSS_NAMES: readonly LossName[] = ['mse', 'mae', 'bce', 'crossEntropy'];
const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'adamw', 'sgd'];
const FIT_KEYS = [
  'epochs', 'batchSize', 'loss', 'optimizer', 'clipGradNorm', 'schedule', 'validationData', 'validationSplit',
  'earlyStopping', 'seed', 'shuffle', 'verbose', 'onEpochEnd', 'onBatchEnd', 'signal', 'nonFiniteGradient',
  'maxConsecutiveSkips', 'backend',
] as const;
/** See FitOptions.maxConsecutiveSkips (docs/training.md, "Non-finite gradients"). */
export const DEFAULT_MAX_CONSECUTIVE_SKIPS = 10;

export interface ResolvedOptimizer {
  type: OptimizerName;
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  momentum: number;
  nesterov: boolean;
}

export interface ResolvedSchedule {
  type: 'constant' | 'step' | 'cosine';
  stepSize?: number;
  gamma?: number;
  tMax?: number;
  minLr?: number;
  warmupSteps: number;
}

export type ResolvedEarlyStopping = Required<Omit<EarlyStoppingOptions, 'monitor'>> & Pick<EarlyStoppingOptions, 'monitor'>;

export interface ResolvedFitOptions {
  epochs: number;
  batchSize: number;
  loss: LossName | LossFunction;
  optimizer: ResolvedOptimizer;
  clipGradNorm?: number;
  nonFiniteGradient: 'skip' | 'throw';
  maxConsecutiveSkips: number;
  schedule: ResolvedSchedule;
  validationData?: TrainData;
  validationSplit?: number;
  earlyStopping?: ResolvedEarlyStopping;
  seed: number;
  shuffle: boolean;
  verbose: 0 | 1 | 2;
  onEpochEnd?: FitOptions['onEpochEnd'];
  onBatchEnd?: FitOptions['onBatchEnd'];
  signal?: AbortSignalLike;
  /** Moves the model to this backend before training (undefined: the model's own). */
  backend?: BackendChoice;
}

export function resolveFitOptions(api: string, options: unknown): ResolvedFitOptions {
  const o = expectOptions(api, options, FIT_KEYS);
  if (o.validationData !== undefined && o.validationSplit !== undefined) {
    throw argumentError(TypeError, api, 'options.validationSplit', 'no validationSplit when validationData is given', o.validationSplit);
  }
  return {
    epochs: o.epochs === undefined ? 1 : expectInteger(api, 'options.epochs', o.epochs, { min: 1 }),
    batchSize: o.batchSize === undefined ? 32 : expectInteger(api, 'options.batchSize', o.batchSize, { min: 1 }),
    loss: resolveLoss(api, 'options.loss', o.loss),
    optimizer: resolveOptimizer(api, o.optimizer),
    clipGradNorm: o.clipGradNorm === undefined ? undefined : expectNumber(api, 'options.clipGradNorm', o.clipGradNorm, { greaterThan: 0 }),
    nonFiniteGradient: o.nonFiniteGradient === undefined ? 'skip' : expectOneOf(api, 'options.nonFiniteGradient', o.nonFiniteGradient, ['skip', 'throw'] as const),
    maxConsecutiveSkips: o.maxConsecutiveSkips === undefined ? DEFAULT_MAX_CONSECUTIVE_SKIPS : expectInteger(api, 'options.maxConsecutiveSkips', o.maxConsecutiveSkips, { min: 1, max: 2 ** 31 - 1 }),
    schedule: resolveSchedule(api, o.schedule),
    validationData: o.validationData === undefined ? undefined : (expectPlainObject(api, 'options.validationData', o.validationData) as unknown as TrainData),
    validationSplit: o.validationSplit === undefined ? undefined : expectNumber(api, 'options.validationSplit', o.validationSplit, { greaterThan: 0, lessThan: 1 }),
    earlyStopping: resolveEarlyStopping(api, o.earlyStopping),
    backend: o.backend === undefined ? undefined : expectBackend(api, 'options.backend', o.backend),
    seed: o.seed === undefined ? 1 : expectInteger(api, 'options.seed', o.seed, { min: 0, max: 2 ** 32 - 1 }),
    shuffle: o.shuffle === undefined ? true : expectBoolean(api, 'options.shuffle', o.shuffle),
    verbose: resolveVerbose(api, 'options.verbose', o.verbose, 1),
    onEpochEnd: expectCallback(api, 'options.onEpochEnd', o.onEpochEnd) as FitOptions['onEpochEnd'],
    onBatchEnd: expectCallback(api, 'options.onBatchEnd', o.onBatchEnd) as FitOptions['onBatchEnd'],
    signal: expectSignal(api, 'options.signal', o.signal),
  };
}

export function resolveLoss(api: string, name: string, value: unknown): LossName | LossFunction {
  if (value === undefined) return 'mse';
  if (typeof value === 'function') return value as LossFunction;
  if (typeof value !== 'string') {
    throw argumentError(TypeError, api, name, `one of ${LOSS_NAMES.map((l) => `'${l}'`).join(' | ')} or a loss function`, value);
  }
  return expectOneOf(api, name, value, LOSS_NAMES);
}

export function resolveVerbose(api: string, name: string, value: unknown, fallback: 0 | 1 | 2): 0 | 1 | 2 {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw argumentError(TypeError, api, name, 'one of 0 | 1 | 2', value);
  if (value !== 0 && value !== 1 && value !== 2) throw argumentError(RangeError, api, name, 'one of 0 | 1 | 2', value);
  return value;
}

export function expectCallback(api: string, name: string, value: unknown): ((...args: never[]) => unknown) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw argumentError(TypeError, api, name, 'a function', value);
  return value as (...args: never[]) => unknown;
}

export function expectSignal(api: string, name: string, value: unknown): AbortSignalLike | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw argumentError(TypeError, api, name, 'an AbortSignal', value);
  return value;
}

function resolveOptimizer(api: string, value: unknown): ResolvedOptimizer {
  const name = 'options.optimizer';
  if (value === undefined || typeof value === 'string') {
    const type = value === undefined ? 'adam' : expectOneOf(api, name, value, OPTIMIZER_NAMES);
    return defaultsFor(type);
  }
  if (typeof value !== 'object' || value === null) {
    throw argumentError(TypeError, api, name, `one of ${OPTIMIZER_NAMES.map((n) => `'${n}'`).join(' | ')} or { type, lr, … }`, value);
  }
  const o = expectOptions(api, value, ['type', 'lr', 'betas', 'eps', 'weightDecay', 'momentum', 'nesterov'], name);
  const type = expectOneOf(api, `${name}.type`, o.type, OPTIMIZER_NAMES);
  const resolved = defaultsFor(type);
  if (o.lr !== undefined) resolved.lr = expectNumber(api, `${name}.lr`, o.lr, { min: 0 });
  if (o.weightDecay !== undefined) resolved.weightDecay = expectNumber(api, `${name}.weightDecay`, o.weightDecay, { min: 0 });
  if (type === 'sgd') {
    for (const key of ['betas', 'eps'] as const) {
      if (o[key] !== undefined) throw argumentError(TypeError, api, `${name}.${key}`, `no ${key} for sgd (adam and adamw only)`, o[key]);
    }
    if (o.momentum !== undefined) resolved.momentum = expectNumber(api, `${name}.momentum`, o.momentum, { min: 0, lessThan: 1 });
    if (o.nesterov !== undefined) resolved.nesterov = expectBoolean(api, `${name}.nesterov`, o.nesterov);
    if (resolved.nesterov && resolved.momentum === 0) {
      throw argumentError(RangeError, api, `${name}.momentum`, 'a momentum in (0, 1) with nesterov', resolved.momentum);
    }
    return resolved;
  }
  for (const key of ['momentum', 'nesterov'] as const) {
    if (o[key] !== undefined) throw argumentError(TypeError, api, `${name}.${key}`, `no ${key} for ${type} (sgd only)`, o[key]);
  }
  if (o.betas !== undefined) {
    if (!Array.isArray(o.betas) || o.betas.length !== 2) {
      throw argumentError(TypeError, api, `${name}.betas`, 'an array [beta1, beta2]', o.betas);
    }
    resolved.betas = [
      expectNumber(api, `${name}.betas[0]`, o.betas[0], { min: 0, lessThan: 1 }),
      expectNumber(api, `${name}.betas[1]`, o.betas[1], { min: 0, lessThan: 1 }),
    ];
  }
  if (o.eps !== undefined) resolved.eps = expectNumber(api, `${name}.eps`, o.eps, { greaterThan: 0 });
  return resolved;
}

function defaultsFor(type: OptimizerName): ResolvedOptimizer {
  return {
    type,
    lr: type === 'sgd' ? 1e-2 : 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: type === 'adamw' ? 1e-2 : 0,
    momentum: 0,
    nesterov: false,
  };
}

function resolveSchedule(api: string, value: unknown): ResolvedSchedule {
  const name = 'options.schedule';
  if (value === undefined) return { type: 'constant', warmupSteps: 0 };
  const o = expectPlainObject(api, name, value) as ScheduleOptions & Record<string, unknown>;
  const type = o.type === undefined ? 'constant' : expectOneOf(api, `${name}.type`, o.type, ['constant', 'step', 'cosine'] as const);
  const keys = { constant: ['type', 'warmupSteps'], step: ['type', 'stepSize', 'gamma', 'warmupSteps'], cosine: ['type', 'tMax', 'minLr', 'warmupSteps'] }[type];
  expectOptions(api, o, keys, name);
  const warmupSteps = o.warmupSteps === undefined ? 0 : expectInteger(api, `${name}.warmupSteps`, o.warmupSteps, { min: 0 });
  if (type === 'step') {
    return {
      type,
      stepSize: expectInteger(api, `${name}.stepSize`, o.stepSize, { min: 1 }),
      gamma: o.gamma === undefined ? 0.1 : expectNumber(api, `${name}.gamma`, o.gamma, { greaterThan: 0 }),
      warmupSteps,
    };
  }
  if (type === 'cosine') {
    return {
      type,
      tMax: o.tMax === undefined ? undefined : expectNumber(api, `${name}.tMax`, o.tMax, { greaterThan: 0 }),
      minLr: o.minLr === undefined ? 0 : expectNumber(api, `${name}.minLr`, o.minLr, { min: 0 }),
      warmupSteps,
    };
  }
  return { type, warmupSteps };
}

function resolveEarlyStopping(api: string, value: unknown): ResolvedEarlyStopping | undefined {
  const name = 'options.earlyStopping';
  if (value === undefined) return undefined;
  const o = expectOptions(api, value, ['patience', 'minDelta', 'restoreBestWeights', 'monitor'], name);
  return {
    patience: expectInteger(api, `${name}.patience`, o.patience, { min: 0 }),
    minDelta: o.minDelta === undefined ? 0 : expectNumber(api, `${name}.minDelta`, o.minDelta, { min: 0 }),
    restoreBestWeights: o.restoreBestWeights === undefined ? false : expectBoolean(api, `${name}.restoreBestWeights`, o.restoreBestWeights),
    monitor: o.monitor === undefined ? undefined : expectOneOf(api, `${name}.monitor`, o.monitor, ['loss', 'valLoss'] as const),
  };
}
