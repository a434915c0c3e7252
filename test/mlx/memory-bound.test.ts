/**
 * A call whose graph would not fit on the MLX device is refused before MLX allocates anything
 * (models/call-limits.ts with backend/mlx-memory.ts's estimate): on MLX's CPU device an allocation failure inside
 * MLX would be a crash.
 */
import { describe, expect, it } from 'vitest';
import { mlxCallBytes } from '../../src/backend/mlx-memory.js';
import type { MlxAddon } from '../../src/backend/mlx-types.js';
import type { DeviceCallMemory } from '../../src/backend/sequence-backend.js';
import { SizeLimitError } from '../../src/errors.js';
import { checkCallSize, type CallShape, type ModelSizes } from '../../src/models/call-limits.js';
import { CfC } from '../../src/models/cfc.js';
import { LTC } from '../../src/models/ltc.js';
import type { SequenceModel } from '../../src/models/sequence-model.js';
import { tensor } from '../../src/models/tensor.js';
import { AutoNCP } from '../../src/wiring/index.js';
import { requireMlx, sequenceArgs } from './harness.js';

/** Runs a backward (or forward) call on MLX and returns MLX's peak above what was live before it. */
function measuredPeak(mlx: MlxAddon, model: SequenceModel, batch: number, steps: number, backward: boolean): number {
  const native = new mlx.MlxModel(model.nativeModelConfig());
  const run = () => {
    const args = sequenceArgs(model, { batch, steps, timespans: true }, 1, backward);
    if (backward) native.forwardBackward(args);
    else native.forward(args);
  };
  run(); // uploads the parameters, which stay live
  mlx.resetPeakMemory();
  const before = mlx.memory().activeBytes;
  run();
  return mlx.memory().peakBytes - before;
}

