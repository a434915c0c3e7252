/**
 * Optimizer state (first and second moments, step counter) over a model's trainable prefix, and the update,
 * which runs on the model's backend (SequenceBackend.optimizerStep): the native kernel of native/core/optim.cpp on
 * 'cpu', its TypeScript twin (backend/reference/optimizer.ts) on 'reference'. On a backend with deviceTraining (MLX)
 * the trainer runs the update on the device instead, where the moments then stay: `m` and `v` read them back.
 */
import type { NativeOptimizerStepArgs, OptimizerSettings } from '../backend/native-types.js';
import type { DeviceTraining, DeviceUpdate } from '../backend/device-training.js';
import type { SequenceBackend } from '../backend/sequence-backend.js';
import { REFERENCE_OPTIMIZER } from '../backend/reference.js';
import { CPU_OPTIMIZER } from '../backend/cpu.js';
import { arrayTypeOf, type Dtype, type FloatArray } from '../models/tensor.js';
import { NON_FINITE_GRADIENT } from '../backend/reference/optimizer.js';
import type { ResolvedOptimizer } from './options.js';

/** What one Optimizer#apply did: `applied` false means a non-finite gradient was refused, nothing written. */
export interface StepResult {
  applied: boolean;
  /** When refused: the gradient's 2-norm before scaling (NaN or Infinity when an element is). */
  gradNorm?: number;
}

export { NON_FINITE_GRADIENT, clipScale, referenceGradNorm, referenceOptimizerStep } from '../backend/reference/optimizer.js';

export class Optimizer {
  readonly config: ResolvedOptimizer;
  /** Updates applied so far. */
  step = 0;
  private backend: OptimizerBackend;
  private readonly hostM: FloatArray;
  private readonly hostV: FloatArray;
  /** Set while a device holds moments newer than hostM/hostV. */
  private momentsOn: DeviceTraining | undefined;

  /** `backend`: where the update runs (a model's `sequenceBackend`); true/false: the CPU addon / the reference. */
  constructor(config: ResolvedOptimizer, dtype: Dtype, length: number, backend: OptimizerBackend | boolean) {
    this.config = config;
    const ArrayType = arrayTypeOf(dtype);
    this.hostM = new ArrayType(length);
    this.hostV = new ArrayType(length);
    this.backend = typeof backend === 'boolean' ? (backend ? CPU_OPTIMIZER : REFERENCE_OPTIMIZER) : backend;
  }

  /** First moment (adam, adamw) or momentum buffer (sgd); zeros until used. Read back from the device if there. */
  get m(): FloatArray {
    this.syncMoments();
    return this.hostM;
  }

  /** Second moment (adam, adamw). */
  get v(): FloatArray {
    this.syncMoments();
    return this.hostV;
  }

  /** @internal Copies moments a device holds newer than the host's back into m and v. */
  syncMoments(): void {
    const device = this.momentsOn;
    if (!device) return;
    device.readMoments(this.hostM, this.hostV);
    this.momentsOn = undefined;
  }

  /**
   * @internal The next update's settings for `device` (Model#trainStepOnDevice), with the host's moments when
   * the device does not hold the newest ones.
   */
  deviceUpdate(device: DeviceTraining, lr: number, maxGradNorm: number | undefined, nonNegative: DeviceUpdate['nonNegative']): DeviceUpdate {
    const update: DeviceUpdate = { ...this.settings(lr, maxGradNorm), nonNegative };
    if (this.momentsOn !== device) Object.assign(update, { m: this.hostM, v: this.hostV });
    return update;
  }

  /** @internal A device step settled: the device now holds the newest moments; an applied update counts. */
  settledOnDevice(device: DeviceTraining, applied: boolean): void {
    this.momentsOn = device;
    if (applied) this.step++;
  }

  /** Moves the update to another backend (a model switched backends); the moments stay. */
  useBackend(backend: OptimizerBackend): void {
    this.backend = backend;
  }

  /**
   * One update of `params` (the trainable prefix, same length as m) with `grads` × gradScale at rate lr,
   * clipped to `maxGradNorm` when given. A gradient with a NaN/Inf, or an element whose square (once scaled)
   * overflows the dtype, is refused before anything is written: the result says so, and `step` does not advance.
   */
  apply(params: FloatArray, grads: FloatArray, lr: number, gradScale = 1, maxGradNorm?: number): StepResult {
    const args: NativeOptimizerStepArgs = { ...this.settings(lr, maxGradNorm), params, grads, m: this.m, v: this.v, gradScale, length: this.m.length };
    try {
      this.backend.optimizerStep(args);
    } catch (error) {
      if ((error as { code?: unknown })?.code === NON_FINITE_GRADIENT) return { applied: false, gradNorm: (error as { gradNorm: number }).gradNorm };
      throw error;
    }
    this.step++;
    return { applied: true };
  }

  gradNorm(grads: FloatArray): number {
    return this.backend.gradNorm(grads);
  }

  /** The next update's hyper-parameters, wherever it runs. */
  private settings(lr: number, maxGradNorm: number | undefined): OptimizerSettings {
    const c = this.config;
    return {
      kind: c.type, lr, beta1: c.betas[0], beta2: c.betas[1], eps: c.eps, weightDecay: c.weightDecay,
      momentum: c.momentum, nesterov: c.nesterov, step: this.step + 1, maxGradNorm: maxGradNorm ?? 0,
    };
  }
}

/** What an Optimizer needs of a backend. */
export type OptimizerBackend = Pick<SequenceBackend, 'optimizerStep' | 'gradNorm'>;

