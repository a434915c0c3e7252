/**
 * 'auto' where MLX has a Metal GPU: each sequence call goes to MLX when its work (batch × steps × units) reaches
 * the crossover (select.ts), else to the CPU; single steps and the optimizer always run on the CPU, on the shared
 * host parameter buffer both backends read.
 */
import type { ModelSpec } from './cell-spec.js';
import type { CpuBackend } from './cpu.js';
import type { FloatArray } from './float-array.js';
import type { MlxBackend } from './mlx.js';
import type { NativeOptimizerStepArgs, NativeStep } from './native-types.js';
import type { LossArgs, LossValue, SequenceArgs } from './sequence-args.js';
import type { BackendMemory, DeviceCallMemory, DeviceCallShape, SequenceBackend } from './sequence-backend.js';

export class AutoBackend implements SequenceBackend {
  readonly name = 'auto' as const;
  readonly device: string;
  private mlx: MlxBackend | undefined;
  private readonly units: number;

  constructor(
    private readonly cpu: CpuBackend,
    private readonly makeMlx: () => MlxBackend,
    spec: ModelSpec,
    private readonly minWork: number,
  ) {
    this.units = spec.cell.kind === 'wired_cfc' ? spec.cell.layerSizes.reduce((a, b) => a + b, 0) : spec.cell.units;
    this.device = 'cpu, or mlx for large calls';
  }

  /** The backend that runs this call. */
  pick(args: Pick<SequenceArgs, 'batch' | 'steps'>): SequenceBackend {
    if (args.batch * args.steps * this.units < this.minWork) return this.cpu;
    return (this.mlx ??= this.makeMlx());
  }

  forward(args: SequenceArgs): void {
    this.pick(args).forward(args);
  }

  forwardBackward(args: SequenceArgs): void {
    this.pick(args).forwardBackward(args);
  }

  forwardAsync(args: SequenceArgs): Promise<void> {
    return this.pick(args).forwardAsync(args);
  }

  forwardBackwardAsync(args: SequenceArgs): Promise<void> {
    return this.pick(args).forwardBackwardAsync(args);
  }

  forwardBackwardLoss(args: SequenceArgs & LossArgs): LossValue {
    return this.pick(args).forwardBackwardLoss(args);
  }

  forwardBackwardLossAsync(args: SequenceArgs & LossArgs): Promise<LossValue> {
    return this.pick(args).forwardBackwardLossAsync(args);
  }

  /** The device memory of the backend that will run this call (MLX's; none on the CPU). */
  deviceMemory(call: DeviceCallShape): DeviceCallMemory | undefined {
    return this.pick(call).deviceMemory?.(call);
  }

  readonly bindStep = (batch: number, block: FloatArray): NativeStep => this.cpu.bindStep(batch, block);

  optimizerStep(args: NativeOptimizerStepArgs): void {
    this.cpu.optimizerStep(args);
  }

  gradNorm(grads: FloatArray): number {
    return this.cpu.gradNorm(grads);
  }

  threads(): number {
    return this.cpu.threads();
  }

  memory(): BackendMemory {
    return this.cpu.memory();
  }

  dispose(): void {
    this.cpu.dispose();
    this.mlx?.dispose();
    this.mlx = undefined;
  }
}