describe('MLX: the memory bound', () => {
  it('the estimate is above what MLX actually holds, for LTC and CfC, forward and backward', () => {
    const mlx = requireMlx();
    const models: SequenceModel[] = [
      new LTC(8, 32, { seed: 1 }),
      new LTC(4, 24, { seed: 1, odeUnfolds: 2, mixedMemory: true }),
      new CfC(8, 32, { seed: 1, backboneUnits: 128, backboneLayers: 1 }),
      new CfC(8, 48, { seed: 1, backboneUnits: 64, backboneLayers: 3, mixedMemory: true }),
      new CfC(6, 16, { seed: 1, mode: 'pure' }),
      new CfC(5, new AutoNCP(24, 4, { seed: 2 }), { seed: 1 }),
      new CfC(5, new AutoNCP(40, 6, { seed: 2 }), { seed: 1, mode: 'no_gate', mixedMemory: true }),
    ];
    for (const model of models) {
      for (const [batch, steps] of [[1, 16], [8, 8], [16, 24]]) {
        for (const backward of [false, true]) {
          const estimate = mlxCallBytes(
            { cell: model.modelSpec().cell, mixedMemory: model.hasMixedMemory, inputs: model.inputSize, state: model.stateSize, outputs: model.outputSize, params: model.parameters.length },
            { batch, steps, backward, returnSequences: true, hasTimespans: true },
          );
          const peak = measuredPeak(mlx, model, batch, steps, backward);
          expect(peak, `${model.modelSpec().cell.kind} ${model.stateSize} units ${batch}×${steps} ${backward ? 'backward' : 'forward'}`).toBeLessThanOrEqual(estimate);
        }
      }
    }
  });

  it('an oversized call is refused with SizeLimitError before MLX allocates, and a smaller one runs', async () => {
    const mlx = requireMlx();
    const model = new LTC(8, 64, { seed: 1, backend: 'mlx' });
    const [B, L] = [256, 256]; // ~68 GiB of graph on the device by the estimate
    const input = tensor(new Float32Array(B * L * 8), [B, L, 8]);
    const dOutput = tensor(new Float32Array(B * L * model.outputSize), [B, L, model.outputSize]);
    model.forward(tensor(new Float32Array(2 * 8), [1, 2, 8])); // the parameters live on the device
    mlx.resetPeakMemory();
    const live = mlx.memory().activeBytes;
    const refusals = [
      (() => { try { model.forwardBackward(input, dOutput); } catch (e) { return e; } })(),
      await model.forwardBackwardAsync(input, dOutput).then(() => undefined, (e: unknown) => e),
    ];
    for (const error of refusals) {
      expect(error).toBeInstanceOf(SizeLimitError);
      expect((error as SizeLimitError).code).toBe('NCP_SIZE_LIMIT');
      expect((error as Error).message).toMatch(/LTC\.forwardBackward(Async)?: expected at most 4 GiB \(LIMITS\.maxWorkspaceBytes = 4294967296 bytes\) for the memory of this call on mlx (cpu|gpu)/);
      expect((error as Error).message).toMatch(/received \d+(\.\d+)? GiB \(batch 256, length 256 with gradients; use a smaller batch or shorter sequences, or backend: 'cpu'\)/);
    }
    expect(mlx.memory().peakBytes).toBeLessThanOrEqual(live);

    const small = model.forwardBackward(tensor(new Float32Array(2 * 16 * 8).fill(0.5), [2, 16, 8]), tensor(new Float32Array(2 * 16 * model.outputSize).fill(1), [2, 16, model.outputSize]));
    expect(small.output.data.every(Number.isFinite)).toBe(true);
    expect(mlx.memory().peakBytes).toBeGreaterThan(live);
  });

  it('the addon refuses the oversized call itself, for callers that reach it directly, with the same estimate', async () => {
    const mlx = requireMlx();
    const update = { kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, momentum: 0, nesterov: false, step: 1, maxGradNorm: 0, nonNegative: [] };
    for (const model of [new LTC(8, 64, { seed: 1 }), new CfC(2, 8, { seed: 1, backboneUnits: 1024, backboneLayers: 4 })]) {
      const native = new mlx.MlxModel(model.nativeModelConfig());
      native.forward(sequenceArgs(model, { batch: 1, steps: 2 }, 1, false)); // the parameters live on the device
      mlx.resetPeakMemory();
      const live = mlx.memory().activeBytes;
      const huge = () => sequenceArgs(model, { batch: 256, steps: 256 }, 1, true);
      const estimate = mlxCallBytes(
        { cell: model.modelSpec().cell, mixedMemory: model.hasMixedMemory, inputs: model.inputSize, state: model.stateSize, outputs: model.outputSize, params: model.parameters.length },
        { batch: 256, steps: 256, backward: true, returnSequences: true, hasTimespans: false },
      );
      const refusals = [
        (() => { try { native.forwardBackward(huge()); } catch (e) { return e; } })(),
        // Bad arguments of the async methods throw at the call, as on the CPU addon.
        await (async () => native.forwardBackwardAsync(huge()))().then(() => undefined, (e: unknown) => e),
        await (async () => native.trainStepAsync({ ...huge(), loss: 'mse', target: new Float32Array(256 * 256 * model.outputSize), update } as never))().then(() => undefined, (e: unknown) => e),
      ];
      for (const error of refusals) {
        expect(error).toBeInstanceOf(RangeError);
        expect((error as { code?: string }).code).toBe('NCP_SIZE_LIMIT');
        expect((error as Error).message).toMatch(
          /^(LTC|CfC)\.(forwardBackward|forwardBackwardAsync|trainStepAsync): expected at most 4294967296 bytes \(LIMITS\.maxWorkspaceBytes\) for the memory of this call on the MLX device \(its graph, estimated before it runs\), received \d+ bytes \(batch 256, length 256 with gradients; use a smaller batch or shorter sequences, or backend: 'cpu'\)\.$/,
        );
        // native/mlx/mlx_memory.cpp and src/backend/mlx-memory.ts compute the same estimate.
        expect(Number(/received (\d+) bytes/.exec((error as Error).message)![1])).toBe(estimate);
      }
      expect(mlx.memory().peakBytes).toBeLessThanOrEqual(live);
      native.forwardBackward(sequenceArgs(model, { batch: 2, steps: 16 }, 1, true));
      expect(mlx.memory().peakBytes).toBeGreaterThan(live);
    }
  });

  it('a device budget below LIMITS.maxWorkspaceBytes is the bound, named in the error', () => {
    const sizes: ModelSizes = { inputs: 2, state: 4, outputs: 4, params: 100, mixedMemory: false, bytesPerElement: 4, step: { tape: 10, scratch: 10 } };
    const call: CallShape = { batch: 4, steps: 8, backward: true, returnSequences: true, hasTimespans: false, threads: 1, shape: [4, 8, 2] };
    const device = (bytes: number): { deviceMemory: () => DeviceCallMemory } => ({
      deviceMemory: () => ({ bytes, budgetBytes: 2 ** 30, budget: "the Metal GPU's recommended working set", device: 'mlx gpu (Apple M1)' }),
    });
    expect(() => checkCallSize('CfC.forwardBackward', sizes, call, device(2 ** 30))).not.toThrow();
    let error: unknown;
    try {
      checkCallSize('CfC.forwardBackward', sizes, call, device(2 ** 30 + 1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SizeLimitError);
    expect((error as SizeLimitError).limit).toBe('deviceBudgetBytes');
    expect((error as Error).message).toBe(
      "CfC.forwardBackward: expected at most 1 GiB (the Metal GPU's recommended working set, 1073741824 bytes) for the memory of this call on mlx gpu (Apple M1) (its graph, estimated before it runs), received 1 GiB (batch 4, length 8 with gradients; use a smaller batch or shorter sequences, or backend: 'cpu').",
    );
  });
});
