/**
 * Training on MLX: fit and Trainer run with backend 'mlx' (forward and backward on the device, the optimizer on
 * the shared parameters), 20 Adam steps agree with the CPU backend within 1e-4 relative, a non-finite gradient is
 * refused as on the CPU, and a trainer checkpoint saved on one backend resumes on the other (both directions).
 */
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoNCP } from '../../src/wiring/index.js';
import { CfC } from '../../src/models/cfc.js';
import { LTC } from '../../src/models/ltc.js';
import type { SequenceModel } from '../../src/models/sequence-model.js';
import { fit, Trainer, type FitOptions, type TrainData } from '../../src/train/index.js';
import { Optimizer } from '../../src/train/optimizer.js';
import { resolveFitOptions } from '../../src/train/options.js';
import { relativeError } from '../helpers/fixtures.js';
import { requireMlx, values } from './harness.js';

const dir = fs.mkdtempSync(join(os.tmpdir(), 'ncp-mlx-train-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// 20 samples in batches of 4: 5 updates per epoch, 4 epochs = 20 Adam steps.
const N = 20, L = 5, S = 3;
const data: TrainData = {
  inputs: { data: values(N * L * S, 1), shape: [N, L, S] },
  targets: { data: values(N * L * 2, 2, -0.5, 0.5), shape: [N, L, 2] },
  timespans: { data: values(N * L, 3, 0.2, 1), shape: [N, L] },
};
const options: FitOptions = { verbose: 0, epochs: 4, batchSize: 4, seed: 5, optimizer: { type: 'adam', lr: 0.01 } };

const MODELS: Record<string, () => SequenceModel> = {
  // Without its softplus the LTC's w, sensory_w, cm and gleak are clipped at 0 after every step (its constraints).
  'LTC AutoNCP(8, 2) without softplus': () => new LTC(S, new AutoNCP(8, 2, { seed: 3 }), { seed: 2, implicitParamConstraints: false }),
  'CfC 6 units, backbone dropout, projection 2': () => new CfC(S, 6, { seed: 4, backboneUnits: 8, backboneLayers: 2, backboneDropout: 0.2, projSize: 2 }),
};

describe('training on MLX', () => {
  for (const [name, make] of Object.entries(MODELS)) {
    it(`${name}: 20 Adam steps on MLX and on the CPU agree within 1e-4`, async () => {
      requireMlx();
      const cpu = make();
      const mlx = make();
      expect(Array.from(mlx.parameters)).toEqual(Array.from(cpu.parameters));
      const onCpu = new Trainer(cpu, { ...options, backend: 'cpu' });
      const a = await onCpu.fit(data);
      const b = await fit(mlx, data, { ...options, backend: 'mlx' });
      expect(mlx.backend).toBe('mlx');
      expect(cpu.backend).toBe('cpu');
      expect(onCpu.step).toBe(20);
      expect(relativeError(mlx.parameters, cpu.parameters)).toBeLessThan(1e-4);
      expect(relativeError(mlx.parameters, make().parameters)).toBeGreaterThan(1e-3); // it did train
      for (let e = 0; e < 4; e++) expect(Math.abs(b.epochs[e].loss - a.epochs[e].loss) / a.epochs[e].loss).toBeLessThan(1e-4);
    });
  }

  it("a non-finite gradient is refused by the MLX model's optimizer step as on the CPU, nothing written", () => {
    requireMlx();
    const outcomes = (['cpu', 'mlx'] as const).map((backend) => {
      const model = MODELS['CfC 6 units, backbone dropout, projection 2']();
      model.useBackend(backend);
      const optimizer = new Optimizer(resolveFitOptions('test', options).optimizer, model.dtype, model.layout.trainableLength, model.sequenceBackend);
      const params = model.parameters.subarray(0, model.layout.trainableLength);
      const before = params.slice();
      const grads = new Float32Array(params.length).fill(0.1);
      grads[3] = Infinity;
      const result = optimizer.apply(params, grads, 0.01);
      expect(Array.from(params)).toEqual(Array.from(before));
      return { result, step: optimizer.step };
    });
    expect(outcomes[0].result).toEqual({ applied: false, gradNorm: Infinity });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  for (const [from, to] of [['mlx', 'cpu'], ['cpu', 'mlx']] as const) {
    it(`a trainer checkpoint saved on ${from} resumes on ${to}`, async () => {
      requireMlx();
      const make = MODELS['CfC 6 units, backbone dropout, projection 2'];
      const straight = make();
      await new Trainer(straight, { ...options, backend: 'cpu' }).fit(data);

      const first = new Trainer(make(), { ...options, epochs: 2, backend: from });
      await first.fit(data);
      const path = join(dir, `${from}-to-${to}.safetensors`);
      await first.save(path);
      const resumed = await Trainer.load(path, { ...options, backend: to });
      expect(resumed.model.backend).toBe(to);
      expect(resumed.step).toBe(10);
      const history = await resumed.fit(data);
      expect(history.epochs.length).toBe(4);
      expect(resumed.step).toBe(20);
      expect(relativeError(resumed.model.parameters, straight.parameters)).toBeLessThan(1e-4);
    });
  }
});
