/**
 * Optimizer state (first and second moments, step counter) over a model's trainable prefix, and the update.
 * Models on the 'cpu' backend update through the native kernel (native/core/optim.cpp); models on the
 * 'reference' backend use the TypeScript twin below, which is also the readable statement of the equations.
 */
import { loadNative } from '../backend/load.js';
import type { NativeOptimizerStepArgs } from '../backend/native-types.js';
import { arrayTypeOf, type Dtype, type FloatArray } from '../models/tensor.js';
import type { ResolvedOptimizer } from './options.js';

export class Optimizer {
  readonly config: ResolvedOptimizer;
  /** Updates applied so far. */
  step = 0;
  /** First moment (adam, adamw) or momentum buffer (sgd); zeros until used. */
  readonly m: FloatArray;
  /** Second moment (adam, adamw). */
  readonly v: FloatArray;
  private readonly isNative: boolean;

  constructor(config: ResolvedOptimizer, dtype: Dtype, length: number, isNative: boolean) {
    this.config = config;
    const ArrayType = arrayTypeOf(dtype);
    this.m = new ArrayType(length);
    this.v = new ArrayType(length);
    this.isNative = isNative;
  }

  /** One update of `params` (the trainable prefix, same length as m) with `grads` × gradScale at rate lr. */
  apply(params: FloatArray, grads: FloatArray, lr: number, gradScale = 1): void {
    const c = this.config;
    const args: NativeOptimizerStepArgs = {
      kind: c.type,
      params,
      grads,
      m: this.m,
      v: this.v,
      lr,
      beta1: c.betas[0],
      beta2: c.betas[1],
      eps: c.eps,
      weightDecay: c.weightDecay,
      momentum: c.momentum,
      nesterov: c.nesterov,
      step: this.step + 1,
      gradScale,
      length: this.m.length,
    };
    if (this.isNative) loadNative().optimizerStep(args);
    else referenceOptimizerStep(args);
    this.step++;
  }

  gradNorm(grads: FloatArray): number {
    return this.isNative ? loadNative().gradNorm({ grads, length: grads.length }) : referenceGradNorm(grads);
  }
}

/** PyTorch's clip_grad_norm_ factor: max/(norm + 1e-6) when the norm exceeds max, else 1. */
export function clipScale(norm: number, maxNorm: number): number {
  return norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}

/** The equations of native/core/optim.h, element by element in double. */
export function referenceOptimizerStep(a: NativeOptimizerStepArgs): void {
  const { params: p, grads: g, length: n } = a;
  const m = a.m!;
  const v = a.v!;
  const scale = a.gradScale ?? 1;
  const wd = a.weightDecay ?? 0;
  if (a.kind === 'sgd') {
    const mu = a.momentum ?? 0;
    for (let i = 0; i < n; i++) {
      const gi = scale * g[i] + wd * p[i];
      if (mu === 0) {
        p[i] -= a.lr * gi;
        continue;
      }
      const bi = a.step === 1 ? gi : mu * m[i] + gi;
      m[i] = bi;
      p[i] -= a.lr * (a.nesterov ? gi + mu * bi : bi);
    }
    return;
  }
  const b1 = a.beta1 ?? 0.9;
  const b2 = a.beta2 ?? 0.999;
  const eps = a.eps ?? 1e-8;
  const stepSize = a.lr / (1 - Math.pow(b1, a.step));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, a.step));
  const decoupled = a.kind === 'adamw';
  for (let i = 0; i < n; i++) {
    let pi = p[i];
    const gi = scale * g[i] + (decoupled ? 0 : wd * pi);
    if (decoupled) pi *= 1 - a.lr * wd;
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    p[i] = pi - (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2Sqrt + eps);
  }
}

export function referenceGradNorm(grads: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i] * grads[i];
  return Math.sqrt(sum);
}
