import { describe, expect, it } from 'vitest';
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import type { SequenceModel } from '../models/sequence-model.js';
import { arrayTypeOf, type Dtype } from '../models/tensor.js';
import { AutoNCP } from '../wiring/index.js';
import { computeLoss } from './losses.js';
import { TrainerBusyError, TrainingDivergedError, Trainer, evaluate, fit, predict, type BatchInfo, type FitOptions, type TrainData } from './index.js';
import { TrainRng } from './rng.js';

/** N sines, each sampled at L random times: input sin(t), target cos(t), timespans the gaps. */
function sineData(N: number, L: number, seed: number, dtype: Dtype = 'float32'): TrainData {
  const rng = new TrainRng(seed);
  const u = () => rng.nextU32() / 2 ** 32;
  const A = arrayTypeOf(dtype);
  const x = new A(N * L);
  const y = new A(N * L);
  const ts = new A(N * L);
  for (let i = 0; i < N; i++) {
    let t = u() * 2 * Math.PI;
    for (let l = 0; l < L; l++) {
      const dt = 0.05 + u() * 0.45;
      t += dt;
      ts[i * L + l] = dt;
      x[i * L + l] = Math.sin(t);
      y[i * L + l] = Math.cos(t);
    }
  }
  return { inputs: { data: x, shape: [N, L, 1] }, targets: { data: y, shape: [N, L, 1] }, timespans: { data: ts, shape: [N, L] } };
}

const smallCfC = (seed = 1, extra: object = {}) => new CfC(1, 8, { projSize: 1, backboneUnits: 8, seed, ...extra });
const quiet: FitOptions = { verbose: 0 };

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

describe('option validation', () => {
  const model = smallCfC();
  const cases: [string, unknown, typeof TypeError | typeof RangeError, RegExp][] = [
    ['an unknown option', { epoch: 3 }, TypeError, /^Trainer: expected no such option \(known: epochs, batchSize, .*\) for options\.epoch, received number 3\.$/],
    ['epochs 0', { epochs: 0 }, RangeError, /^Trainer: expected a positive integer for options\.epochs, received number 0\.$/],
    ['a fractional batch size', { batchSize: 2.5 }, RangeError, /expected a positive integer for options\.batchSize, received number 2\.5/],
    ['an unknown loss', { loss: 'huber' }, RangeError, /expected one of 'mse' \| 'mae' \| 'bce' \| 'crossEntropy' for options\.loss, received string "huber"/],
    ['a loss of the wrong type', { loss: 3 }, TypeError, /or a loss function for options\.loss, received number 3/],
    ['an unknown optimizer', { optimizer: 'rmsprop' }, RangeError, /for options\.optimizer, received string "rmsprop"/],
    ['momentum on adam', { optimizer: { type: 'adam', momentum: 0.9 } }, TypeError, /expected no momentum for adam \(sgd only\) for options\.optimizer\.momentum/],
    ['bad betas', { optimizer: { type: 'adamw', betas: [0.9, 1] } }, RangeError, /expected a number in \[0, 1\) for options\.optimizer\.betas\[1\], received number 1\./],
    ['nesterov without momentum', { optimizer: { type: 'sgd', nesterov: true } }, RangeError, /a momentum in \(0, 1\) with nesterov for options\.optimizer\.momentum, received number 0/],
    ['a negative lr', { optimizer: { type: 'sgd', lr: -0.1 } }, RangeError, /expected a finite number ≥ 0 for options\.optimizer\.lr, received number -0\.1\./],
    ['clipGradNorm 0', { clipGradNorm: 0 }, RangeError, /expected a finite number > 0 for options\.clipGradNorm, received number 0\./],
    ['validationSplit 1', { validationSplit: 1 }, RangeError, /expected a number in \(0, 1\) for options\.validationSplit, received number 1\./],
    ['both validation forms', { validationSplit: 0.2, validationData: {} }, TypeError, /no validationSplit when validationData is given/],
    ['early stopping without patience', { earlyStopping: {} }, TypeError, /for options\.earlyStopping\.patience, received undefined/],
    ['valLoss without validation', { earlyStopping: { patience: 1, monitor: 'valLoss' } }, TypeError, /'loss' when there is no validationData or validationSplit for options\.earlyStopping\.monitor/],
    ['verbose 3', { verbose: 3 }, RangeError, /expected one of 0 \| 1 \| 2 for options\.verbose, received number 3\./],
    ['a non-function callback', { onBatchEnd: 'log' }, TypeError, /expected a function for options\.onBatchEnd, received string "log"/],
    ['a non-signal', { signal: {} }, TypeError, /expected an AbortSignal for options\.signal, received object \{\}/],
    ['a seed out of range', { seed: -1 }, RangeError, /expected an integer from 0 to 4294967295 for options\.seed/],
  ];
  for (const [name, options, kind, message] of cases) {
    it(`refuses ${name}`, () => {
      const error = thrown(() => new Trainer(model, options as FitOptions));
      expect(error).toBeInstanceOf(kind);
      expect((error as Error & { code: string }).code).toBe(kind === TypeError ? 'NCP_INVALID_TYPE' : 'NCP_INVALID_RANGE');
      expect(error.message).toMatch(message);
    });
  }

  it('refuses data that does not fit the model, naming the field', async () => {
    const data = sineData(4, 5, 1);
    await expect(fit(model, { ...data, targets: { data: new Float32Array(4 * 5 * 2), shape: [4, 5, 2] } }, quiet)).rejects.toThrow(
      /^Trainer\.fit: expected \[4, 5, 1\] \(N×L×P\) for data\.targets\.shape, received \[4, 5, 2\]\.$/,
    );
    await expect(fit(model, { ...data, inputs: { data: new Float64Array(20), shape: [4, 5, 1] } }, quiet)).rejects.toThrow(TypeError);
    await expect(fit(model, { ...data, mask: { data: new Uint8Array(20).fill(2), shape: [4, 5] } }, quiet)).rejects.toThrow(/expected 0 or 1 for data\.mask \(element 0\), received number 2/);
    const ts = data.timespans!.data.slice();
    ts[3] = 0;
    await expect(fit(model, { ...data, timespans: { data: ts, shape: [4, 5] } }, quiet)).rejects.toThrow(/finite elapsed times > 0 for data\.timespans \(element 3\), received number 0/);
    await expect(fit(model, { ...data, extra: 1 } as TrainData, quiet)).rejects.toThrow(/no such field .* for data\.extra/);
  });
});

