/**
 * The tfjs layers train with tfjs optimizers, fit inside tf.sequential models (output shape), run on the
 * wasm backend with the same numbers, and move back to a native model with fromTfjs.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { fromTfjs, NcpCell, NcpRNN, toTfjs, withTimespans } from '../../src/tfjs/index.js';
import { LTC } from '../../src/models/ltc.js';
import { CfC } from '../../src/models/cfc.js';
import { AutoNCP } from '../../src/wiring/index.js';
import { INPUTS, MODEL_KINDS, relativeError, sampleData } from './model-kinds.js';

const B = 4;
const L = 6;

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('tfjs training', () => {
  for (const kind of ['LTC AutoNCP, mixed memory', 'CfC default, lecun_tanh backbone', 'wired CfC no_gate, projection']) {
    it(`${kind}: a few Adam steps reduce a regression loss, and fromTfjs brings the trained weights back`, async () => {
      await tf.setBackend('cpu');
      const model = MODEL_KINDS[kind]();
      const layer = toTfjs(model, { timespans: true });
      const { input, timespans } = sampleData(B, L, 7);
      const x = withTimespans(tf.tensor3d(input, [B, L, INPUTS]), tf.tensor2d(timespans, [B, L]));
      const target = tf.sin(tf.mul(tf.range(0, B * L * model.outputSize), 0.3)).reshape([B, L, model.outputSize]);
      const loss = (): tf.Scalar => tf.losses.meanSquaredError(target, layer.apply(x) as tf.Tensor) as tf.Scalar;
      const before = loss().dataSync()[0];
      const optimizer = tf.train.adam(0.05);
      for (let i = 0; i < 12; i++) optimizer.minimize(loss);
      const after = loss().dataSync()[0];
      expect(after).toBeLessThan(0.9 * before);

      // The trained weights differ from the original model's, and the native model made from them agrees.
      const trained = fromTfjs(layer);
      expect(trained.constructor).toBe(model.constructor);
      const tfjsOut = (layer.apply(x) as tf.Tensor).dataSync();
      const nativeOut = trained.forward({ data: input, shape: [B, L, INPUTS] }, { timespans: { data: timespans, shape: [B, L] } }).output.data;
      expect(relativeError(nativeOut, tfjsOut)).toBeLessThan(1e-5);
      const originalOut = model.forward({ data: input, shape: [B, L, INPUTS] }, { timespans: { data: timespans, shape: [B, L] } }).output.data;
      expect(relativeError(originalOut, tfjsOut)).toBeGreaterThan(1e-3);
    });
  }
});

describe('tfjs wasm backend', () => {
  for (const kind of ['LTC AutoNCP, mixed memory', 'CfC pure, gelu backbone', 'CfC no_gate, 2-layer silu backbone', 'wired CfC default (AutoNCP)']) {
    it(`${kind}: outputs and weight gradients match the native kernels (offline: the .wasm comes from node_modules)`, async () => {
      expect(await tf.setBackend('wasm')).toBe(true);
      expect(tf.getBackend()).toBe('wasm');
      const model = MODEL_KINDS[kind]();
      const { input, timespans } = sampleData(B, L, 3);
      const native = model.forward({ data: input, shape: [B, L, INPUTS] }, { timespans: { data: timespans, shape: [B, L] } });
      const dOutput = { data: native.output.data.map((v) => 2 * v), shape: native.output.shape };
      const nativeGrads = model.forwardBackward({ data: input, shape: [B, L, INPUTS] }, dOutput, { timespans: { data: timespans, shape: [B, L] } }).grads;
      const layer = toTfjs(model, { timespans: true });
      const x = withTimespans(tf.tensor3d(input, [B, L, INPUTS]), tf.tensor2d(timespans, [B, L]));
      expect(relativeError((layer.apply(x) as tf.Tensor).dataSync(), native.output.data)).toBeLessThan(1e-5);
      const weights = (layer.cell as NcpCell).namedWeights();
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)));
      for (const [name, expected] of Object.entries(nativeGrads.params)) {
        expect(relativeError(grads[weights[name].name].dataSync(), expected.data), name).toBeLessThan(1e-5);
      }
    });
  }
});

describe('tfjs layers API', () => {
  it('an NcpRNN in tf.sequential reports its real output width (motor neurons, projection)', async () => {
    await tf.setBackend('cpu');
    const ltc = toTfjs(new LTC(INPUTS, new AutoNCP(12, 2)));
    const cfc = toTfjs(new CfC(INPUTS, 8, { projSize: 3, backboneUnits: 8, returnSequences: false }));
    for (const [layer, shape] of [[ltc, [null, 5, 2]], [cfc, [null, 3]]] as const) {
      const seq = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [5, INPUTS] }), layer, tf.layers.dense({ units: 1 })] });
      expect(seq.layers.find((l) => l instanceof NcpRNN)!.outputShape).toEqual(shape);
      const out = seq.predict(tf.zeros([2, 5, INPUTS])) as tf.Tensor;
      expect(out.shape).toEqual(shape.length === 3 ? [2, 5, 1] : [2, 1]);
    }
  });

  it('a model with NcpRNN layers saves and loads through tfjs (weights and config round-trip)', async () => {
    await tf.setBackend('cpu');
    const model = new CfC(INPUTS, new AutoNCP(10, 2), { mode: 'pure', mixedMemory: true });
    const seq = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [4, INPUTS + 1] }), toTfjs(model, { timespans: true })] });
    let saved: tf.io.ModelArtifacts | undefined;
    await seq.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.randomUniform([2, 4, INPUTS + 1], 0.5, 1.5);
    expect(relativeError((loaded.predict(x) as tf.Tensor).dataSync(), (seq.predict(x) as tf.Tensor).dataSync())).toBe(0);
    const restored = loaded.layers.find((l) => l instanceof NcpRNN);
    expect(restored).toBeInstanceOf(NcpRNN);
    const back = fromTfjs(restored as NcpRNN, { dtype: 'float64' });
    expect(back.dtype).toBe('float64');
    const original = model.stateDict();
    for (const [name, t] of Object.entries(back.stateDict())) expect(relativeError(t.data, original[name].data), name).toBe(0);
  });

  it('refuses inputs of the wrong width and what is not one of its layers, with typed errors', async () => {
    await tf.setBackend('cpu');
    const layer = toTfjs(new LTC(INPUTS, 4), { timespans: true });
    expect(() => new NcpRNN({ cell: new NcpCell({ model: new LTC(INPUTS, 4) }) }).apply(tf.zeros([1, 2, INPUTS + 1]))).toThrow(
      /NcpCell\.build: expected a last dimension of 3 \(3 input features\) for inputShape, received \[.*4\]/,
    );
    expect(layer.cell).toBeInstanceOf(NcpCell);
    expect(() => fromTfjs(tf.layers.dense({ units: 1 }) as unknown as NcpRNN)).toThrow(TypeError);
    expect(() => toTfjs({} as LTC)).toThrow(/toTfjs: expected an LTC or CfC model for model/);
    expect(() => toTfjs(new LTC(INPUTS, 4), { timespan: true } as never)).toThrow(TypeError);
    const x = tf.zeros([2, 3, INPUTS]) as tf.Tensor3D;
    expect(() => withTimespans(x, tf.tensor2d([1, 1, 1, 1, 0, 1], [2, 3]))).toThrow(/withTimespans: expected finite elapsed times > 0 for timespans \(element 4\), received number 0\./);
    expect(() => withTimespans(x, tf.tensor2d([1, 1, 1, 1, NaN, 1], [2, 3]))).toThrow(RangeError);
    expect(() => withTimespans(x, tf.ones([3, 2]) as tf.Tensor2D)).toThrow(/expected shape \[2, 3\]/);
  });
});
