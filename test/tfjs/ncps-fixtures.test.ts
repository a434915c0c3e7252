/**
 * ncps checkpoints through toTfjs(fromNcps(…)): the tfjs layer reproduces ncps 1.0.1's float32 outputs and
 * input gradients (d Σ out² / d input) within 1e-5 relative, for every model fixture, with timespans.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { toTfjs, withTimespans } from '../../src/tfjs/index.js';
import { modelFromFixture } from '../helpers/fixture-models.js';
import { flat, loadModelFixture, MODEL_FIXTURES, relativeError } from '../helpers/fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('toTfjs(fromNcps(ncps checkpoint)) against ncps 1.0.1', () => {
  for (const name of MODEL_FIXTURES) {
    it(`${name}: outputs and input gradients of the float32 timespans run`, () => {
      const fixture = loadModelFixture(name);
      const [B, L, S] = fixture.input.shape;
      const model = modelFromFixture(name, fixture, 'float32', 'cpu');
      const run = fixture.runs.timespans_float32;
      const layer = toTfjs(model, { timespans: true });
      const x = withTimespans(tf.tensor3d(flat(fixture.input.values), [B, L, S]), tf.tensor2d(flat(fixture.timespans.values), [B, L]));
      const out = layer.apply(x) as tf.Tensor;
      expect(out.shape).toEqual(run.outputs_shape);
      expect(relativeError(out.dataSync(), flat(run.outputs))).toBeLessThan(1e-5);
      const [dx] = tf.grads((t: tf.Tensor) => tf.sum(tf.square(layer.apply(t) as tf.Tensor)))([x]);
      expect(relativeError(tf.slice(dx, [0, 0, 0], [B, L, S]).dataSync(), flat(run.grad_input))).toBeLessThan(1e-5);
    });
  }
});
