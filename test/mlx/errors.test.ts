/**
 * The MLX addon refuses what the CPU addon refuses, with the same messages (both read arguments through the same
 * native readers), refuses float64 saying why, and never lets a caller's later changes reach running work.
 */
import { describe, expect, it } from 'vitest';
import { LTC } from '../../src/models/ltc.js';
import { CfC } from '../../src/models/cfc.js';
import { thrown } from '../helpers/thrown.js';
import { requireMlx, runCpu, sequenceArgs } from './harness.js';
import { loadNative } from '../../src/backend/load.js';

describe('MLX: bad input', () => {
  it('float64 parameters are refused with the reason', () => {
    const mlx = requireMlx();
    const model = new LTC(3, 4, { dtype: 'float64', seed: 1 });
    const error = thrown(() => new mlx.MlxModel(model.nativeModelConfig())) as Error;
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/float32 only/);
    expect(error.message).toMatch(/float64/);
  });

  it('the same bad arguments give the same errors as the CPU addon', () => {
    const mlx = requireMlx();
    const model = new CfC(3, 4, { seed: 2, mixedMemory: true });
    const config = model.nativeModelConfig();
    const cpu = new (loadNative().NativeModel)(config);
    const gpu = new mlx.MlxModel(config);
    const mutations: Record<string, (a: Record<string, unknown>) => void> = {
      'negative timespan': (a) => ((a.timespans as Float32Array)[1] = -1),
      'NaN timespan': (a) => ((a.timespans as Float32Array)[0] = NaN),
      'short input': (a) => (a.input = new Float32Array(3)),
      'float64 input': (a) => (a.input = new Float64Array((a.input as Float32Array).length)),
      'missing output': (a) => delete a.output,
      'output aliasing input': (a) => (a.output = a.input),
      'zero batch': (a) => (a.batch = 0),
      'fractional steps': (a) => (a.steps = 1.5),
      'bad dropout seed': (a) => (a.dropoutSeed = -1),
      'wrong dParams length': (a) => (a.dParams = new Float32Array(2)),
    };
    for (const [name, mutate] of Object.entries(mutations)) {
      const a = sequenceArgs(model, { batch: 2, steps: 3, timespans: true }, 1, true) as unknown as Record<string, unknown>;
      const b = sequenceArgs(model, { batch: 2, steps: 3, timespans: true }, 1, true) as unknown as Record<string, unknown>;
      mutate(a);
      mutate(b);
      const expected = thrown(() => cpu.forwardBackward(a as never)) as Error;
      const actual = thrown(() => gpu.forwardBackward(b as never)) as Error;
      expect(actual.constructor, name).toBe(expected.constructor);
      expect(actual.message.replace('MlxModel', 'NativeModel'), name).toBe(expected.message);
    }
  });

  it('an offset table that points outside the parameters is refused before anything runs', () => {
    const mlx = requireMlx();
    const model = new LTC(3, 4, { seed: 3 });
    const config = model.nativeModelConfig();
    const offsets = { ...config.offsets, 'cell.w': config.params.length - 2 };
    const error = thrown(() => new mlx.MlxModel({ ...config, offsets })) as Error;
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/cell\.w/);
  });
});

describe('MLX: async calls own their inputs', () => {
  it('forwardBackwardAsync matches the sync call although the caller overwrites every input and the parameters at once', async () => {
    const mlx = requireMlx();
    const model = new LTC(3, 6, { seed: 4, mixedMemory: true });
    const config = model.nativeModelConfig();
    const shape = { batch: 2, steps: 3, timespans: true, initialState: true };
    const sync = sequenceArgs(model, shape, 9, true);
    new mlx.MlxModel(config).forwardBackward(sync);
    const gpu = new mlx.MlxModel(config);
    const async = sequenceArgs(model, shape, 9, true);
    const pending = gpu.forwardBackwardAsync(async);
    for (const key of ['input', 'timespans', 'h0', 'c0', 'dOutput', 'dHFinal', 'dCFinal'] as const) async[key]!.fill(7);
    config.params.fill(0.5);
    await pending;
    for (const key of ['output', 'hFinal', 'cFinal', 'dInput', 'dTimespans', 'dH0', 'dC0', 'dParams'] as const) {
      expect(Array.from(async[key]!), key).toEqual(Array.from(sync[key]!));
    }
  });

  it('an output detached while the call runs rejects the promise instead of writing freed memory', async () => {
    const mlx = requireMlx();
    const model = new CfC(3, 4, { seed: 5 });
    const gpu = new mlx.MlxModel(model.nativeModelConfig());
    const args = sequenceArgs(model, { batch: 2, steps: 3 }, 1, false);
    const pending = gpu.forwardAsync(args);
    structuredClone(args.output.buffer, { transfer: [args.output.buffer] });
    const error = await pending.then(() => undefined, (e: Error) => e);
    // A detached array has length 0: refused as the wrong length, naming the argument, with a code.
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error & { code?: string }).code).toBe('NCP_INVALID_RANGE');
    expect(error!.message).toMatch(/for output/);
  });

  it('results of the CPU addon and MLX agree for concurrent async calls', async () => {
    const mlx = requireMlx();
    const model = new CfC(3, 5, { seed: 6, backboneUnits: 8 });
    const config = model.nativeModelConfig();
    const gpu = new mlx.MlxModel(config);
    const calls = Array.from({ length: 6 }, (_, i) => sequenceArgs(model, { batch: 2, steps: 2 + i, timespans: true }, i, true));
    await Promise.all(calls.map((a) => gpu.forwardBackwardAsync(a)));
    for (const [i, a] of calls.entries()) {
      const cpu = runCpu(config, sequenceArgs(model, { batch: 2, steps: 2 + i, timespans: true }, i, true), true);
      for (const key of ['output', 'dParams'] as const) {
        let diff = 0, norm = 0;
        for (let j = 0; j < cpu[key].length; j++) (diff += (a[key]![j] - cpu[key][j]) ** 2), (norm += cpu[key][j] ** 2);
        expect(Math.sqrt(diff / norm), `${key} of call ${i}`).toBeLessThan(1e-5);
      }
    }
  });
});
