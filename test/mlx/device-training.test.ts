/**
 * Training on the MLX device: with a built-in loss, fit runs forward, loss, backward and the optimizer update in
 * one MLX call per batch and the parameters and moments stay on the device (read back once, at the end of the
 * fit, or when JavaScript reads them). Every optimizer (Adam, AdamW, SGD with and without momentum and Nesterov,
 * weight decay, clipping) and the LTC's non-negativity constraints agree with the CPU backend; refusals,
 * mid-fit checkpoints and misuse of the device step behave as documented.
 */
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CPU_OPTIMIZER } from '../../src/backend/cpu.js';
import type { DeviceUpdate } from '../../src/backend/device-training.js';
import { MlxBackend } from '../../src/backend/mlx.js';
import { CfC } from '../../src/models/cfc.js';
import { LTC } from '../../src/models/ltc.js';
import type { SequenceModel } from '../../src/models/sequence-model.js';
import { fit, Trainer, type FitOptions, type TrainData } from '../../src/train/index.js';
import { AutoNCP } from '../../src/wiring/index.js';
import { relativeError } from '../helpers/fixtures.js';
import { requireMlx, values } from './harness.js';

const dir = fs.mkdtempSync(join(os.tmpdir(), 'ncp-mlx-device-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

// 20 samples in batches of 4: 5 updates per epoch.
const N = 20, L = 5, S = 3;
const data: TrainData = {
  inputs: { data: values(N * L * S, 11), shape: [N, L, S] },
  targets: { data: values(N * L * 2, 12, -0.5, 0.5), shape: [N, L, 2] },
  timespans: { data: values(N * L, 13, 0.2, 1), shape: [N, L] },
};
const base: FitOptions = { verbose: 0, epochs: 4, batchSize: 4, seed: 9 };

const ltc = () => new LTC(S, new AutoNCP(8, 2, { seed: 3 }), { seed: 2, implicitParamConstraints: false });
const cfc = () => new CfC(S, 6, { seed: 4, backboneUnits: 8, backboneLayers: 2, backboneDropout: 0.2, projSize: 2 });

async function trainBoth(make: () => SequenceModel, options: FitOptions): Promise<{ cpu: SequenceModel; mlx: SequenceModel }> {
  const cpu = make();
  const mlx = make();
  await fit(cpu, data, { ...options, backend: 'cpu' });
  await fit(mlx, data, { ...options, backend: 'mlx' });
  return { cpu, mlx };
}

describe('training on the MLX device', () => {
  it('a fit keeps the parameters on the device: one MLX call per batch, no host optimizer step, one read-back at the end', async () => {
    requireMlx();
    const step = vi.spyOn(MlxBackend.prototype, 'trainStepAsync');
    const read = vi.spyOn(MlxBackend.prototype, 'readParameters');
    const readMoments = vi.spyOn(MlxBackend.prototype, 'readMoments');
    const hostStep = vi.spyOn(CPU_OPTIMIZER, 'optimizerStep');
    const model = cfc();
    const trainer = new Trainer(model, { ...base, optimizer: { type: 'adam', lr: 0.01 }, backend: 'mlx' });
    await trainer.fit(data);
    expect(step).toHaveBeenCalledTimes(20);
    expect(hostStep).not.toHaveBeenCalled();
    expect(read).toHaveBeenCalledTimes(1);
    expect(readMoments).toHaveBeenCalledTimes(1);
    // Host and device agree afterwards: a forward on MLX and on the CPU from the host buffer give the same output.
    const x = { data: values(2 * L * S, 14), shape: [2, L, S] };
    const onMlx = model.forward(x).output.data;
    model.useBackend('cpu');
    expect(relativeError(onMlx, model.forward(x).output.data)).toBeLessThan(1e-5);
  });

  const OPTIMIZERS: [string, () => SequenceModel, FitOptions][] = [
    ['AdamW with weight decay, LTC constraints', ltc, { optimizer: { type: 'adamw', lr: 0.05, weightDecay: 0.1 } }],
    ['Adam with L2 weight decay and clipGradNorm 0.05 (clipping active)', cfc, { optimizer: { type: 'adam', lr: 0.01, weightDecay: 0.01 }, clipGradNorm: 0.05 }],
    ['SGD', cfc, { optimizer: { type: 'sgd', lr: 0.1, weightDecay: 0.01 } }],
    ['SGD with momentum', ltc, { optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9 } }],
    ['SGD with Nesterov momentum, clipped', cfc, { optimizer: { type: 'sgd', lr: 0.05, momentum: 0.8, nesterov: true }, clipGradNorm: 0.1 }],
  ];
  for (const [name, make, options] of OPTIMIZERS) {
    it(`${name}: 20 steps on the device and on the CPU agree within 1e-4`, async () => {
      requireMlx();
      const { cpu, mlx } = await trainBoth(make, { ...base, ...options });
      expect(relativeError(mlx.parameters, cpu.parameters)).toBeLessThan(1e-4);
      expect(relativeError(mlx.parameters, make().parameters)).toBeGreaterThan(1e-3); // it did train
      for (const range of mlx.parameterConstraints().nonNegative) {
        expect(Math.min(...mlx.parameters.subarray(range.offset, range.offset + range.size))).toBeGreaterThanOrEqual(0);
      }
    });
  }

  it('the LTC constraints clamp on the device as on the CPU (a learning rate that drives weights below 0)', async () => {
    requireMlx();
    const { cpu, mlx } = await trainBoth(ltc, { ...base, epochs: 1, optimizer: { type: 'sgd', lr: 5 } });
    const ranges = mlx.parameterConstraints().nonNegative;
    expect(ranges.length).toBeGreaterThan(0);
    const zeros = (m: SequenceModel) => ranges.flatMap((r) => Array.from(m.parameters.subarray(r.offset, r.offset + r.size))).filter((x) => x === 0).length;
    expect(zeros(cpu)).toBeGreaterThan(0);
    expect(zeros(mlx)).toBe(zeros(cpu));
    expect(relativeError(mlx.parameters, cpu.parameters)).toBeLessThan(1e-4);
  });

  it('a finite gradient too large for float32 moments is skipped on the device as on the CPU, the weights bit for bit', async () => {
    requireMlx();
    // One sample, one output: the loss (1e19 − y)² is finite, its gradient ~2e19 is beyond √FLT_MAX.
    const huge: TrainData = {
      inputs: { data: values(L * S, 15), shape: [1, L, S] },
      targets: { data: Float32Array.of(1e19), shape: [1, 1] },
    };
    const make = () => new CfC(S, 4, { seed: 6, returnSequences: false, projSize: 1 });
    const outcomes = await Promise.all((['cpu', 'mlx'] as const).map(async (backend) => {
      const model = make();
      const before = model.parameters.slice();
      const batches: boolean[] = [];
      const history = await fit(model, huge, { verbose: 0, epochs: 1, batchSize: 1, backend, onBatchEnd: (b) => { batches.push(b.skipped === true); } });
      expect(Array.from(model.parameters)).toEqual(Array.from(before));
      return { skipped: history.epochs[0].skippedSteps, batches };
    }));
    expect(outcomes[0]).toEqual({ skipped: 1, batches: [true] });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('a checkpoint saved mid-fit on MLX (onBatchEnd) holds the device parameters and moments, and resumes on the CPU', async () => {
    requireMlx();
    const options: FitOptions = { ...base, optimizer: { type: 'adam', lr: 0.01 } };
    const straight = cfc();
    await fit(straight, data, { ...options, backend: 'cpu' });
    const path = join(dir, 'mid-fit.safetensors');
    const controller = new AbortController();
    const first = new Trainer(cfc(), {
      ...options,
      backend: 'mlx',
      signal: controller.signal,
      onBatchEnd: async (b) => {
        if (b.epoch === 2 && b.batch === 3) {
          await first.save(path);
          controller.abort();
        }
      },
    });
    await first.fit(data);
    const resumed = await Trainer.load(path, { ...options, backend: 'cpu' });
    expect(resumed.step).toBe(8);
    await resumed.fit(data);
    expect(resumed.step).toBe(20);
    expect(relativeError(resumed.model.parameters, straight.parameters)).toBeLessThan(1e-4);
  });

  describe('the device step refuses bad settings and misuse with typed errors', () => {
    const batch = () => ({ input: { data: values(2 * L * S, 16), shape: [2, L, S] }, target: { data: values(2 * L * 2, 17), shape: [2, L, 2] } });
    const update = (over: Partial<DeviceUpdate> = {}): DeviceUpdate => ({
      kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, momentum: 0, nesterov: false, step: 1, maxGradNorm: 0, nonNegative: [], ...over,
    });
    const onMlx = () => {
      requireMlx();
      const model = cfc();
      model.useBackend('mlx');
      return model;
    };

    it('bad hyper-parameters, moments and constraint ranges: the argument named, nothing changed', async () => {
      const model = onMlx();
      const before = model.parameters.slice();
      const { input, target } = batch();
      const trainable = model.layout.trainableLength;
      const cases: [Partial<DeviceUpdate>, RegExp][] = [
        [{ lr: -1 }, /expected a finite number ≥ 0 for lr, received number -1/],
        [{ beta2: 1 }, /expected a number in \[0, 1\) for beta2, received number 1/],
        [{ step: 0 }, /step/],
        [{ m: new Float32Array(trainable - 1), v: new Float32Array(trainable) }, /update\.m/],
        [{ m: new Float32Array(trainable).fill(NaN), v: new Float32Array(trainable) }, /finite moments/],
        [{ nonNegative: [{ offset: 1, size: 2 }] }, /expected the offset and size of one trainable parameter tensor for update\.nonNegative\[0\], received offset 1, size 2/],
      ];
      for (const [over, message] of cases) {
        const error = await model.trainStepOnDevice(input, target, { loss: 'mse' }, update(over)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        expect(String((error as Error).message)).toMatch(message);
        expect((error as { code?: string }).code).toMatch(/^NCP_INVALID_(RANGE|TYPE)$/);
      }
      expect(Array.from(model.parameters)).toEqual(Array.from(before));
      // And the model still trains afterwards.
      const ok = await model.trainStepOnDevice(input, target, { loss: 'mse' }, update());
      expect(ok.applied).toBe(true);
      expect(relativeError(model.parameters, before)).toBeGreaterThan(0);
    });

    it('a second step before the first settles, and parameters written while a step runs, are refused', async () => {
      const model = onMlx();
      const { input, target } = batch();
      const device = model.sequenceBackend as MlxBackend;
      const args = { version: 0, batch: 2, steps: L, batchFirst: true, returnSequences: true, input: input.data, target: target.data, loss: 'mse' as const, output: new Float32Array(2 * L * 2), hFinal: new Float32Array(2 * 6) };
      const first = device.trainStepAsync({ ...args, update: update() });
      await expect(device.trainStepAsync({ ...args, update: update() })).rejects.toMatchObject({ code: 'NCP_TRAIN_STEP_PENDING' });
      await first;
      device.discard();
      expect(() => device.commit(99)).toThrow(expect.objectContaining({ code: 'NCP_TRAIN_STEP_PENDING' }));
      // The moments it reads back are written into m and v: two views of one buffer are refused.
      const T = model.layout.trainableLength;
      const shared = new Float32Array(T + 1);
      expect(() => device.readMoments(shared.subarray(0, T), shared.subarray(1))).toThrow(/expected a buffer that does not overlap m for v, received an overlapping view/);

      const before = model.parameters.slice();
      const pending = model.trainStepOnDevice(input, target, { loss: 'mse' }, update());
      model.parameters[0] += 1;
      model.markParametersChanged();
      await expect(pending).rejects.toMatchObject({ code: 'NCP_PARAMETERS_CHANGED' });
      expect(model.parameters[0]).toBe(Math.fround(before[0] + 1));
      expect(Array.from(model.parameters.subarray(1))).toEqual(Array.from(before.subarray(1)));
    });
  });
});
