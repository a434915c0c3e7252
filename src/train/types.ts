/** The public shapes of the training API: data, options, callback infos and history (docs/training.md). */
import type { Tensor } from '../models/tensor.js';
import type { Backend } from '../models/sequence-types.js';

/**
 * What training reads of an AbortSignal; Node's (and the DOM's) AbortSignal fits it. Declared here so the public
 * types need neither @types/node nor the DOM lib; at run time the value must be a real AbortSignal.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
}

/** A 0/1 mask; float tensors and Uint8Array both work. */
export interface MaskTensor {
  data: Float32Array | Float64Array | Uint8Array;
  shape: number[];
}

/**
 * A data set in the model's layout (batch first by default; time-major models take L×N×… instead of N×L×…).
 *
 * - `inputs` (N×L×S).
 * - `targets` (N×L×P) when `model.returnSequences`, else (N×P). With loss `'crossEntropy'` the targets may also be
 *   class indices: the same shape without the last axis, holding integers in [0, P).
 * - `timespans` (N×L), elapsed time before each step (default 1).
 * - `mask` (N×L) of 0/1: 1 marks a real step, 0 a padded one. With returnSequences the loss (and so every
 *   gradient) only sees valid steps. Without returnSequences each sample has one output and the mask is not used
 *   by the loss: pad such sequences at the front, so the last step is real.
 */
export interface TrainData {
  inputs: Tensor;
  targets: Tensor;
  timespans?: Tensor;
  mask?: MaskTensor;
}

/**
 * `'mse'` and `'mae'`: mean over valid elements. `'bce'`: binary cross-entropy on logits (the model output is a
 * logit; targets in [0, 1]), numerically stable like PyTorch's BCEWithLogitsLoss. `'crossEntropy'`: softmax over
 * the last axis, targets as probabilities / one-hot (same shape as the output) or class indices; mean over valid
 * positions.
 */
export type LossName = 'mse' | 'mae' | 'bce' | 'crossEntropy';

/**
 * A custom loss over one batch: `output` and `target` in the model's layout, `mask` (B×L) in the model's dtype
 * when the data has one and the model returns sequences. Returns the batch loss and dLoss/dOutput (the output's
 * shape and dtype).
 */
export type LossFunction = (output: Tensor, target: Tensor, mask?: Tensor) => { loss: number; grad: Tensor };

export type OptimizerName = 'adam' | 'adamw' | 'sgd';

/** PyTorch's defaults: lr 1e-3 (adam, adamw) or 1e-2 (sgd); betas [0.9, 0.999]; eps 1e-8; weightDecay 0 (adamw 1e-2). */
export interface OptimizerOptions {
  type: OptimizerName;
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** adam and sgd: L2 added to the gradient; adamw: decoupled decay of the weights. */
  weightDecay?: number;
  /** sgd only (default 0). */
  momentum?: number;
  /** sgd with momentum only (default false). */
  nesterov?: boolean;
}

/**
 * Learning-rate schedules. `'step'`: lr · gamma^⌊epoch / stepSize⌋ (stepSize in epochs, gamma default 0.1).
 * `'cosine'`: minLr + (lr - minLr)·(1 + cos(π·e / tMax))/2 with e the fractional epoch (updated every batch;
 * tMax in epochs, default `epochs`; minLr default 0). `warmupSteps` (any type) multiplies the rate by
 * min(1, (t + 1) / warmupSteps) for optimizer step t = 0, 1, …
 */
export type ScheduleOptions =
  | { type: 'step'; stepSize: number; gamma?: number; warmupSteps?: number }
  | { type: 'cosine'; tMax?: number; minLr?: number; warmupSteps?: number }
  | { type?: 'constant'; warmupSteps?: number };

export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping. */
  patience: number;
  /** Smallest decrease that counts as an improvement (default 0). */
  minDelta?: number;
  /** At the end (stopped early or not, but not when aborted), put back the weights of the best epoch. */
  restoreBestWeights?: boolean;
  /** Default: 'valLoss' when there is validation data, else 'loss'. */
  monitor?: 'loss' | 'valLoss';
}

