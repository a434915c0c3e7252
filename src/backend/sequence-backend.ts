/**
 * The one interface a model runs through (ARCHITECTURE.md, "The TypeScript seam"). A backend is built for one
 * model from its neutral description (cell-spec.ts) and computes on that model's flat parameter buffer; adding a
 * backend is one file here (cpu.ts, mlx.ts, reference.ts) and one folder in native/, registered in select.ts.
 */
import type { DeviceTraining } from './device-training.js';
import type { FloatArray } from './float-array.js';
import type { NativeOptimizerStepArgs, NativeStep } from './native-types.js';
import type { LossArgs, LossValue, SequenceArgs } from './sequence-args.js';

/** Where a model computes. */
export type BackendName = 'cpu' | 'mlx' | 'reference';
/** What a caller may ask for: a backend, or 'auto' (select.ts: MLX where a Metal GPU makes large calls win). */
export type BackendChoice = BackendName | 'auto';

export interface BackendMemory {
  /** Bytes this backend holds for all its models (the CPU addon's counting allocator, MLX's active bytes). */
  liveBytes?: number;
  peakBytes?: number;
  /** MLX only: freed device buffers kept for reuse. */
  cacheBytes?: number;
}

/** A sequence call's shape, as a device's memory estimate reads it (models/call-limits.ts's CallShape fits). */
export interface DeviceCallShape {
  batch: number;
  steps: number;
  backward: boolean;
  returnSequences: boolean;
  hasTimespans: boolean;
}

/** What a call would hold on a device with memory of its own, and what that device can give (MLX). */
export interface DeviceCallMemory {
  /** The estimate, from the shapes (mlx-memory.ts). */
  bytes: number;
  /** What the device can give one call: Metal's recommended working set, MLX's memory limit on its CPU device. */
  budgetBytes: number;
  /** Where the budget comes from, for messages: "the Metal GPU's recommended working set". */
  budget: string;
  /** The device, for messages: 'mlx cpu'. */
  device: string;
}

export interface SequenceBackend {
  /** 'auto' only for the per-call chooser of auto.ts (where MLX has a Metal GPU). */
  readonly name: BackendChoice;
  /** The device the calls run on: 'cpu', 'mlx cpu', 'mlx gpu (Apple M3 Max)', 'typescript'. */
  readonly device: string;
  /**
   * Each call reads `args.version`: the parameter buffer's version. A backend that keeps its own copy of the
   * parameters (native packing, device arrays) refreshes it when the version differs from the one it holds.
   */
  forward(args: SequenceArgs): void;
  forwardBackward(args: SequenceArgs): void;
  forwardAsync(args: SequenceArgs): Promise<void>;
  forwardBackwardAsync(args: SequenceArgs): Promise<void>;
  /**
   * Forward, a built-in loss of the output (train/losses.ts's semantics) and its gradient, and backward, in one
   * call and one forward pass: what a training batch costs. Fills the same outputs as forwardBackward.
   */
  forwardBackwardLoss(args: SequenceArgs & LossArgs): LossValue;
  forwardBackwardLossAsync(args: SequenceArgs & LossArgs): Promise<LossValue>;
  /**
   * The single-step fast path (models/step-block.ts): binds one I/O block for a batch size. Absent where a
   * step runs as a one-step forward (the reference).
   */
  readonly bindStep?: (batch: number, block: FloatArray) => NativeStep;
  /**
   * Present where a training batch can run with its parameters and optimizer moments kept on the device
   * (forward, loss, backward and update in one call): the trainer then uses it instead of optimizerStep.
   */
  readonly deviceTraining?: DeviceTraining;
  /** One optimizer update in place; a non-finite gradient throws (code NCP_NON_FINITE_GRADIENT), nothing written. */
  optimizerStep(args: NativeOptimizerStepArgs): void;
  /** sqrt(Σ g²), accumulated in double. */
  gradNorm(grads: FloatArray): number;
  /**
   * Present where a call's memory lives on a device of its own (MLX): the call's estimate there and the device's
   * budget, checked by models/call-limits.ts before anything is allocated; undefined for a call that runs elsewhere
   * (auto's small calls).
   */
  deviceMemory?(call: DeviceCallShape): DeviceCallMemory | undefined;
  /** Threads one call is split over (the call-size estimate of models/call-limits.ts). */
  threads(): number;
  memory(): BackendMemory;
  /** Drops what this backend holds for its model; a call after dispose() builds it again. */
  dispose(): void;
}
