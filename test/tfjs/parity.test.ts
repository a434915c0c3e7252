/**
 * A tfjs layer made by toTfjs computes what the native model computes: float32 outputs, final state, and
 * gradients (tf.grads for the input, tf.variableGrads for every trainable weight) within 1e-5 relative
 * (2-norm) of the native float32 forward / forwardBackward, for every model kind, with and without timespans.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { toTfjs, withTimespans, type NcpCell } from '../../src/tfjs/index.js';
import type { CheckpointModel } from '../../src/io/checkpoint.js';
import { INPUTS, MODEL_KINDS, relativeError, sampleData } from './model-kinds.js';

const B = 3;
const L = 5;
const TOLERANCE = 1e-5;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function checkParity(model: CheckpointModel, useTimespans: boolean): void {
  const { input, timespans } = sampleData(B, L);
  const native = model.forward({ data: input, shape: [B, L, INPUTS] }, useTimespans ? { timespans: { data: timespans, shape: [B, L] } } : undefined);
  const dOutput = { data: native.output.data.map((v) => 2 * v), shape: native.output.shape };
  const nativeGrads = model.forwardBackward({ data: input, shape: [B, L, INPUTS] }, dOutput, useTimespans ? { timespans: { data: timespans, shape: [B, L] } } : undefined).grads;

  const layer = toTfjs(model, { timespans: useTimespans, returnState: true });
  const x = tf.tensor3d(input, [B, L, INPUTS]);
  const packed = useTimespans ? withTimespans(x, tf.tensor2d(timespans, [B, L])) : x;
  const [output, hFinal] = layer.apply(packed) as tf.Tensor[];
  expect(output.shape).toEqual(native.output.shape);
  expect(relativeError(output.dataSync(), native.output.data)).toBeLessThan(TOLERANCE);
  const nativeH = 'h' in native.state ? native.state.h : native.state;
  expect(relativeError(hFinal.dataSync(), nativeH.data)).toBeLessThan(TOLERANCE);

  const lossOf = (t: tf.Tensor): tf.Scalar => tf.sum(tf.square((layer.apply(t) as tf.Tensor[])[0]));
  const [dPacked] = tf.grads((t: tf.Tensor) => lossOf(t))([packed]);
  const dInput = useTimespans ? tf.slice(dPacked, [0, 0, 0], [B, L, INPUTS]) : dPacked;
  expect(relativeError(dInput.dataSync(), nativeGrads.input.data)).toBeLessThan(TOLERANCE);
  if (useTimespans) {
    const dTimespans = tf.slice(dPacked, [0, 0, INPUTS], [B, L, 1]);
    expect(relativeError(dTimespans.dataSync(), nativeGrads.timespans!.data)).toBeLessThan(TOLERANCE);
  }

  const weights = (layer.cell as NcpCell).namedWeights();
  const { grads } = tf.variableGrads(() => lossOf(packed));
  const trainable = Object.keys(nativeGrads.params);
  expect(trainable.length).toBeGreaterThan(0);
  for (const name of trainable) {
    const grad = grads[weights[name].name];
    expect(grad, `gradient of ${name}`).toBeDefined();
    expect(relativeError(grad.dataSync(), nativeGrads.params[name].data), name).toBeLessThan(TOLERANCE);
  }
  // Masks and polarities are not trainable in tfjs either.
  expect(Object.keys(grads).length).toBe(trainable.length);
  tf.dispose([x, packed, output, hFinal, dPacked, ...Object.values(grads)]);
}

describe('toTfjs: float32 parity with the native kernels (tfjs cpu backend)', () => {
  for (const [kind, make] of Object.entries(MODEL_KINDS)) {
    it(`${kind}: outputs, final state, input / timespan / weight gradients`, () => {
      checkParity(make(), true);
    });
    it(`${kind}: without timespans (Δ = 1)`, () => {
      checkParity(make(), false);
    });
  }
});
