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
  /** Threads one call is split over (the call-size estimate of models/call-limits.ts). */
  threads(): number;
  memory(): BackendMemory;
  /** Drops what this backend holds for its model; a call after dispose() builds it again. */
  dispose(): void;
}
