/**
 * A model's non-trainable tensors are its sparsity masks: |adjacency| of its wiring (0 or 1 per synapse, SPEC §2–3),
 * set when the model is built. A loaded mask must be exactly that, or the model would compute with synapses its
 * wiring does not have (a mask of 7.5 scales a synapse, −3 flips it, all ones adds every absent one) while
 * `wiring.synapseCount` says otherwise. Shared by loadStateDict (fromNcps) and the checkpoint loader.
 */
import type { ParamEntry } from '../backend/param-layout.js';

export interface MaskMismatch {
  name: string;
  /** Flat index in the tensor, and its row and column. */
  index: number;
  row: number;
  column: number;
  received: number;
  expected: number;
}

/** The first element of a given mask that differs from the model's own mask, or undefined when all agree. */
export function findMaskMismatch(
  entries: readonly ParamEntry[],
  parameters: Float32Array | Float64Array,
  maskOf: (name: string) => ArrayLike<number>,
): MaskMismatch | undefined {
  for (const e of entries) {
    if (e.trainable) continue;
    const given = maskOf(e.name);
    const columns = e.shape[e.shape.length - 1] ?? 1;
    for (let i = 0; i < e.size; i++) {
      const expected = parameters[e.offset + i]!;
      // `!==` also refuses NaN; −0 equals 0, which is fine for a mask.
      if (given[i] !== expected) return { name: e.name, index: i, row: Math.floor(i / columns), column: i % columns, received: given[i]!, expected };
    }
  }
  return undefined;
}

/** What the masks hold (for messages). */
export const MASK_RULE = '|adjacency|: 1 per synapse, 0 elsewhere';

/** "element [2, 5] = 7.5 where the wiring has 1". */
export function describeMaskMismatch(m: MaskMismatch): string {
  return `element [${m.row}, ${m.column}] = ${m.received} where the wiring has ${m.expected}`;
}
