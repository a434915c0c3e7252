/**
 * The MLX backend: the MLX addon (native/mlx/, `npm run build:mlx`), float32, on MLX's default device (the Metal
 * GPU on a Mac, MLX's CPU device elsewhere). Sequences run as one MLX graph per call; the parameters are uploaded
 * to the device once per parameter version and stay there between calls. Single steps (the bound step) run on the
 * CPU addon over the same parameter buffer: one MLX evaluation costs ~15 µs of dispatch, a CPU step a few µs.
 * Training keeps the parameters and the optimizer's moments on the device (DeviceTraining, device-training.ts).
 */
import { argumentErrorRendered } from '../errors.js';
import type { ModelSpec } from './cell-spec.js';
import { CPU_OPTIMIZER, CpuBackend } from './cpu.js';
import type { FloatArray } from './float-array.js';
import { emitBackendCall, isListening } from './call-events.js';
import type { DeviceStepResult, DeviceTraining, DeviceUpdate } from './device-training.js';
import { loadMlx } from './mlx-load.js';
import { mlxCallBytes } from './mlx-memory.js';
import type { MlxSequenceModel } from './mlx-types.js';
import { nativeModelConfig, withCallerStack } from './native-config.js';
import { asNativeError } from './native-errors.js';
import type { NativeOptimizerStepArgs, NativeStep } from './native-types.js';
import type { LossArgs, LossValue, SequenceArgs } from './sequence-args.js';
import type { BackendMemory, DeviceCallMemory, DeviceCallShape, SequenceBackend } from './sequence-backend.js';

export class MlxBackend implements SequenceBackend, DeviceTraining {
  readonly name = 'mlx' as const;
  readonly device: string;
  private model: MlxSequenceModel | undefined;
  private stepper: CpuBackend | undefined;
  private readonly budget: { bytes: number; what: string };

  /** Throws BackendUnavailableError where the MLX addon is not built, RangeError for float64. */
  constructor(private readonly spec: ModelSpec) {
    const mlx = loadMlx();
    if (spec.dtype !== 'float32') {
      throw argumentErrorRendered(
        RangeError,
        spec.api,
        'options.dtype',
        "'float32' with backend 'mlx' (Metal GPUs have no float64, and MLX's CPU device evaluates exp and sigmoid in float32 even for float64, so it would not be double-exact; use backend 'cpu' for float64)",
        `'${spec.dtype}'`,
      );
    }
    const info = mlx.buildInfo();
    this.device = info.device === 'gpu' ? `mlx gpu${info.deviceName ? ` (${info.deviceName})` : ''}` : 'mlx cpu';
    this.budget = {
      bytes: info.deviceBudgetBytes ?? Infinity,
      what: info.device === 'gpu' ? "the Metal GPU's recommended working set" : "MLX's memory limit on its CPU device (0.8 × the machine's memory)",
    };
    this.mlx();
  }

  /** The call's graph on the device (mlx-memory.ts) against the device's budget; models/call-limits.ts checks. */
  deviceMemory(call: DeviceCallShape): DeviceCallMemory {
    const model = this.mlx();
    const sizes = { cell: this.spec.cell, mixedMemory: this.spec.mixedMemory, inputs: model.inputSize, state: model.stateSize, outputs: model.outputSize, params: this.spec.params.length };
    return { bytes: mlxCallBytes(sizes, call), budgetBytes: this.budget.bytes, budget: this.budget.what, device: this.device };
  }

  forward(args: SequenceArgs): void {
    this.run(args, false, (m) => m.forward(args));
  }

  forwardBackward(args: SequenceArgs): void {
    this.run(args, true, (m) => m.forwardBackward(args));
  }

  forwardAsync(args: SequenceArgs): Promise<void> {
    return this.runAsync(args, false, (m) => m.forwardAsync(args));
  }

  forwardBackwardAsync(args: SequenceArgs): Promise<void> {
    return this.runAsync(args, true, (m) => m.forwardBackwardAsync(args));
  }

  forwardBackwardLoss(args: SequenceArgs & LossArgs): LossValue {
    return this.run(args, true, (m) => m.forwardBackwardLoss(args));
  }

