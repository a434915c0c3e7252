import type { DeviceStepResult, DeviceUpdate } from './device-training.js';
import type { NativeModelConfig, NativeSequenceModel } from './native-types.js';
import type { LossArgs, SequenceArgs } from './sequence-args.js';

/**
 * The typed description of the optional MLX addon (native/mlx/*.cpp, built by `npm run build:mlx`).
 * Its model takes the CPU addon's constructor config and sequence arguments (float32 only) and has no bound step:
 * single steps stay on the CPU backend, where a step costs microseconds and one MLX evaluation ~15 µs of dispatch.
 */
export interface MlxAddon {
  buildInfo(): MlxBuildInfo;
  MlxModel: new (config: NativeModelConfig) => MlxSequenceModel;
  /** MLX's allocator: bytes in live arrays, the peak since the last reset, and freed buffers kept for reuse. */
  memory(): { activeBytes: number; peakBytes: number; cacheBytes: number };
  resetPeakMemory(): void;
  /**
   * Test-only, present when NCP_SILICON_TEST_HOOKS=1 was set when the addon loaded: throws `message` as MLX
   * would (a std::runtime_error inside an evaluation), through the evaluations' error classification
   * (native/mlx/mlx_errors.h); the async one does it on a worker thread.
   */
  _throwMlxError?(message: string): void;
  _throwMlxErrorAsync?(message: string): Promise<void>;
}

export interface MlxSequenceModel extends Omit<NativeSequenceModel, 'bindStep'> {
  /** native/mlx/mlx_model_train.cpp: a training step on the device, staged until committed or discarded. */
  trainStepAsync(args: SequenceArgs & LossArgs & { update: DeviceUpdate }): Promise<DeviceStepResult>;
  commitTrainStep(version: number): void;
  discardTrainStep(): void;
  readParameters(into: Float32Array): void;
  readMoments(m: Float32Array, v: Float32Array): void;
}

export interface MlxBuildInfo {
  mlxVersion: string;
  /** The device MLX evaluates on: 'gpu' (Metal) where one exists, else 'cpu'. */
  device: 'gpu' | 'cpu';
  metalAvailable: boolean;
  deviceName?: string;
  architecture?: string;
  memoryBytes?: number;
  /** What one call may hold on the device: Metal's recommended working set, else MLX's memory limit. */
  deviceBudgetBytes?: number;
}
