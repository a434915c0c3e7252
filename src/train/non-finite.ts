/**
 * What the trainer does when the optimizer refuses a gradient (NaN/±Inf, or an element whose square overflows the
 * dtype; see Optimizer#apply): say where it is, then skip the update and count it, or stop
 * (options.nonFiniteGradient, maxConsecutiveSkips). The weights and optimizer state are untouched either way.
 */
import { describeNonFinite, firstNonFinite } from '../io/finite.js';
import type { ParamEntry } from '../backend/param-layout.js';
import type { FloatArray } from '../models/tensor.js';
import { NonFiniteGradientError } from './errors.js';

export interface GradientProblem {
  /** The tensor (ncps name) with the first non-finite element, or with the largest one when none is. */
  tensor: string;
  /** 'NaN in "rnn_cell.w" (element 3 of 48)' or '3e+25 in "fc.weight" (element 0 of 8), whose square overflows float32'. */
  text: string;
}

/** Locates a refused gradient (the trainable prefix `grads`, laid out by `entries`). Slow path only. */
export function gradientProblem(grads: FloatArray, entries: readonly ParamEntry[]): GradientProblem {
  const trainable = entries.filter((e) => e.offset + e.size <= grads.length);
  const bad = firstNonFinite(grads, trainable, 'gradient');
  if (bad) return { tensor: bad.tensor, text: describeNonFinite(bad) };
  // Every element finite: one of them is too large for its square (the optimizer's second moment).
  let largest = 0;
  for (let i = 1; i < grads.length; i++) if (Math.abs(grads[i]) > Math.abs(grads[largest])) largest = i;
  const entry = trainable.find((e) => largest >= e.offset && largest < e.offset + e.size);
  const at = entry ? { tensor: entry.name, index: largest - entry.offset, size: entry.size } : { tensor: 'gradient', index: largest, size: grads.length };
  const dtype = grads instanceof Float32Array ? 'float32' : 'float64';
  return { tensor: at.tensor, text: `${describeNonFinite({ ...at, value: grads[largest] })}, whose square overflows ${dtype}` };
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
