/**
 * The optimizer equations of native/core/optim.h in TypeScript: the reference backend's optimizer step, and the
 * readable statement of what every backend's step computes (Adam, AdamW, SGD with momentum and Nesterov).
 */
import { argumentError } from '../../errors.js';
import type { FloatArray } from '../float-array.js';
import type { NativeOptimizerStepArgs } from '../native-types.js';

/** The code of the error every optimizer step throws for a NaN/Inf or overflowing gradient. */
export const NON_FINITE_GRADIENT = 'NCP_NON_FINITE_GRADIENT';

/**
 * PyTorch's clip_grad_norm_ factor: max/(norm + 1e-6) when the norm exceeds max, else 1. Only a finite norm
 * has one: NaN would compare false (scale 1, the NaN gradient applied) and Infinity give 0 (0 · Inf = NaN).
 */
export function clipScale(norm: number, maxNorm: number): number {
  if (!(norm >= 0) || !Number.isFinite(norm)) throw argumentError(RangeError, 'clipScale', 'norm', 'a finite gradient norm ≥ 0', norm);
  return norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}

/**
 * The equations of native/core/optim.h, element by element in double, with the same guard: throws (code
 * NCP_NON_FINITE_GRADIENT) before writing anything unless every element of the gradient as applied is finite
 * with a square the dtype can hold.
 */
export function referenceOptimizerStep(a: NativeOptimizerStepArgs): void {
  const { params: p, grads: g, length: n } = a;
  const m = a.m!;
  const v = a.v!;
  const maxNorm = a.maxGradNorm ?? 0;
  const norm = maxNorm > 0 ? referenceGradNorm(g.subarray(0, n)) : NaN;
  const scale = (a.gradScale ?? 1) * (maxNorm > 0 && Number.isFinite(norm) ? clipScale(norm, maxNorm) : 1);
  const limit = Math.sqrt(p instanceof Float32Array ? F32_MAX : Number.MAX_VALUE);
  const bad = maxNorm > 0 && !Number.isFinite(norm) ? 0 : firstBeyond(g, n, scale, limit);
  if (bad < n) throw nonFiniteGradientError(g, n, bad, limit, p instanceof Float32Array);
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

const F32_MAX = 3.4028234663852886e38;

/** The first i < n with |scale·g[i]| not ≤ limit (NaN included), or n. */
function firstBeyond(g: FloatArray, n: number, scale: number, limit: number): number {
  let i = 0;
  while (i < n && Math.abs(scale * g[i]) <= limit) i++;
  return i;
}

/** The native step's refusal (core/optim.cpp, addon/optim_binding.cpp), word for word: message, code, gradNorm, index. */
function nonFiniteGradientError(g: FloatArray, n: number, scaleOrFirst: number, limit: number, isF32: boolean): RangeError {
  const norm = referenceGradNorm(g.subarray(0, n));
  // A NaN/Inf norm under clipping has no scale: look for the first non-finite element.
  const index = Number.isFinite(norm) ? scaleOrFirst : firstBeyond(g, n, 1, limit);
  const received = index < n ? `${g[index]} at element ${index}` : `a gradient of 2-norm ${norm}`;
  const error = new RangeError(
    `optimizerStep: expected finite gradients, each at most ${limit.toPrecision(9)} (${isF32 ? 'float32' : 'float64'}: its square must fit) in magnitude once scaled, for grads, received ${received}; nothing was updated.`,
  );
  return Object.assign(error, { code: NON_FINITE_GRADIENT, gradNorm: norm, index: index < n ? index : -1 });
}

export function referenceGradNorm(grads: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i] * grads[i];
  return Math.sqrt(sum);
}
