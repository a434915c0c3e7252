/** The checks of SequenceModel#loadStateDict: every key known, present, of the right shape, with this wiring's masks. */
import { argumentError, argumentErrorRendered } from '../errors.js';
import { describe } from '../describe.js';
import type { FloatArray } from '../backend/float-array.js';
import type { ParamLayout } from '../backend/param-layout.js';
import { describeMaskMismatch, findMaskMismatch, MASK_RULE } from './sparsity-masks.js';
import { product } from './tensor.js';

export function checkStateDict(api: string, layout: ParamLayout, parameters: FloatArray, dict: Record<string, { data: ArrayLike<number>; shape: number[] }>): void {
  if (typeof dict !== 'object' || dict === null) throw argumentError(TypeError, api, 'dict', 'an object of tensors', dict);
  const known = new Set(layout.entries.map((e) => e.name));
  for (const key of Object.keys(dict)) {
    if (!known.has(key)) {
      throw argumentErrorRendered(RangeError, api, 'dict', `only this model's parameters (${[...known].join(', ')})`, `an unknown key "${key}"`);
    }
  }
  for (const e of layout.entries) {
    const t = dict[e.name];
    if (t === undefined) throw argumentErrorRendered(RangeError, api, 'dict', `a tensor for every parameter`, `no "${e.name}"`);
    const shape = Array.isArray(t.shape) ? t.shape : [];
    // ncps stores some vectors as (1×N) and others as (N): accept any shape with the same element count and
    // the same non-unit dimensions.
    const squeeze = (s: number[]): string => s.filter((d) => d !== 1).join('×');
    if (product(shape) !== e.size || squeeze(shape) !== squeeze(e.shape) || t.data?.length !== e.size) {
      throw argumentErrorRendered(RangeError, api, `dict["${e.name}"]`, `shape [${e.shape.join(', ')}]`, `shape [${shape.join(', ')}] with ${describe(t.data)}`);
    }
  }
  const mismatch = findMaskMismatch(layout.entries, parameters, (name) => dict[name].data);
  if (mismatch) {
    const expected = `the sparsity mask of this model's wiring (${MASK_RULE})`;
    throw argumentErrorRendered(RangeError, api, `dict["${mismatch.name}"]`, expected, `a mask with ${describeMaskMismatch(mismatch)}`);
  }
}
