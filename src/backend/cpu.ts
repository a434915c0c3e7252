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
    try {
      this.native().forward(args);
    } catch (error) {
      throw asNativeError(error);
    }
  }

  forwardBackward(args: SequenceArgs): void {
    try {
      this.native().forwardBackward(args);
    } catch (error) {
      throw asNativeError(error);
    }
  }

  async forwardAsync(args: SequenceArgs): Promise<void> {
    const stack = new Error();
    try {
      await this.native().forwardAsync(args);
    } catch (error) {
      throw withCallerStack(asNativeError(error), stack);
    }
  }

  async forwardBackwardAsync(args: SequenceArgs): Promise<void> {
    const stack = new Error();
    try {
      await this.native().forwardBackwardAsync(args);
    } catch (error) {
      throw withCallerStack(asNativeError(error), stack);
    }
  }

  forwardBackwardLoss(args: SequenceArgs & LossArgs): LossValue {
    try {
      return this.native().forwardBackwardLoss(args);
    } catch (error) {
      throw asNativeError(error);
    }
  }

  async forwardBackwardLossAsync(args: SequenceArgs & LossArgs): Promise<LossValue> {
    const stack = new Error();
    try {
      return await this.native().forwardBackwardLossAsync(args);
    } catch (error) {
      throw withCallerStack(asNativeError(error), stack);
    }
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
