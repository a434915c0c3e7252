import type { LossArgs, LossValue, SequenceArgs } from './sequence-args.js';
import type { FloatArray } from './float-array.js';

/**
 * The one typed description of everything the native addon exports (native/addon/*.cpp).
 * Nothing else in TypeScript touches the untyped module.
 */
export interface NativeBuildInfo {
  backends: string[];
  simdLevel: string;
  cpuSupportsBuild: boolean;
  numThreads: number;
  defaultNumThreads: number;
  napiVersion: number;
  compiler?: string;
  apple?: {
    chip: string;
    gpuName: string;
    hasUnifiedMemory: boolean;
    recommendedWorkingSetBytes: number;
  };
}

export interface NativeAddon {
  buildInfo(): NativeBuildInfo;
  setNumThreads(numThreads: number): void;
  getNumThreads(): number;
  NativeModel: new (config: NativeModelConfig) => NativeSequenceModel;
  /** One optimizer update of params (and m, v) in place (native/addon/optim_binding.cpp). */
  /** A NaN/Inf or overflowing gradient throws (RangeError, code NCP_NON_FINITE_GRADIENT) with nothing written. */
  optimizerStep(args: NativeOptimizerStepArgs): void;
  /** sqrt(Σ g²) of one gradient buffer, accumulated in double. */
  gradNorm(args: { grads: FloatArray; length: number }): number;

  // ---- monitoring (native/addon/monitor_binding.cpp; used by src/monitor only) ----
  /** Bytes held through the addon's counting allocator (native/core/memory.h), in total and per category. */
  nativeMemory(): NativeMemoryCounters;
  /** Peaks restart from what is live now. */
  resetNativePeak(): void;
  /** While on, every model call appends one record (drained by drainProfile). */
  setProfiling(on: boolean): void;
  isProfiling(): boolean;
  drainProfile(): NativeProfileColumns;
  /** The records' clock (steady_clock) in milliseconds. */
  monotonicMs(): number;
  /** The calling thread's index as records name it. */
  threadIndex(): number;
  calibrate(options?: NativeCalibrateOptions): Promise<NativeCalibration>;
  /** macOS-only figures; elsewhere each is absent and its *Reason says why. */
  platformMemory(): NativePlatformMemory;
  /** SIMD width (bytes) the dense CfC layers pad rows and columns to. */
  readonly kernelVectorBytes: number;
}

export interface NativeByteCounter {
  liveBytes: number;
  peakBytes: number;
}

export interface NativeMemoryCounters extends NativeByteCounter {
  categories: { models: NativeByteCounter; workspace: NativeByteCounter; gradients: NativeByteCounter; calibration: NativeByteCounter };
}

/** One entry per model call, as columns (index i across every array). */
export interface NativeProfileColumns {
  count: number;
  /** Records lost because the log was full (2^21 entries). */
  dropped: number;
  /** Kernel names ('ltc.forward', 'cfc.forwardBackward (f64)', …), indexed by `kernel`. */
  kernels: string[];
  kernel: Int32Array;
  startMs: Float64Array;
  durationMs: Float64Array;
  flops: Float64Array;
  bytesRead: Float64Array;
  bytesWritten: Float64Array;
  uniqueBytes: Float64Array;
  nativeLiveBytes: Float64Array;
  batch: Int32Array;
  steps: Int32Array;
  thread: Int32Array;
}

export interface NativeCalibrateOptions {
  arrayBytes?: number;
  threads?: number;
  secondsPerFmaRun?: number;
  repeats?: number;
}

export interface NativeCalibration {
  threads: number;
  triadArrayBytes: number;
  triadBytesPerSecond: number;
  fmaFlopsPerSecond: number;
  fmaFlopsPerSecondOneThread: number;
  fmaVectorBytes: number;
  seconds: number;
}

export interface NativePlatformMemory {
  physFootprintBytes?: number;
  physFootprintReason?: string;
  metalDeviceName?: string;
  metalRecommendedWorkingSetBytes?: number;
  metalCurrentAllocatedBytes?: number;
  metalReason?: string;
}

/**
 * Arguments of `optimizerStep`. Every array has exactly `length` elements and the dtype of `params`; params,
 * m and v must not overlap each other or grads. `m` is the first moment (adam, adamw) or the momentum buffer
 * (sgd with momentum > 0); `v` the second moment (adam, adamw).
 */
/** One update's hyper-parameters, as both addons read them (native/addon/optim_binding.h read_optimizer_config). */
export interface OptimizerSettings {
  kind: 'adam' | 'adamw' | 'sgd';
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  nesterov?: boolean;
  /** 1-based count of updates including this one. */
  step: number;
  /** > 0: clip the gradient to this 2-norm (clip_grad_norm_), from the norm the step takes anyway; default 0 (off). */
  maxGradNorm?: number;
}

export interface NativeOptimizerStepArgs extends OptimizerSettings {
  params: FloatArray;
  grads: FloatArray;
  m?: FloatArray;
  v?: FloatArray;
  /** Multiplies the gradient first (clip-by-norm without rewriting grads); default 1. */
  gradScale?: number;
  length: number;
}

/** Construction of a native model (native/addon/model_wrap.h). */
export interface NativeModelConfig {
  /** Public API name used in error messages ('LTC', 'CfC'). */
  api: string;
  cell: 'ltc' | 'cfc' | 'wired_cfc';
  /** Parsed by native/addon/ltc_binding.cpp or cfc_binding.cpp. */
  cellConfig: object;
  /** The model's flat parameter buffer; kept referenced, re-read when `version` changes. */
  params: FloatArray;
  offsets: Record<string, number>;
  mixedMemory: boolean;
  projSize: number;
}

export interface NativeSequenceModel {
  readonly inputSize: number;
  readonly stateSize: number;
  readonly outputSize: number;
  forward(args: SequenceArgs): void;
  forwardBackward(args: SequenceArgs): void;
  forwardAsync(args: SequenceArgs): Promise<void>;
  forwardBackwardAsync(args: SequenceArgs): Promise<void>;
  /** Forward, the built-in loss and its gradient, backward: one crossing, one forward (core/loss.h). */
  forwardBackwardLoss(args: SequenceArgs & LossArgs): LossValue;
  forwardBackwardLossAsync(args: SequenceArgs & LossArgs): Promise<LossValue>;
  /**
   * Binds an I/O block for a batch of B: one typed array of the model's dtype laid out as
   * [x B×S | dt B | h B×H | c B×H | output B×outputs | hFinal B×H | cFinal B×H] (c and cFinal with mixed memory
   * only). Returns a function that runs one step reading x, dt, h (and c) from the block and writing output,
   * hFinal (and cFinal) into it; the function keeps the block referenced, not the model.
   */
  bindStep(batch: number, block: FloatArray): NativeStep;
}

/** One step through a block bound by `bindStep`, at the given parameter version. */
export type NativeStep = (version: number) => void;
