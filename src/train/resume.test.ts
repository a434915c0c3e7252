import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.js';
import { saveModel } from '../io/checkpoint.js';
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import { AutoNCP } from '../wiring/index.js';
import { Trainer, type FitOptions, type TrainData } from './index.js';
import { TrainRng } from './rng.js';

const dir = fs.mkdtempSync(join(os.tmpdir(), 'ncp-resume-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sineData(N: number, L: number, seed: number): TrainData {
  const rng = new TrainRng(seed);
  const u = () => rng.nextU32() / 2 ** 32;
  const x = new Float32Array(N * L);
  const y = new Float32Array(N * L);
  const ts = new Float32Array(N * L);
  for (let i = 0; i < N; i++) {
    let t = u() * 6;
    for (let l = 0; l < L; l++) {
      ts[i * L + l] = 0.05 + u() * 0.45;
      t += ts[i * L + l];
      x[i * L + l] = Math.sin(t);
      y[i * L + l] = Math.cos(t);
    }
  }
  return { inputs: { data: x, shape: [N, L, 1] }, targets: { data: y, shape: [N, L, 1] }, timespans: { data: ts, shape: [N, L] } };
}

const bytes = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const data = sineData(30, 6, 1);
// Everything that carries state across batches is on: shuffling, dropout masks, Adam moments, a per-batch
// cosine schedule with warm-up, clipping, a validation split and early-stopping bookkeeping.
const makeModel = () => new CfC(1, 8, { projSize: 1, backboneUnits: 8, backboneLayers: 2, backboneDropout: 0.2, seed: 4 });
const options: FitOptions = {
  verbose: 0, epochs: 4, batchSize: 7, seed: 11, clipGradNorm: 1,
  optimizer: { type: 'adamw', lr: 0.01 }, schedule: { type: 'cosine', warmupSteps: 3, minLr: 1e-4 },
  validationSplit: 0.2, earlyStopping: { patience: 10, restoreBestWeights: true },
};

async function uninterrupted(): Promise<{ params: Float32Array | Float64Array; losses: number[] }> {
  const model = makeModel();
  const history = await new Trainer(model, options).fit(data);
  expect(history.epochs.length).toBe(4);
  return { params: model.parameters, losses: history.epochs.map((e) => e.loss) };
}

describe('save and resume', () => {
  it('2 epochs + save + Trainer.load + 2 epochs = 4 epochs uninterrupted, bit for bit', async () => {
    const reference = await uninterrupted();
    const path = join(dir, 'epoch2.safetensors');
    const controller = new AbortController();
    const first = new Trainer(makeModel(), {
      ...options,
      signal: controller.signal,
      onEpochEnd: async (info) => {
        if (info.epoch === 2) {
          await first.save(path);
          controller.abort();
        }
      },
    });
    const partial = await first.fit(data);
    expect(partial.aborted).toBe(true);
    expect(partial.epochs.length).toBe(2);

    const resumed = await Trainer.load(path);
    expect(resumed.epoch).toBe(2);
    const history = await resumed.fit(data);
    expect(history.aborted).toBe(false);
    expect(history.epochs.map((e) => e.loss)).toEqual(reference.losses);
    expect(bytes(resumed.model.parameters).equals(bytes(reference.params))).toBe(true);
  });

  it('resumes from the middle of an epoch (trainer.resume on a fresh model)', async () => {
    const reference = await uninterrupted();
    const path = join(dir, 'mid-epoch.safetensors');
    const controller = new AbortController();
    const first = new Trainer(makeModel(), {
      ...options,
      signal: controller.signal,
      onBatchEnd: (info) => {
        if (info.epoch === 3 && info.batch === 2) controller.abort();
      },
    });
    expect((await first.fit(data)).aborted).toBe(true);
    await first.save(path);

    // A model with other initial weights: resume must replace every one of them.
    const model = new CfC(1, 8, { projSize: 1, backboneUnits: 8, backboneLayers: 2, backboneDropout: 0.2, seed: 99 });
    const second = new Trainer(model, options);
    await second.resume(path);
    expect(second.step).toBe(first.step);
    const history = await second.fit(data);
    expect(history.epochs.map((e) => e.loss)).toEqual(reference.losses);
    expect(bytes(model.parameters).equals(bytes(reference.params))).toBe(true);
  });

  it('resumes an LTC (wired, float64, SGD with Nesterov momentum, step schedule)', async () => {
    const make = () => new LTC(1, new AutoNCP(8, 1, { seed: 2 }), { dtype: 'float64', odeUnfolds: 2 });
    const d = sineData(12, 4, 2);
    const f64: TrainData = {
      inputs: { data: Float64Array.from(d.inputs.data), shape: d.inputs.shape },
      targets: { data: Float64Array.from(d.targets.data), shape: d.targets.shape },
      timespans: { data: Float64Array.from(d.timespans!.data), shape: d.timespans!.shape },
    };
    const opts: FitOptions = { verbose: 0, epochs: 3, batchSize: 5, optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true }, schedule: { type: 'step', stepSize: 1, gamma: 0.5 } };
    const a = make();
    await new Trainer(a, opts).fit(f64);
    const controller = new AbortController();
    const t = new Trainer(make(), { ...opts, signal: controller.signal, onBatchEnd: (i) => void (i.epoch === 2 && i.batch === 1 && controller.abort()) });
    await t.fit(f64);
    const path = join(dir, 'ltc.safetensors');
    await t.save(path);
    const resumed = await Trainer.load(path);
    await resumed.fit(f64);
    expect(bytes(resumed.model.parameters).equals(bytes(a.parameters))).toBe(true);
  });

  it('refuses a checkpoint from another model, a model-only checkpoint, and different data mid-epoch', async () => {
    const controller = new AbortController();
    const trainer = new Trainer(makeModel(), { ...options, signal: controller.signal, onBatchEnd: () => controller.abort() });
    await trainer.fit(data);
    const path = join(dir, 'one-batch.safetensors');
    await trainer.save(path);

    const other = new Trainer(new CfC(1, 9, { projSize: 1, backboneUnits: 8 }), options);
    await expect(other.resume(path)).rejects.toThrow(/^Trainer\.resume: ".*one-batch\.safetensors" was saved from a different model than this one: it holds CfC \(1 inputs, 8 units\), this model is CfC \(1 inputs, 9 units\)/);
    const sameShapes = new Trainer(new CfC(1, 8, { projSize: 1, backboneUnits: 8, backboneLayers: 2, backboneDropout: 0.2, mode: 'no_gate' }), options);
    await expect(sameShapes.resume(path)).rejects.toBeInstanceOf(CheckpointError);

    const modelOnly = join(dir, 'model-only.safetensors');
    await saveModel(makeModel(), modelOnly);
    await expect(Trainer.load(modelOnly)).rejects.toThrow(/is not a trainer checkpoint: __metadata__\.format is "ncp-silicon\/model", expected "ncp-silicon\/trainer" \(it is a model checkpoint from saveModel/);

    const resumed = await Trainer.load(path);
    await expect(resumed.fit(sineData(40, 6, 1))).rejects.toThrow(/^Trainer\.fit: expected the 24 training samples the interrupted epoch 1 was shuffled over for data, received 32 samples\.$/);
  });

  it('needs the custom loss function again to load a checkpoint trained with one', async () => {
    const loss = (output: { data: Float32Array | Float64Array; shape: number[] }) => ({ loss: 0, grad: { data: new Float32Array(output.data.length), shape: output.shape } });
    const trainer = new Trainer(makeModel(), { verbose: 0, loss });
    await trainer.fit(data);
    const path = join(dir, 'custom.safetensors');
    await trainer.save(path);
    await expect(Trainer.load(path)).rejects.toThrow(/^Trainer\.load: expected the custom loss function this checkpoint was trained with for options\.loss, received undefined\.$/);
    expect((await Trainer.load(path, { loss })).epoch).toBe(1);
  });
});
