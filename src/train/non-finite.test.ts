import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNative } from '../backend/load.js';
import { CheckpointError, NonFiniteWeightsError } from '../errors.js';
import { saveModel } from '../io/checkpoint.js';
import { loadSafetensors, saveSafetensors } from '../io/safetensors.js';
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import type { Backend } from '../models/sequence-model.js';
import type { Tensor } from '../models/tensor.js';
import { AutoNCP } from '../wiring/index.js';
import { NonFiniteGradientError, Trainer, TrainingDivergedError, fit, type BatchInfo, type FitOptions, type LossFunction, type TrainData } from './index.js';
import { clipScale, referenceOptimizerStep } from './optimizer.js';

const dir = fs.mkdtempSync(join(os.tmpdir(), 'ncp-non-finite-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 8 samples of 4 steps: two batches of 4. */
function data(N = 8, L = 4): TrainData {
  const x = Float32Array.from({ length: N * L }, (_, i) => Math.sin(i * 0.7));
  const y = Float32Array.from({ length: N * L }, (_, i) => Math.cos(i * 0.3));
  return { inputs: { data: x, shape: [N, L, 1] }, targets: { data: y, shape: [N, L, 1] } };
}

const cfc = (backend: Backend) => new CfC(1, 8, { projSize: 1, backboneUnits: 8, seed: 3, backend });
const ltc = (backend: Backend) => new LTC(1, new AutoNCP(6, 1, { seed: 2 }), { backend, odeUnfolds: 2 });
const bytes = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const allFinite = (a: ArrayLike<number | bigint>) => Array.from(a).every((x) => typeof x === 'number' && Number.isFinite(x));

/** A finite loss whose gradient is `bad` on the calls listed in `badCalls` (1-based), a small constant otherwise. */
function lossWith(bad: number, badCalls: (call: number) => boolean): LossFunction {
  let calls = 0;
  return (output: Tensor) => {
    const grad = new Float32Array(output.data.length).fill(badCalls(++calls) ? bad : 0.01);
    return { loss: 1, grad: { data: grad, shape: output.shape } };
  };
}

describe('a non-finite gradient never reaches the weights', () => {
  for (const backend of ['cpu', 'reference'] as const) {
    for (const clipGradNorm of [undefined, 1]) {
      for (const [what, bad] of [['NaN', NaN], ['exploding (3e38 at the output overflows in BPTT)', 3e38]] as const) {
        it(`${backend}, clipGradNorm ${clipGradNorm ?? 'unset'}, ${what}: the update is skipped, counted and reported; the weights stay bit for bit`, async () => {
          const model = cfc(backend);
          const initial = model.parameters.slice();
          const infos: BatchInfo[] = [];
          const snapshots: (Float32Array | Float64Array)[] = [];
          const trainer = new Trainer(model, {
            verbose: 0, epochs: 1, batchSize: 4, shuffle: false, clipGradNorm, optimizer: { type: 'adam', lr: 0.01 },
            loss: lossWith(bad, (call) => call === 1),
            onBatchEnd: (info) => {
              infos.push(info);
              snapshots.push(model.parameters.slice());
            },
          });
          const history = await trainer.fit(data());
          // Batch 1 had the bad gradient: no change at all; batch 2 trained normally.
          expect(bytes(snapshots[0]).equals(bytes(initial))).toBe(true);
          expect(bytes(snapshots[1]).equals(bytes(initial))).toBe(false);
          expect(allFinite(model.parameters)).toBe(true);
          expect(infos.map((i) => [i.skipped, i.skippedSteps])).toEqual([[true, 1], [false, 1]]);
          expect(history.epochs[0].skippedSteps).toBe(1);
          expect(trainer.skippedSteps).toBe(1);
          expect(trainer.step).toBe(1);
        });
      }
    }
  }

  it("an LTC on 'cpu' too, and the warning goes to the progress output", async () => {
    const model = ltc('cpu');
    const initial = model.parameters.slice();
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((text: string) => (lines.push(String(text)), true)) as typeof process.stdout.write;
    try {
      await fit(model, data(), { verbose: 2, epochs: 1, batchSize: 8, loss: lossWith(NaN, () => true), maxConsecutiveSkips: 5 });
    } finally {
      process.stdout.write = write;
    }
    expect(bytes(model.parameters).equals(bytes(initial))).toBe(true);
    expect(lines.join('')).toMatch(/^Trainer\.fit: skipped the update of epoch 1, batch 1: its gradient is not finite \(NaN in "rnn_cell\.[a-z_]+" \(element \d+ of \d+\)\); 1 in a row\.$/m);
  });

  for (const backend of ['cpu', 'reference'] as const) {
    it(`${backend}: nonFiniteGradient 'throw' stops with a NonFiniteGradientError naming epoch, batch and tensor`, async () => {
      const model = cfc(backend);
      const initial = model.parameters.slice();
      const error = await fit(model, data(), { verbose: 0, epochs: 2, batchSize: 4, nonFiniteGradient: 'throw', loss: lossWith(NaN, (call) => call === 3) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NonFiniteGradientError);
      expect(error).toBeInstanceOf(TrainingDivergedError);
      const e = error as NonFiniteGradientError;
      expect(e.code).toBe('NCP_NON_FINITE_GRADIENT');
      expect([e.epoch, e.batch]).toEqual([2, 1]);
      expect(e.tensor).toMatch(/^(rnn_cell|fc)\./);
      expect(e.message).toMatch(/^Trainer\.fit: the gradient of epoch 2, batch 1 is not finite: NaN in "[^"]+" \(element \d+ of \d+\); that update was not applied \(options\.nonFiniteGradient 'throw'\)\./);
      expect(allFinite(model.parameters)).toBe(true);
      expect(bytes(model.parameters).equals(bytes(initial))).toBe(false); // the two good updates were applied
    });
  }

  it('too many skips in a row stop the run (options.maxConsecutiveSkips), so it never silently trains nothing', async () => {
    const model = cfc('cpu');
    const initial = model.parameters.slice();
    const error = await fit(model, data(), { verbose: 0, epochs: 5, batchSize: 2, maxConsecutiveSkips: 6, loss: lossWith(NaN, () => true) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteGradientError);
    const e = error as NonFiniteGradientError;
    expect([e.epoch, e.batch, e.consecutiveSkips]).toEqual([2, 2, 6]);
    expect(e.message).toMatch(/^Trainer\.fit: 6 updates in a row were skipped for non-finite gradients \(options\.maxConsecutiveSkips 6\); the last, epoch 2, batch 2: NaN in /);
    expect(bytes(model.parameters).equals(bytes(initial))).toBe(true);
  });

  it('a gradient with a finite element whose square overflows float32 is skipped, so Adam moments stay finite and saveable', async () => {
    const model = cfc('cpu');
    const trainer = new Trainer(model, { verbose: 0, epochs: 1, batchSize: 8, loss: lossWith(1e25, () => true) });
    const history = await trainer.fit(data());
    expect(history.epochs[0].skippedSteps).toBe(1);
    await trainer.save(join(dir, 'overflow.safetensors'));
    const saved = await loadSafetensors(join(dir, 'overflow.safetensors'));
    expect(allFinite(saved.tensors['trainer.v'].data)).toBe(true);
  });

  it('the skip counters survive save and resume', async () => {
    const path = join(dir, 'skips.safetensors');
    const options: FitOptions = { verbose: 0, epochs: 2, batchSize: 2, shuffle: false, loss: lossWith(NaN, (call) => call === 2 || call === 3) };
    const controller = new AbortController();
    const first = new Trainer(cfc('cpu'), { ...options, signal: controller.signal, onBatchEnd: (i) => void (i.batch === 3 && controller.abort()) });
    await first.fit(data());
    expect(first.skippedSteps).toBe(2);
    await first.save(path);
    const resumed = await Trainer.load(path, { loss: lossWith(0.01, () => false) });
    expect(resumed.skippedSteps).toBe(2);
    const history = await resumed.fit(data());
    expect(history.epochs.map((r) => r.skippedSteps)).toEqual([2, 0]);
  });
});

describe('non-finite training data is refused up front', () => {
  it('a NaN input names the sample, step and feature', async () => {
    const d = data();
    d.inputs.data[2 * 4 + 3] = NaN;
    const model = cfc('cpu');
    const initial = model.parameters.slice();
    await expect(fit(model, d, { verbose: 0 })).rejects.toThrow(/^Trainer\.fit: expected finite numbers for data\.inputs \(sample 2, step 3, feature 0\), received number NaN\.$/);
    expect(bytes(model.parameters).equals(bytes(initial))).toBe(true);
  });

  it('time-major data too', async () => {
    const model = new CfC(1, 8, { projSize: 1, backboneUnits: 8, batchFirst: false });
    const d = data();
    d.inputs.shape = [4, 8, 1]; // L×N×S
    d.targets.shape = [4, 8, 1];
    d.inputs.data[1 * 8 + 5] = -Infinity; // step 1, sample 5
    await expect(fit(model, d, { verbose: 0 })).rejects.toThrow(/expected finite numbers for data\.inputs \(sample 5, step 1, feature 0\), received number -Infinity\./);
  });
});

describe('no checkpoint with non-finite weights is ever written', () => {
  it('saveModel refuses a model with a NaN parameter and leaves the file as it was', async () => {
    const model = cfc('cpu');
    const path = join(dir, 'nan-model.safetensors');
    model.parameters[5] = NaN;
    const error = await saveModel(model, path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteWeightsError);
    expect((error as NonFiniteWeightsError).code).toBe('NCP_NON_FINITE_WEIGHTS');
    expect((error as Error).message).toMatch(/^saveModel: the model's parameters hold NaN in "[^"]+" \(element \d+ of \d+\); a checkpoint with non-finite weights is never written/);
    expect(fs.existsSync(path)).toBe(false);
  });

  it('an onEpochEnd checkpoint of a model gone NaN is refused (saveModel and Trainer.save); the last good file stays', async () => {
    const model = cfc('cpu');
    const modelPath = join(dir, 'epoch-model.safetensors');
    const trainerPath = join(dir, 'epoch-trainer.safetensors');
    const refusals: unknown[] = [];
    const trainer: Trainer = new Trainer(model, {
      verbose: 0, epochs: 2, batchSize: 4,
      onEpochEnd: async (info) => {
        if (info.epoch === 2) model.parameters[0] = Infinity; // whatever corrupted it, it must not reach a file
        for (const save of [() => saveModel(model, modelPath), () => trainer.save(trainerPath)]) {
          await save().catch((e: unknown) => refusals.push(e));
        }
      },
    });
    await trainer.fit(data());
    expect(refusals).toHaveLength(2);
    for (const e of refusals) expect(e).toBeInstanceOf(NonFiniteWeightsError);
    expect((refusals[1] as Error).message).toMatch(/^Trainer\.save: the model's parameters hold Infinity in /);
    // Both files hold epoch 1's finite weights.
    for (const path of [modelPath, trainerPath]) {
      const saved = await loadSafetensors(path);
      expect(Object.values(saved.tensors).every((t) => allFinite(t.data))).toBe(true);
    }
  });

  it('Trainer.save refuses non-finite optimizer moments', async () => {
    const trainer = new Trainer(cfc('cpu'), { verbose: 0 });
    await trainer.fit(data());
    (trainer as unknown as { optimizer: { v: Float32Array } }).optimizer.v[1] = NaN;
    await expect(trainer.save(join(dir, 'nan-moments.safetensors'))).rejects.toThrow(/^Trainer\.save: the optimizer's second moments \(trainer\.v\) hold NaN in "[^"]+" \(element \d+ of \d+\)/);
  });
});

describe('the optimizer step itself refuses a non-finite gradient (native and TypeScript twin)', () => {
  const native = loadNative();
  for (const [name, step] of [['native', native.optimizerStep.bind(native)], ['reference', referenceOptimizerStep]] as const) {
    it(`${name}: NaN gradient → RangeError NCP_NON_FINITE_GRADIENT, nothing written; a finite one is applied`, () => {
      const params = Float32Array.from([1, 2, 3, 4]);
      const m = new Float32Array(4);
      const v = new Float32Array(4);
      const args = { kind: 'adam' as const, params, grads: Float32Array.from([0.5, NaN, 1, 1]), m, v, lr: 0.1, step: 1, maxGradNorm: 1, length: 4 };
      let error: unknown;
      try {
        step(args);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RangeError);
      expect(error).toMatchObject({ code: 'NCP_NON_FINITE_GRADIENT', index: 1 });
      expect((error as Error).message).toBe('optimizerStep: expected finite gradients, each at most 1.84467435e+19 (float32: its square must fit) in magnitude once scaled, for grads, received NaN at element 1; nothing was updated.');
      expect(Array.from(params)).toEqual([1, 2, 3, 4]);
      expect(Array.from(m)).toEqual([0, 0, 0, 0]);
      step({ ...args, grads: Float32Array.from([3, 4, 0, 0]) });
      expect(Array.from(params)).not.toEqual([1, 2, 3, 4]);
    });

    it(`${name}: an element whose square overflows float32 is refused unclipped, applied once clipped`, () => {
      const params = Float32Array.from([1, 2, 3, 4]);
      const args = { kind: 'adam' as const, params, grads: Float32Array.from([0, 0, -3e25, 0]), m: new Float32Array(4), v: new Float32Array(4), lr: 0.1, step: 1, length: 4 };
      expect(() => step(args)).toThrow(`received ${Math.fround(-3e25)} at element 2; nothing was updated.`);
      expect(Array.from(params)).toEqual([1, 2, 3, 4]);
      step({ ...args, maxGradNorm: 1 });
      expect(allFinite(params) && allFinite(args.v)).toBe(true);
      expect(params[2]).toBeGreaterThan(3);
    });
  }

  it('clipScale refuses a non-finite norm instead of returning a scale that makes the weights NaN', () => {
    expect(() => clipScale(NaN, 1)).toThrow(RangeError);
    expect(() => clipScale(Infinity, 1)).toThrow(/expected a finite gradient norm ≥ 0 for norm, received number Infinity/);
  });
});

describe('trainer state counters and resume settings', () => {
  async function midEpochCheckpoint(name: string): Promise<string> {
    const path = join(dir, name);
    const controller = new AbortController();
    const trainer = new Trainer(cfc('cpu'), { verbose: 0, epochs: 3, batchSize: 4, signal: controller.signal, onBatchEnd: (i) => void (i.epoch === 2 && i.batch === 1 && controller.abort()) });
    await trainer.fit(data(16));
    await trainer.save(path);
    return path;
  }

  async function rewriteState(from: string, to: string, edit: (stored: { step: number; state: Record<string, unknown> }) => void): Promise<void> {
    const contents = await loadSafetensors(from);
    const stored = JSON.parse(contents.metadata.trainer);
    edit(stored);
    const tensors = Object.fromEntries(Object.entries(contents.tensors).map(([k, t]) => [k, { data: t.data, shape: t.shape }]));
    await saveSafetensors(tensors as never, to, { metadata: { ...contents.metadata, trainer: JSON.stringify(stored) } });
  }

  const cases: [string, (s: { step: number; state: Record<string, unknown> }) => void, RegExp][] = [
    ['step 2^53−1', (s) => (s.step = 2 ** 53 - 1), /step is 9007199254740991, expected an integer in \[0, 281474976710656\]/],
    ['a negative epoch', (s) => (s.state.epoch = -1), /epoch is -1, expected an integer in \[0, 281474976710656\]/],
    ['a fractional batch', (s) => (s.state.batch = 0.5), /batch is 0\.5, expected an integer in \[0, 4\]/],
    ['batch beyond its epoch', (s) => (s.state.batch = 5), /batch is 5, expected an integer in \[0, 4\] \(the batches of epoch 2\)/],
    ['batches that do not cut the samples by batchSize', (s) => (s.state.batches = 9), /batches is 9, expected 4 \(16 samples in batches of options\.batchSize 4\)/],
    ['an epoch beyond its history', (s) => (s.state.epoch = 7), /history has 1 epoch records, expected one per completed epoch \(7\)/],
    ['skippedSteps as a string', (s) => (s.state.skippedSteps = '3'), /skippedSteps is "3", expected an integer in \[0, 281474976710656\]/],
    ['more consecutive skips than skips', (s) => Object.assign(s.state, { skippedSteps: 1, consecutiveSkips: 2 }), /consecutiveSkips is 2, expected an integer in \[0, 1\]/],
    ['lossCount 2^53', (s) => (s.state.lossCount = 2 ** 53), /lossCount is 9007199254740992, expected an integer in \[0, 281474976710656\]/],
  ];
  for (const [name, edit, message] of cases) {
    it(`refuses ${name} as a CheckpointError naming the field, the range and the value`, async () => {
      const good = await midEpochCheckpoint(`good-${name.replace(/\W+/g, '-')}.safetensors`);
      const bad = join(dir, `bad-${name.replace(/\W+/g, '-')}.safetensors`);
      await rewriteState(good, bad, edit);
      const error = await Trainer.load(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as Error).message).toMatch(/^Trainer\.load: ".*" has an unusable trainer state: /);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('resuming with another batch size mid-epoch names options.batchSize with both values (load and resume)', async () => {
    const path = await midEpochCheckpoint('batch-size.safetensors');
    const expected = /cannot be continued with options\.batchSize 8: it was saved with options\.batchSize 4, and epoch 2 is in progress, cut into 4 batches of that size/;
    await expect(Trainer.load(path, { batchSize: 8 })).rejects.toThrow(expected);
    const trainer = new Trainer(cfc('cpu'), { verbose: 0, epochs: 3, batchSize: 8 });
    const error = await trainer.resume(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/^Trainer\.resume: /);
    expect((error as Error).message).toMatch(expected);
    // The same batch size resumes.
    expect((await Trainer.load(path, { batchSize: 4 })).epoch).toBe(1);
  });

  it('another optimizer type names options.optimizer.type with both values', async () => {
    const path = await midEpochCheckpoint('optimizer.safetensors');
    await expect(Trainer.load(path, { optimizer: 'sgd' })).rejects.toThrow(/cannot be continued with options\.optimizer\.type "sgd": it was saved with options\.optimizer\.type "adam", and its moments/);
  });
});
