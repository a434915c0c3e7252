/**
 * A training batch costs one forward pass and one backward pass: the native kernel records of a fit (one per
 * kernel call; a forwardBackward call is one forward and one backward) show one call per batch, for a plain
 * model and for CfC backbone dropout, whose loss must see the training masks. A custom loss needs its output
 * in JS, so it costs one forward more, never a zero-cotangent backward.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadNative } from '../backend/load.js';
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import type { SequenceModel } from '../models/sequence-model.js';
import { computeLoss } from './losses.js';
import { fit, type TrainData } from './index.js';

const N = 12;
const L = 5;
const BATCHES = 3;
const P = 4; // fully connected, 4 units: every unit is an output

function data(): TrainData {
  const x = new Float32Array(N * L * 2).map((_, i) => Math.sin(i * 0.7));
  const y = new Float32Array(N * L * P).map((_, i) => Math.cos(i * 0.3));
  return { inputs: { data: x, shape: [N, L, 2] }, targets: { data: y, shape: [N, L, P] } };
}

/** The kernel calls fit makes, by kind ('forward' / 'forwardBackward'). */
async function kernelCalls(model: SequenceModel, options: Parameters<typeof fit>[2]): Promise<Record<string, number>> {
  const native = loadNative();
  native.drainProfile();
  native.setProfiling(true);
  try {
    await fit(model, data(), { verbose: 0, epochs: 1, batchSize: N / BATCHES, ...options });
  } finally {
    native.setProfiling(false);
  }
  const p = native.drainProfile();
  const counts: Record<string, number> = {};
  for (let i = 0; i < p.count; i++) {
    const kind = p.kernels[p.kernel[i]].replace(/^[^.]*\./, '').replace(/ .*$/, '');
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

afterEach(() => {
  loadNative().setProfiling(false);
});

describe('one forward and one backward per training batch', () => {
  it.each([
    ['LTC', () => new LTC(2, P, { seed: 1 })],
    ['CfC with backbone dropout', () => new CfC(2, P, { seed: 1, backboneDropout: 0.3, backboneLayers: 2, backboneUnits: 8 })],
  ])('%s, built-in loss: one forwardBackward kernel call per batch and no forward', async (_, make) => {
    expect(await kernelCalls(make(), {})).toEqual({ forwardBackward: BATCHES });
  });

  it('a custom loss: one forward (with the dropout masks) and one forwardBackward per batch', async () => {
    const mse = (output: { data: Float32Array | Float64Array; shape: number[] }, target: { data: Float32Array | Float64Array }) => {
      const r = computeLoss('mse', { output: output.data, target: target.data, outputs: P });
      return { loss: r.loss, grad: { data: r.grad, shape: output.shape } };
    };
    const make = () => new CfC(2, P, { seed: 1, backboneDropout: 0.3, backboneLayers: 2, backboneUnits: 8 });
    expect(await kernelCalls(make(), { loss: mse })).toEqual({ forward: BATCHES, forwardBackward: BATCHES });
    // …and trains exactly as the built-in loss does (the forward saw the same masks as the backward).
    const a = make();
    const b = make();
    await fit(a, data(), { verbose: 0, epochs: 2, batchSize: 4 });
    await fit(b, data(), { verbose: 0, epochs: 2, batchSize: 4, loss: mse });
    expect(b.parameters).toEqual(a.parameters);
  });
});
