/**
 * The fused forwardBackwardLoss on MLX (the loss inside the graph, one vector-Jacobian product) against the CPU
 * addon's (core/loss.h between the runner's forward and backward): loss, output, state and every gradient within
 * 1e-5, for every built-in loss with mask and index targets; forward's dropoutSeed applies the training masks on
 * both; bad loss arguments are refused by the same validation path.
 */
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backend/load.js';
import type { LossArgs, SequenceArgs } from '../../src/backend/sequence-args.js';
import { AutoNCP, CfC, LTC } from '../../src/index.js';
import type { SequenceModel } from '../../src/models/sequence-model.js';
import { expectClose, requireMlx, resultsOf, sequenceArgs, values, type CallShape } from './harness.js';

const MODELS: Record<string, () => SequenceModel> = {
  'LTC mixed memory': () => new LTC(3, 5, { mixedMemory: true, seed: 3 }),
  'CfC with dropout and projection': () => new CfC(3, 4, { backboneUnits: 6, backboneLayers: 2, backboneDropout: 0.4, projSize: 3, seed: 5 }),
  'CfC wired, time-major': () => new CfC(3, new AutoNCP(7, 3, { seed: 2 }), { batchFirst: false, seed: 6 }),
};

const LOSSES: [LossArgs['loss'], boolean, boolean][] = [
  ['mse', false, true],
  ['mae', false, false],
  ['bce', false, true],
  ['crossEntropy', false, false],
  ['crossEntropy', true, true],
];

function relative(a: Float32Array, e: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < e.length; i++) {
    diff += (a[i] - e[i]) ** 2;
    norm += e[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

function fusedArgs(model: SequenceModel, shape: CallShape, loss: LossArgs['loss'], index: boolean, masked: boolean): SequenceArgs<Float32Array> & LossArgs {
  const args = sequenceArgs(model, shape, 7, true);
  delete args.dOutput;
  const P = model.outputSize;
  const rows = args.returnSequences ? shape.batch * shape.steps : shape.batch;
  const target = index ? Float32Array.from({ length: rows }, (_, r) => (r * 5) % P) : values(rows * P, 9, loss === 'mse' || loss === 'mae' ? -1 : 0, 1);
  const mask = masked ? Float32Array.from({ length: rows }, (_, r) => (r % 3 === 2 ? 0 : 1)) : undefined;
  return { ...args, loss, target, mask, targetIsIndex: index };
}

describe('MLX fused forwardBackwardLoss vs the CPU addon (float32, within 1e-5)', () => {
  for (const [name, make] of Object.entries(MODELS)) {
    for (const [loss, index, masked] of LOSSES) {
      it(`${name}: ${loss}${index ? ' (index targets)' : ''}${masked ? ' with mask' : ''}, sync and async`, async () => {
        const mlx = new (requireMlx().MlxModel)(make().nativeModelConfig());
        const model = make();
        const cpu = new (loadNative().NativeModel)(model.nativeModelConfig());
        const shape: CallShape = { batch: 3, steps: 4, timespans: true, initialState: true, dropoutSeed: 99 };
        const cpuArgs = fusedArgs(model, shape, loss, index, masked);
        const expected = cpu.forwardBackwardLoss(cpuArgs);
        for (const async of [false, true]) {
          const mlxArgs = fusedArgs(model, shape, loss, index, masked);
          const got = async ? await mlx.forwardBackwardLossAsync(mlxArgs) : mlx.forwardBackwardLoss(mlxArgs);
          expect(got.count).toBe(expected.count);
          expect(Math.abs(got.loss - expected.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(expected.loss));
          const { dParams: gotGrads, ...gotRest } = resultsOf(mlxArgs);
          const { dParams: wantGrads, ...wantRest } = resultsOf(cpuArgs);
          expectClose(gotRest, wantRest, model, 1e-5, `${loss} async=${async}`);
          // The parameter gradient as one vector: a single small tensor of it (a wired layer's bias) can sit at
          // float32's conditioning limit, where the CPU's own float32 is 2e-5 off its float64 figure.
          const T = model.layout.trainableLength;
          expect(relative(gotGrads.subarray(0, T), wantGrads.subarray(0, T)), `${loss} async=${async}: dParams`).toBeLessThan(1e-5);
        }
      });
    }
  }

  it("forward with a dropoutSeed applies the training masks, as the CPU addon's forward does", () => {
    const model = MODELS['CfC with dropout and projection']();
    const mlx = new (requireMlx().MlxModel)(model.nativeModelConfig());
    const cpu = new (loadNative().NativeModel)(model.nativeModelConfig());
    const shape: CallShape = { batch: 2, steps: 3, dropoutSeed: 5 };
    const a = { ...sequenceArgs(model, shape, 3, false), dropoutSeed: 5 };
    const b = { ...sequenceArgs(model, shape, 3, false), dropoutSeed: 5 };
    const plain = sequenceArgs(model, shape, 3, false);
    cpu.forward(a);
    mlx.forward(b);
    mlx.forward(plain);
    expectClose(resultsOf(b), resultsOf(a), model, 1e-5, 'forward with dropout');
    let diff = 0;
    for (let i = 0; i < a.output.length; i++) diff = Math.max(diff, Math.abs(plain.output[i] - a.output[i]));
    expect(diff).toBeGreaterThan(1e-3);
  });

  it('bad loss arguments: the same typed errors as the CPU addon', () => {
    const model = MODELS['LTC mixed memory']();
    const mlx = new (requireMlx().MlxModel)(model.nativeModelConfig());
    const cpu = new (loadNative().NativeModel)(model.nativeModelConfig());
    const shape: CallShape = { batch: 2, steps: 3 };
    const bad = [
      { loss: 'hinge' as never },
      { target: new Float32Array(1) },
      { loss: 'crossEntropy' as const, targetIsIndex: true, target: new Float32Array(6).fill(9) },
      { mask: new Float32Array(6).fill(0.5) },
    ];
    for (const change of bad) {
      const messages = [cpu, mlx].map((m) => {
        try {
          m.forwardBackwardLoss({ ...fusedArgs(model, shape, 'mse', false, false), ...change });
        } catch (error) {
          return `${(error as Error).name} ${(error as { code?: string }).code} ${(error as Error).message}`;
        }
        return 'no error';
      });
      expect(messages[0]).not.toBe('no error');
      expect(messages[1]).toBe(messages[0]);
    }
  });
});
