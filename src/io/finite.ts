/**
 * Where a flat buffer first holds NaN or ±Infinity, named by the parameter layout's tensor: what the save
 * guards (no checkpoint with non-finite weights is ever written) and the trainer's non-finite gradient
 * report share. One pass, reads only.
 */
import { NonFiniteWeightsError } from '../errors.js';
import type { ParamEntry } from '../backend/param-layout.js';

export interface NonFiniteElement {
  /** The layout entry's name (ncps state-dict name), or `what` itself for a buffer without a layout. */
  tensor: string;
  /** Index inside that tensor. */
  index: number;
  size: number;
  value: number;
}

/** The first NaN/±Inf of `data`, located in `entries` (offsets into `data`); undefined when all are finite. */
export function firstNonFinite(data: ArrayLike<number>, entries?: readonly ParamEntry[], what = 'buffer'): NonFiniteElement | undefined {
  let i = 0;
  while (i < data.length && Number.isFinite(data[i])) i++;
  if (i === data.length) return undefined;
  const entry = entries?.find((e) => i >= e.offset && i < e.offset + e.size);
  return entry
    ? { tensor: entry.name, index: i - entry.offset, size: entry.size, value: data[i] }
    : { tensor: what, index: i, size: data.length, value: data[i] };
}

/** "NaN in "rnn_cell.w" (element 3 of 48)". */
export function describeNonFinite(e: NonFiniteElement): string {
  return `${e.value} in "${e.tensor}" (element ${e.index} of ${e.size})`;
}

/**
 * Refuses to save (NonFiniteWeightsError, nothing written) when any of `buffers` holds a non-finite value.
 * `holder` names the owner ("the model's parameters", "the optimizer's first moment").
 */
export function requireFiniteForSave(api: string, path: string, buffers: readonly { holder: string; data: ArrayLike<number>; entries?: readonly ParamEntry[] }[]): void {
  for (const b of buffers) {
    const bad = firstNonFinite(b.data, b.entries, b.holder);
    if (bad) {
      throw new NonFiniteWeightsError(
        `${api}: ${b.holder} hold ${describeNonFinite(bad)}; a checkpoint with non-finite weights is never written, so "${path}" was left as it was. Train again from the last good checkpoint (lower the learning rate, set clipGradNorm).`,
      );
    }
  }
}
