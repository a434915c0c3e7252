/**
 * What the trainer does when the optimizer refuses a gradient (NaN/±Inf, or a squared norm that overflows the
 * dtype; see Optimizer#apply): say where it is, then skip the update and count it, or stop
 * (options.nonFiniteGradient, maxConsecutiveSkips). The weights and optimizer state are untouched either way.
 */
import { describeNonFinite, firstNonFinite } from '../io/finite.js';
import type { ParamEntry } from '../models/param-layout.js';
import type { FloatArray } from '../models/tensor.js';
import { NonFiniteGradientError } from './errors.js';

export interface GradientProblem {
  /** The tensor (ncps name) with the first non-finite element, or with the largest norm when it overflowed. */
  tensor: string;
  /** "NaN in "rnn_cell.w" (element 3 of 48)" or "a 2-norm of 3e+25, beyond float32 (largest in "fc.weight")". */
  text: string;
}

/** Locates a refused gradient (the trainable prefix `grads`, laid out by `entries`). Slow path only. */
export function gradientProblem(grads: FloatArray, entries: readonly ParamEntry[], gradNorm: number): GradientProblem {
  const trainable = entries.filter((e) => e.offset + e.size <= grads.length);
  const bad = firstNonFinite(grads, trainable, 'gradient');
  if (bad) return { tensor: bad.tensor, text: describeNonFinite(bad) };
  let largest = { name: trainable[0]?.name ?? 'gradient', sumSq: -1 };
  for (const e of trainable) {
    let sumSq = 0;
    for (let i = e.offset; i < e.offset + e.size; i++) sumSq += grads[i] * grads[i];
    if (sumSq > largest.sumSq) largest = { name: e.name, sumSq };
  }
  const dtype = grads instanceof Float32Array ? 'float32' : 'float64';
  return { tensor: largest.name, text: `a 2-norm of ${gradNorm}, whose square overflows ${dtype} (largest in "${largest.name}")` };
}

export interface SkipPolicy {
  nonFiniteGradient: 'skip' | 'throw';
  maxConsecutiveSkips: number;
}

/**
 * Throws NonFiniteGradientError under 'throw', or when this skip makes `maxConsecutiveSkips` in a row;
 * otherwise returns the warning to report. `consecutive` counts this skip.
 */
export function decideSkip(api: string, policy: SkipPolicy, problem: GradientProblem, epoch: number, batch: number, consecutive: number): string {
  const where = `epoch ${epoch}, batch ${batch}`;
  const advice = 'Lower the learning rate, set clipGradNorm, check the data and the loss, then resume from a checkpoint.';
  if (policy.nonFiniteGradient === 'throw') {
    throw new NonFiniteGradientError(
      `${api}: the gradient of ${where} is not finite: ${problem.text}; that update was not applied (options.nonFiniteGradient 'throw'). ${advice}`,
      epoch, batch, problem.tensor, consecutive,
    );
  }
  if (consecutive >= policy.maxConsecutiveSkips) {
    throw new NonFiniteGradientError(
      `${api}: ${consecutive} updates in a row were skipped for non-finite gradients (options.maxConsecutiveSkips ${policy.maxConsecutiveSkips}); the last, ${where}: ${problem.text}. Training is not progressing. ${advice}`,
      epoch, batch, problem.tensor, consecutive,
    );
  }
  return `${api}: skipped the update of ${where}: its gradient is not finite (${problem.text}); ${consecutive} in a row.`;
}