  forwardBackwardLossAsync(args: SequenceArgs & LossArgs): Promise<LossValue> {
    return this.runAsync(args, true, (m) => m.forwardBackwardLossAsync(args));
  }

  /** Single steps run on the CPU addon (see the file's comment), built on first use. */
  readonly bindStep = (batch: number, block: FloatArray): NativeStep => {
    this.stepper ??= new CpuBackend(this.spec);
    return this.stepper.bindStep(batch, block);
  };

  /** Training batches with built-in losses run on the device (the methods below). */
  readonly deviceTraining: DeviceTraining = this;

  trainStepAsync(args: SequenceArgs & LossArgs & { update: DeviceUpdate }): Promise<DeviceStepResult> {
    return this.runAsync(args, true, (m) => m.trainStepAsync(args));
  }

  commit(version: number): void {
    this.run(undefined, false, (m) => m.commitTrainStep(version));
  }

  discard(): void {
    this.model?.discardTrainStep();
  }

  readParameters(into: FloatArray): void {
    this.run(undefined, false, (m) => m.readParameters(into as Float32Array));
  }

  readMoments(m: FloatArray, v: FloatArray): void {
    this.run(undefined, false, (model) => model.readMoments(m as Float32Array, v as Float32Array));
  }

  optimizerStep(args: NativeOptimizerStepArgs): void {
    // An update with host parameters (a custom loss, the agents' learner) runs where they are: the CPU addon's
    // step, the same equations and refusals as on the CPU backend and as the device's update.
    CPU_OPTIMIZER.optimizerStep(args);
  }

  gradNorm(grads: FloatArray): number {
    return CPU_OPTIMIZER.gradNorm(grads);
  }

  threads(): number {
    return 1;
  }

  memory(): BackendMemory {
    const { activeBytes, peakBytes, cacheBytes } = loadMlx().memory();
    return { liveBytes: activeBytes, peakBytes, cacheBytes };
  }

  dispose(): void {
    this.model = undefined;
    this.stepper?.dispose();
    this.stepper = undefined;
  }

  /** One MLX call, its errors typed, announced to a running profile (sequence calls: `args` given). */
  private run<T>(args: SequenceArgs | undefined, backward: boolean, call: (model: MlxSequenceModel) => T): T {
    const startMs = isListening() ? performance.now() : -1;
    let value: T;
    try {
      value = call(this.mlx());
    } catch (error) {
      throw asNativeError(error);
    }
    if (startMs >= 0 && args) this.announce(args, backward, startMs);
    return value;
  }

  private async runAsync<T>(args: SequenceArgs, backward: boolean, call: (model: MlxSequenceModel) => Promise<T>): Promise<T> {
    const stack = new Error();
    const startMs = isListening() ? performance.now() : -1;
    let value: T;
    try {
      value = await call(this.mlx());
    } catch (error) {
      throw withCallerStack(asNativeError(error), stack);
    }
    if (startMs >= 0) this.announce(args, backward, startMs);
    return value;
  }

  /** Tells a running profile about this call (the CPU addon's profiler records only its own calls). */
  private announce(args: SequenceArgs, backward: boolean, startMs: number): void {
    const kernel = `${this.spec.cell.kind}.${backward ? 'forwardBackward' : 'forward'}`;
    emitBackendCall({
      kernel,
      backend: this.name,
      device: this.device,
      startMs,
      durationMs: performance.now() - startMs,
      batch: args.batch,
      steps: args.steps,
      spec: this.spec,
      backward,
      returnSequences: args.returnSequences,
      timespans: args.timespans !== undefined,
      h0: args.h0 !== undefined,
      dropout: backward && (args.dropoutSeed ?? 0) !== 0,
    });
  }

  private mlx(): MlxSequenceModel {
    if (!this.model) {
      const { MlxModel } = loadMlx();
      try {
        this.model = new MlxModel(nativeModelConfig(this.spec));
      } catch (error) {
        throw asNativeError(error);
      }
    }
    return this.model;
  }
}