/** What onBatchEnd receives (the progress bar shows the same figures). Epochs and batches count from 1. */
export interface BatchInfo {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Mean loss of the epoch so far. */
  loss: number;
  /** Loss of this batch alone. */
  batchLoss: number;
  /** Learning rate this batch was applied with. */
  lr: number;
  /** Sample-steps (B·L) per second in this epoch so far. */
  sampleStepsPerSecond: number;
  /** Since this fit() call started. */
  elapsedMs: number;
  /** Estimate of the time left until the last epoch ends (from this call's mean batch time). */
  etaMs: number;
  /** This batch's update was skipped: its gradient was not finite (options.nonFiniteGradient 'skip'). Always set by fit. */
  skipped?: boolean;
  /** Updates skipped for non-finite gradients so far, across resumes. Always set by fit. */
  skippedSteps?: number;
}

/** What onEpochEnd receives, once the epoch's validation (if any) has run. */
export interface EpochInfo extends EpochRecord {
  epochs: number;
  batches: number;
  elapsedMs: number;
  etaMs: number;
}

export interface EpochRecord {
  /** Counts from 1. */
  epoch: number;
  /** Mean training loss over the epoch (weighted by valid elements). */
  loss: number;
  valLoss?: number;
  /** Learning rate of the epoch's last batch. */
  lr: number;
  seconds: number;
  sampleStepsPerSecond: number;
  /** Updates of this epoch skipped for non-finite gradients (their batches still count in `loss`). Set by fit; absent in records from older checkpoints. */
  skippedSteps?: number;
}

export interface History {
  epochs: EpochRecord[];
  /** True when the signal stopped this fit() call before its last epoch ended. */
  aborted: boolean;
  /** The epoch with the best monitored loss (early stopping only). */
  bestEpoch?: number;
  stoppedEarly: boolean;
}

export interface FitOptions {
  /** Total epochs (resumed training continues up to this count). Default 1. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Default 'mse'. */
  loss?: LossName | LossFunction;
  /** Default 'adam'. */
  optimizer?: OptimizerName | OptimizerOptions;
  /** Rescale gradients whose 2-norm exceeds this (PyTorch clip_grad_norm_). */
  clipGradNorm?: number;
  /**
   * A gradient with NaN/±Inf, or an element whose square overflows the dtype, never reaches the weights.
   * 'skip' (default): that update is not applied (weights and optimizer state stay bit for bit), counted in
   * `BatchInfo.skippedSteps` / `EpochRecord.skippedSteps` and reported on the progress output; `maxConsecutiveSkips`
   * skips in a row stop the run. 'throw': the first one stops it. Either stop is a NonFiniteGradientError.
   */
  nonFiniteGradient?: 'skip' | 'throw';
  /** With 'skip': this many skipped updates in a row throw NonFiniteGradientError (default 10). */
  maxConsecutiveSkips?: number;
  schedule?: ScheduleOptions;
  validationData?: TrainData;
  /** Fraction in (0, 1) of the samples, taken from the end before any shuffling, to validate on. */
  validationSplit?: number;
  earlyStopping?: EarlyStoppingOptions;
  /** Seeds shuffling and dropout masks (default 1): same seed and thread count ⇒ identical weights. */
  seed?: number;
  /**
   * Trains on this backend ('auto' | 'cpu' | 'mlx' | 'reference'): the model is moved to it first
   * (model.useBackend). Default: the model's own. Not stored in checkpoints: a run resumes on any backend.
   */
  backend?: Backend;
  /** Reshuffle the samples every epoch (default true). */
  shuffle?: boolean;
  /** 0 silent; 1 progress bar on a TTY, else a line every few seconds, plus a line per epoch (default); 2 a line per epoch. */
  verbose?: 0 | 1 | 2;
  onEpochEnd?: (info: EpochInfo) => void | Promise<void>;
  onBatchEnd?: (info: BatchInfo) => void | Promise<void>;
  /** Stops at the next batch boundary; fit then resolves with `aborted: true` (it does not reject). */
  signal?: AbortSignalLike;
}

export interface EvaluateOptions {
  batchSize?: number;
  loss?: LossName | LossFunction;
  /** Rejects with `signal.reason` (a partial loss would be misleading). */
  signal?: AbortSignalLike;
}

export interface PredictOptions {
  batchSize?: number;
  /** (N×L) in the model's layout. */
  timespans?: Tensor;
  /** Rejects with `signal.reason`. */
  signal?: AbortSignalLike;
}
