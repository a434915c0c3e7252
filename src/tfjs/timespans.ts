/** Packing of per-step elapsed times into the input, the form an NcpCell built with `timespans: true` reads. */
import * as tf from '@tensorflow/tfjs';
import { argumentErrorRendered } from '../errors.js';

/** input (B×L×S) and timespans (B×L) → (B×L×(S+1)), Δ as the last feature. */
export function withTimespans(input: tf.Tensor3D, timespans: tf.Tensor2D): tf.Tensor3D {
  const [B, L] = input.shape;
  if (timespans.rank !== 2 || timespans.shape[0] !== B || timespans.shape[1] !== L) {
    throw argumentErrorRendered(RangeError, 'withTimespans', 'timespans', `shape [${B}, ${L}] (B×L, as the input)`, `shape [${timespans.shape.join(', ')}]`);
  }
  return tf.concat([input, tf.expandDims(timespans, 2) as tf.Tensor3D], 2);
}
