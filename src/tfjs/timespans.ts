/** Packing of per-step elapsed times into the input, the form an NcpCell built with `timespans: true` reads. */
import * as tf from '@tensorflow/tfjs';
import { argumentError, argumentErrorRendered } from '../errors.js';

/**
 * input (B×L×S) and timespans (B×L) → (B×L×(S+1)), Δ as the last feature. Every Δ must be finite and > 0 (as
 * the native models require): checked here, where the values are at hand, since the layer cannot check them.
 */
export function withTimespans(input: tf.Tensor3D, timespans: tf.Tensor2D): tf.Tensor3D {
  const api = 'withTimespans';
  if (!(input instanceof tf.Tensor) || input.rank !== 3) throw argumentError(TypeError, api, 'input', 'a rank-3 tf.Tensor (B×L×S)', input);
  if (!(timespans instanceof tf.Tensor)) throw argumentError(TypeError, api, 'timespans', 'a rank-2 tf.Tensor (B×L)', timespans);
  const [B, L] = input.shape;
  if (timespans.rank !== 2 || timespans.shape[0] !== B || timespans.shape[1] !== L) {
    throw argumentErrorRendered(RangeError, api, 'timespans', `shape [${B}, ${L}] (B×L, as the input)`, `shape [${timespans.shape.join(', ')}]`);
  }
  const values = timespans.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] > 0) || !Number.isFinite(values[i])) throw argumentError(RangeError, api, `timespans (element ${i})`, 'finite elapsed times > 0', values[i]);
  }
  return tf.concat([input, tf.expandDims(timespans, 2) as tf.Tensor3D], 2);
}
