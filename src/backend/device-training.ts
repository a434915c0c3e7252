/**
 * Training where the parameters stay on the device (the MLX backend): one call runs forward, a built-in loss,
 * backward and the optimizer update (PyTorch's Adam, AdamW and SGD, with native/core/optim.h's clipping and
 * refusals), stages the result, and the caller commits it under a new parameter version. The host's copies (a
 * model's `parameters`, an optimizer's moments) are read back only when JavaScript asks for them.
 */
import type { FloatArray } from './float-array.js';
import type { OptimizerSettings } from './native-types.js';
import type { LossArgs, LossValue, SequenceArgs } from './sequence-args.js';

/** One update's settings and the constraints it keeps. */
export interface DeviceUpdate extends OptimizerSettings {
  /** Whole trainable tensors clamped at 0 after the update (a cell's parameterConstraints()). */
  nonNegative: readonly { offset: number; size: number }[];
  /** The host's moments (the trainable prefix), sent when the device does not hold the newest ones. */
  m?: FloatArray;
  v?: FloatArray;
}

export interface DeviceStepResult extends LossValue {
  /** false: the loss or the gradient was not finite (or too large once scaled), and nothing moved. */
  applied: boolean;
  /** The gradient's 2-norm before any scaling (NaN where an element is not finite). */
  gradNorm: number;
  /** Only when refused: the gradient's trainable prefix, to name what went wrong. */
  grads?: FloatArray;
}

export interface DeviceTraining {
  /** Computes and stages one training step; commit or discard it once it settles (also when it rejects). */
  trainStepAsync(args: SequenceArgs & LossArgs & { update: DeviceUpdate }): Promise<DeviceStepResult>;
  /** The staged parameters and moments become the model's, under `version` (newer than any before). */
  commit(version: number): void;
  discard(): void;
  /** Copies the trainable parameters the device holds into `into` (the model's whole flat buffer). */
  readParameters(into: FloatArray): void;
  /** Copies the optimizer moments the device holds into m and v (the trainable prefix). */
  readMoments(m: FloatArray, v: FloatArray): void;
}