describe('the training loop', () => {
  it('keeps timers firing while fit runs (the work is off the main thread)', async () => {
    const model = new LTC(4, 32, { seed: 2 });
    const N = 64;
    const L = 40;
    const data: TrainData = { inputs: { data: new Float32Array(N * L * 4).fill(0.5), shape: [N, L, 4] }, targets: { data: new Float32Array(N * L * 32), shape: [N, L, 32] } };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let batches = 0;
    try {
      await fit(model, data, { ...quiet, epochs: 2, batchSize: 16, onBatchEnd: () => void batches++ });
    } finally {
      clearInterval(timer);
    }
    expect(batches).toBe(8);
    expect(ticks).toBeGreaterThanOrEqual(8);
  });

  it('an abort from onBatchEnd at batch k stops with exactly k updates and aborted: true', async () => {
    const k = 3;
    const controller = new AbortController();
    const model = smallCfC();
    const initial = model.parameters.slice();
    const seen: number[] = [];
    const trainer = new Trainer(model, {
      ...quiet,
      epochs: 5,
      batchSize: 4,
      signal: controller.signal,
      onBatchEnd: (info) => {
        seen.push(info.batch);
        if (info.batch === k) controller.abort();
      },
    });
    const history = await trainer.fit(sineData(32, 6, 1));
    expect(history).toEqual({ epochs: [], aborted: true, stoppedEarly: false });
    expect(seen).toEqual([1, 2, 3]);
    expect(trainer.step).toBe(k);
    expect(model.parameters).not.toEqual(initial);
  });

  it('an abort while a batch runs lets that batch finish, then stops; an aborted signal trains nothing', async () => {
    const controller = new AbortController();
    let batches = 0;
    let batchesAfterAbort = 0;
    const trainer = new Trainer(new LTC(4, 16), {
      ...quiet, epochs: 50, batchSize: 8, signal: controller.signal,
      onBatchEnd: () => {
        if (controller.signal.aborted) batchesAfterAbort++;
        else if (++batches === 1) setTimeout(() => controller.abort(), 0);
      },
    });
    const N = 64;
    const data: TrainData = { inputs: { data: new Float32Array(N * 30 * 4).fill(1), shape: [N, 30, 4] }, targets: { data: new Float32Array(N * 30 * 16), shape: [N, 30, 16] } };
    // The abort comes from a timer, as a caller's would, but armed by the first batch's end rather than after a
    // fixed 30 ms (which assumed the first batch is done by then: not on a slow or instrumented run). It fires
    // while the trainer is inside a later batch or between two; either way at most that batch completes.
    const history = await trainer.fit(data);
    expect(history.aborted).toBe(true);
    expect(batches).toBeGreaterThan(0);
    // The batch in flight when the signal fired completes; no other starts.
    expect(batchesAfterAbort).toBeLessThanOrEqual(1);
    expect(trainer.step).toBe(batches + batchesAfterAbort);
    expect(history.epochs.length).toBe(Math.floor(trainer.step / 8));
    const again = await trainer.fit(data);
    expect(again.aborted).toBe(true);
    expect(trainer.step).toBe(batches + batchesAfterAbort);
  });

  it('is deterministic: same seed ⇒ identical weights (shuffle and dropout on), another seed differs', async () => {
    const run = async (seed: number) => {
      const model = new CfC(1, 8, { projSize: 1, backboneUnits: 8, backboneLayers: 2, backboneDropout: 0.3, seed: 5 });
      await fit(model, sineData(24, 5, 2), { ...quiet, epochs: 3, batchSize: 5, seed, clipGradNorm: 0.5, schedule: { type: 'cosine', warmupSteps: 3 } });
      return model.parameters;
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it('one batch is exactly: loss gradient → forwardBackward → clipped SGD step', async () => {
    const model = smallCfC(3, { dtype: 'float64' });
    const twin = smallCfC(3, { dtype: 'float64' });
    const data = sineData(6, 4, 3, 'float64');
    await fit(model, data, { ...quiet, batchSize: 6, shuffle: false, optimizer: { type: 'sgd', lr: 0.1 }, clipGradNorm: 0.01 });
    const { output } = twin.forward(data.inputs, { timespans: data.timespans });
    const { grad } = computeLoss('mse', { output: output.data, target: data.targets.data, outputs: 1 });
    const { grads } = twin.forwardBackward(data.inputs, { data: grad, shape: output.shape }, { timespans: data.timespans });
    const T = twin.layout.trainableLength;
    const g = grads.flat.subarray(0, T);
    const norm = Math.sqrt(Array.from(g).reduce((s, x) => s + x * x, 0));
    expect(norm).toBeGreaterThan(0.01);
    const scale = 0.01 / (norm + 1e-6);
    for (let i = 0; i < T; i++) expect(model.parameters[i]).toBeCloseTo(twin.parameters[i] - 0.1 * scale * g[i], 14);
  });

  it('padded steps (mask 0) do not change training at all', async () => {
    const N = 12;
    const L = 6;
    const base = sineData(N, L, 4);
    const mask = new Uint8Array(N * L);
    for (let i = 0; i < N; i++) for (let l = 0; l < 2 + (i % 5); l++) mask[i * L + l] = 1; // right-padded, lengths 2..6
    const scribbled = { inputs: { data: base.inputs.data.slice(), shape: base.inputs.shape }, targets: { data: base.targets.data.slice(), shape: base.targets.shape }, timespans: { data: base.timespans!.data.slice(), shape: [N, L] } };
    mask.forEach((m, j) => {
      if (m === 0) {
        scribbled.inputs.data[j] = 9;
        scribbled.targets.data[j] = -9;
        scribbled.timespans.data[j] = 3;
      }
    });
    const a = smallCfC(6);
    const b = smallCfC(6);
    const options = { ...quiet, epochs: 2, batchSize: 4, optimizer: { type: 'adam' as const, lr: 0.01 } };
    await fit(a, { ...base, mask: { data: mask, shape: [N, L] } }, options);
    await fit(b, { ...scribbled, mask: { data: mask, shape: [N, L] } }, options);
    expect(Buffer.from(a.parameters.buffer).equals(Buffer.from(b.parameters.buffer))).toBe(true);
    // …whereas without the mask the scribbles do matter.
    const c = smallCfC(6);
    await fit(c, scribbled, options);
    expect(Buffer.from(a.parameters.buffer).equals(Buffer.from(c.parameters.buffer))).toBe(false);
  });

  it('learns an irregularly sampled sine (CfC and wired LTC): the loss falls by a large factor', async () => {
    const train = sineData(128, 24, 1);
    const test = sineData(64, 24, 99);
    const cases: [string, SequenceModel, number, number][] = [
      ['CfC', new CfC(1, 16, { projSize: 1, backboneUnits: 32 }), 40, 10],
      ['LTC', new LTC(1, new AutoNCP(12, 1, { seed: 1 }), { odeUnfolds: 3 }), 60, 4],
    ];
    for (const [, model, epochs, factor] of cases) {
      const before = await evaluate(model, test);
      const history = await fit(model, train, { ...quiet, epochs, batchSize: 16, optimizer: { type: 'adam', lr: model instanceof LTC ? 0.05 : 0.02 }, seed: 3 });
      const after = await evaluate(model, test);
      expect(before / after).toBeGreaterThan(factor);
      expect(history.epochs.at(-1)!.loss).toBeLessThan(history.epochs[0].loss);
    }
  });

  it('reports the same figures to onBatchEnd and onEpochEnd, batch numbers counting up', async () => {
    const batches: BatchInfo[] = [];
    const epochs: number[] = [];
    const history = await fit(smallCfC(), sineData(20, 5, 5), {
      ...quiet, epochs: 2, batchSize: 8, validationSplit: 0.2,
      onBatchEnd: (info) => void batches.push(info),
      onEpochEnd: async (info) => {
        await new Promise((r) => setTimeout(r, 1)); // async callbacks are awaited
        epochs.push(info.epoch);
        expect(info.valLoss).toBeGreaterThan(0);
        expect(info.batches).toBe(2);
      },
    });
    expect(batches.map((b) => `${b.epoch}.${b.batch}/${b.batches}`)).toEqual(['1.1/2', '1.2/2', '2.1/2', '2.2/2']);
    expect(epochs).toEqual([1, 2]);
    for (const b of batches) {
      for (const key of ['loss', 'batchLoss', 'lr', 'sampleStepsPerSecond', 'elapsedMs', 'etaMs'] as const) expect(Number.isFinite(b[key])).toBe(true);
    }
    expect(batches.at(-1)!.etaMs).toBe(0);
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(history.epochs[1].valLoss).toBeDefined();
  });

  it('validationSplit holds out the last samples: the last valLoss equals evaluate on them', async () => {
    const model = smallCfC();
    const data = sineData(20, 5, 6);
    const history = await fit(model, data, { ...quiet, epochs: 2, batchSize: 4, validationSplit: 0.25 });
    const held: TrainData = {
      inputs: { data: data.inputs.data.slice(15 * 5), shape: [5, 5, 1] },
      targets: { data: data.targets.data.slice(15 * 5), shape: [5, 5, 1] },
      timespans: { data: data.timespans!.data.slice(15 * 5), shape: [5, 5] },
    };
    expect(history.epochs[1].valLoss).toBeCloseTo(await evaluate(model, held), 12);
  });

  it('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    const model = smallCfC();
    const snapshots: Float32Array[] = [];
    const history = await fit(model, sineData(16, 5, 7), {
      ...quiet, epochs: 10, batchSize: 4,
      // A minDelta no epoch can beat: epoch 1 stays the best.
      earlyStopping: { patience: 2, minDelta: 1e9, restoreBestWeights: true },
      onEpochEnd: () => void snapshots.push(model.parameters.slice() as Float32Array),
    });
    expect(history.stoppedEarly).toBe(true);
    expect(history.bestEpoch).toBe(1);
    expect(history.epochs.length).toBe(3);
    expect(model.parameters).toEqual(snapshots[0]);
    expect(model.parameters).not.toEqual(snapshots[2]);
  });

  it('clips LTC parameters at 0 when implicitParamConstraints is off (ncps behaviour)', async () => {
    const model = new LTC(1, 6, { implicitParamConstraints: false, seed: 4 });
    const data = sineData(16, 5, 8);
    await fit(model, { ...data, targets: { data: new Float32Array(16 * 5 * 6).fill(-3), shape: [16, 5, 6] } }, { ...quiet, epochs: 3, batchSize: 4, optimizer: { type: 'sgd', lr: 2 } });
    const params = model.namedParameters();
    let zeros = 0;
    for (const name of ['rnn_cell.w', 'rnn_cell.sensory_w', 'rnn_cell.cm', 'rnn_cell.gleak']) {
      for (const v of params[name].data) {
        expect(v).toBeGreaterThanOrEqual(0);
        if (v === 0) zeros++;
      }
    }
    expect(zeros).toBeGreaterThan(0);
  });

  it('works time-major (L×N×…) and predict matches forward in both layouts', async () => {
    for (const batchFirst of [true, false]) {
      const model = new CfC(2, 6, { batchFirst, backboneUnits: 8, seed: 9 });
      const N = 10;
      const L = 4;
      const inputs = { data: Float32Array.from({ length: N * L * 2 }, (_, i) => Math.sin(i)), shape: batchFirst ? [N, L, 2] : [L, N, 2] };
      const targets = { data: new Float32Array(N * L * 6).fill(0.1), shape: batchFirst ? [N, L, 6] : [L, N, 6] };
      const history = await fit(model, { inputs, targets }, { ...quiet, epochs: 2, batchSize: 3 });
      expect(history.epochs.length).toBe(2);
      const predicted = await predict(model, inputs, { batchSize: 3 });
      const direct = model.forward(inputs).output;
      expect(predicted.shape).toEqual(direct.shape);
      for (let i = 0; i < direct.data.length; i++) expect(predicted.data[i]).toBeCloseTo(direct.data[i], 6);
    }
  });

  it('trains a classifier with crossEntropy and class-index targets (returnSequences false)', async () => {
    const model = new CfC(1, 6, { returnSequences: false, projSize: 2, backboneUnits: 8 });
    const N = 32;
    const L = 5;
    const x = new Float32Array(N * L);
    const y = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      y[i] = i % 2;
      for (let l = 0; l < L; l++) x[i * L + l] = (y[i] ? 1 : -1) * (0.5 + ((i * 7 + l) % 5) / 10);
    }
    const data: TrainData = { inputs: { data: x, shape: [N, L, 1] }, targets: { data: y, shape: [N] } };
    const before = await evaluate(model, data, { loss: 'crossEntropy' });
    await fit(model, data, { ...quiet, epochs: 15, batchSize: 8, loss: 'crossEntropy', optimizer: { type: 'adam', lr: 0.02 } });
    expect(await evaluate(model, data, { loss: 'crossEntropy' })).toBeLessThan(before / 3);
  });

  it('a custom loss works like the built-in one it reimplements', async () => {
    const mse = (output: { data: Float32Array | Float64Array; shape: number[] }, target: { data: Float32Array | Float64Array }) => {
      const r = computeLoss('mse', { output: output.data, target: target.data, outputs: 1 });
      return { loss: r.loss, grad: { data: r.grad, shape: output.shape } };
    };
    const a = smallCfC();
    const b = smallCfC();
    const data = sineData(8, 4, 10);
    await fit(a, data, { ...quiet, epochs: 2, batchSize: 4 });
    await fit(b, data, { ...quiet, epochs: 2, batchSize: 4, loss: mse });
    expect(b.parameters).toEqual(a.parameters);
  });

  it('stops on a non-finite loss without applying that update', async () => {
    const model = smallCfC();
    let calls = 0;
    let before: Float32Array | Float64Array = model.parameters.slice();
    const error = await fit(model, sineData(8, 4, 11), {
      ...quiet, epochs: 2, batchSize: 4,
      onBatchEnd: () => void (before = model.parameters.slice()),
      loss: (output) => ({ loss: ++calls === 3 ? NaN : 1, grad: { data: new Float32Array(output.data.length).fill(0.01), shape: output.shape } }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect((error as TrainingDivergedError).code).toBe('NCP_TRAINING_DIVERGED');
    expect((error as Error).message).toMatch(/^Trainer\.fit: the loss became NaN in epoch 2, batch 1; that update was not applied\./);
    expect(model.parameters).toEqual(before);
  });

  it('refuses a second fit on a trainer that is running', async () => {
    const trainer = new Trainer(smallCfC(), { ...quiet, epochs: 2 });
    const data = sineData(8, 4, 12);
    const first = trainer.fit(data);
    await expect(trainer.fit(data)).rejects.toBeInstanceOf(TrainerBusyError);
    await first;
  });
});
