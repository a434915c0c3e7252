/** The CPU backend: the native addon's kernels (native/core, native/addon), float32 and float64. */
import type { ModelSpec } from './cell-spec.js';
import type { FloatArray } from './float-array.js';
import { loadNative } from './load.js';
import { nativeModelConfig, withCallerStack } from './native-config.js';
import { asNativeError } from './native-errors.js';
import type { NativeOptimizerStepArgs, NativeSequenceModel, NativeStep } from './native-types.js';
import type { LossArgs, LossValue, SequenceArgs } from './sequence-args.js';
import type { BackendMemory, SequenceBackend } from './sequence-backend.js';

/** The CPU addon's optimizer step, which reads no model (Optimizer uses it alone for host parameters). */
export const CPU_OPTIMIZER: Pick<SequenceBackend, 'optimizerStep' | 'gradNorm'> = {
  optimizerStep: (args) => loadNative().optimizerStep(args),
  gradNorm: (grads) => loadNative().gradNorm({ grads, length: grads.length }),
};

export class CpuBackend implements SequenceBackend {
  readonly name = 'cpu' as const;
  readonly device = 'cpu';
  private model: NativeSequenceModel | undefined;

  /** Builds the native model now, so configuration errors surface at construction. */
  constructor(private readonly spec: ModelSpec) {
    this.native();
  }

  forward(args: SequenceArgs): void {
    this.call((m) => m.forward(args));
  }

  forwardBackward(args: SequenceArgs): void {
    this.call((m) => m.forwardBackward(args));
  }

  forwardAsync(args: SequenceArgs): Promise<void> {
    return this.callAsync((m) => m.forwardAsync(args));
  }

  forwardBackwardAsync(args: SequenceArgs): Promise<void> {
    return this.callAsync((m) => m.forwardBackwardAsync(args));
  }

  forwardBackwardLoss(args: SequenceArgs & LossArgs): LossValue {
    return this.call((m) => m.forwardBackwardLoss(args));
  }

  forwardBackwardLossAsync(args: SequenceArgs & LossArgs): Promise<LossValue> {
    return this.callAsync((m) => m.forwardBackwardLossAsync(args));
  }

  readonly bindStep = (batch: number, block: FloatArray): NativeStep => {
    const step = this.native().bindStep(batch, block);
    // The bound step itself, not a wrapper: the fast path pays no extra call (errors are converted by the caller).
    return step;
  };

  optimizerStep(args: NativeOptimizerStepArgs): void {
    CPU_OPTIMIZER.optimizerStep(args);
  }

  gradNorm(grads: FloatArray): number {
    return CPU_OPTIMIZER.gradNorm(grads);
  }

  threads(): number {
    return loadNative().getNumThreads();
  }

  memory(): BackendMemory {
    const { liveBytes, peakBytes } = loadNative().nativeMemory();
    return { liveBytes, peakBytes };
  }

  dispose(): void {
    this.model = undefined;
  }

  /** One native call with its errors typed (asNativeError). */
  private call<T>(run: (model: NativeSequenceModel) => T): T {
    try {
      return run(this.native());
    } catch (error) {
      throw asNativeError(error);
    }
  }

  /** The async twin, rethrowing with the caller's stack (a native rejection carries only the worker's). */
  private async callAsync<T>(run: (model: NativeSequenceModel) => Promise<T>): Promise<T> {
    const stack = new Error();
    try {
      return await run(this.native());
    } catch (error) {
      throw withCallerStack(asNativeError(error), stack);
    }
  }

  private native(): NativeSequenceModel {
    if (!this.model) {
      const { NativeModel } = loadNative();
      try {
        this.model = new NativeModel(nativeModelConfig(this.spec));
      } catch (error) {
        throw asNativeError(error);
      }
    }
    return this.model;
  }
}
