/**
 * Models on backend 'mlx' through the public API: they run on MLX (the same numbers as the CPU backend within
 * 1e-5), refuse bad input exactly as on the CPU (one validation path), refuse float64 saying why, step on the CPU
 * addon, move between backends, and 'auto' stays on the CPU where MLX has no Metal GPU.
 */
import { describe, expect, it, vi } from 'vitest';
import { AutoNCP } from '../../src/wiring/index.js';
import { CfC } from '../../src/models/cfc.js';
import { LTC } from '../../src/models/ltc.js';
import type { SequenceModel, State } from '../../src/models/sequence-model.js';
import { backendInfo } from '../../src/backend/info.js';
import { relativeError } from '../helpers/fixtures.js';
import { thrown } from '../helpers/thrown.js';
import { requireMlx, values } from './harness.js';

function stateData(state: State): Float32Array {
  return ('h' in state ? state.h.data : state.data) as Float32Array;
}

const MODELS: Record<string, (backend: 'cpu' | 'mlx') => SequenceModel> = {
  'LTC AutoNCP(8, 3), mixed memory': (backend) => new LTC(3, new AutoNCP(8, 3, { seed: 2 }), { seed: 5, mixedMemory: true, backend }),
  'CfC 6 units, backbone 2×8, projection 2': (backend) => new CfC(3, 6, { seed: 6, backboneUnits: 8, backboneLayers: 2, projSize: 2, backend }),
  'wired CfC AutoNCP(8, 2), no_gate': (backend) => new CfC(3, new AutoNCP(8, 2, { seed: 1 }), { seed: 7, mode: 'no_gate', backend }),
};

describe("models on backend 'mlx'", () => {
  for (const [name, make] of Object.entries(MODELS)) {
    it(`${name}: forward and forwardBackward match the CPU backend within 1e-5`, async () => {
      requireMlx();
      const cpu = make('cpu');
      const mlx = make('mlx');
      expect(mlx.backend).toBe('mlx');
      expect(mlx.device).toMatch(/^mlx (cpu|gpu)/);
      const input = { data: values(2 * 4 * 3, 11), shape: [2, 4, 3] };
      const timespans = { data: values(2 * 4, 12, 0.2, 1.5), shape: [2, 4] };
      const a = cpu.forward(input, { timespans });
      const b = await mlx.forwardAsync(input, { timespans });
      expect(relativeError(b.output.data, a.output.data)).toBeLessThan(1e-5);
      const dOutput = { data: values(a.output.data.length, 13), shape: a.output.shape };
      const ga = cpu.forwardBackward(input, dOutput, { timespans });
      const gb = await mlx.forwardBackwardAsync(input, dOutput, { timespans });
      expect(relativeError(gb.grads.flat, ga.grads.flat)).toBeLessThan(1e-5);
      expect(relativeError(gb.grads.input.data, ga.grads.input.data)).toBeLessThan(1e-5);
      expect(relativeError(gb.grads.timespans!.data, ga.grads.timespans!.data)).toBeLessThan(1e-5);
      expect(relativeError(stateData(gb.grads.state), stateData(ga.grads.state))).toBeLessThan(1e-5);
    });
  }

  it('a parameter change reaches the device (markParametersChanged)', () => {
    requireMlx();
    const cpu = MODELS['CfC 6 units, backbone 2×8, projection 2']('cpu');
    const mlx = MODELS['CfC 6 units, backbone 2×8, projection 2']('mlx');
    const input = { data: values(4 * 3, 21), shape: [4, 3] };
    mlx.forward(input);
    for (const model of [cpu, mlx]) {
      model.parameters[0] += 0.5;
      model.markParametersChanged();
    }
    expect(relativeError(mlx.forward(input).output.data, cpu.forward(input).output.data)).toBeLessThan(1e-5);
  });

  it('single steps run on the CPU addon over the same parameters', () => {
    requireMlx();
    const cpu = MODELS['LTC AutoNCP(8, 3), mixed memory']('cpu');
    const mlx = MODELS['LTC AutoNCP(8, 3), mixed memory']('mlx');
    const x = { data: values(2 * 3, 31), shape: [2, 3] };
    const a = cpu.step(x, undefined, 0.7);
    const b = mlx.step(x, undefined, 0.7);
    expect(Array.from(b.output.data)).toEqual(Array.from(a.output.data));
  });

  it('bad input is refused exactly as on the CPU backend', () => {
    requireMlx();
    const cpu = MODELS['LTC AutoNCP(8, 3), mixed memory']('cpu');
    const mlx = MODELS['LTC AutoNCP(8, 3), mixed memory']('mlx');
    const good = { data: values(2 * 4 * 3, 41), shape: [2, 4, 3] };
    const calls: Record<string, (m: SequenceModel) => unknown> = {
      'wrong feature count': (m) => m.forward({ data: new Float32Array(8), shape: [2, 4, 1] }),
      'float64 input': (m) => m.forward({ data: new Float64Array(24), shape: [2, 4, 3] }),
      'negative timespan': (m) => m.forward(good, { timespans: { data: new Float32Array(8).fill(-1), shape: [2, 4] } }),
      'infinite timespan': (m) => m.forward(good, { timespans: { data: new Float32Array(8).fill(Infinity), shape: [2, 4] } }),
      'state without c': (m) => m.forward(good, { state: { data: new Float32Array(16), shape: [2, 8] } }),
      'short dOutput': (m) => m.forwardBackward(good, { data: new Float32Array(2), shape: [2] }),
      'bad dropout seed': (m) => m.forwardBackward(good, { data: new Float32Array(2 * 4 * 3), shape: [2, 4, 3] }, { dropoutSeed: -1 }),
      'unknown option': (m) => m.forward(good, { steps: 3 } as never),
    };
    for (const [name, call] of Object.entries(calls)) {
      const expected = thrown(() => call(cpu)) as Error | undefined;
      const actual = thrown(() => call(mlx)) as Error | undefined;
      expect(expected, `${name}: the CPU backend refuses it`).toBeInstanceOf(Error);
      expect(actual?.constructor, name).toBe(expected!.constructor);
      expect(actual?.message, name).toBe(expected!.message);
    }
  });

  it('float64 with mlx is refused at construction, saying why', () => {
    requireMlx();
    const error = thrown(() => new LTC(3, 4, { dtype: 'float64', backend: 'mlx' })) as Error & { code?: string };
    expect(error).toBeInstanceOf(RangeError);
    expect(error.code).toBe('NCP_INVALID_RANGE');
    expect(error.message).toMatch(/^LTC: expected 'float32' with backend 'mlx' .*no float64.* for options\.dtype, received 'float64'\.$/);
  });

  it('useBackend moves a model between backends with its parameters', () => {
    requireMlx();
    const model = MODELS['wired CfC AutoNCP(8, 2), no_gate']('cpu');
    const input = { data: values(5 * 3, 51), shape: [5, 3] };
    const onCpu = model.forward(input).output.data;
    model.useBackend('mlx');
    expect(model.backend).toBe('mlx');
    expect(relativeError(model.forward(input).output.data, onCpu)).toBeLessThan(1e-5);
    model.useBackend('cpu');
    expect(Array.from(model.forward(input).output.data)).toEqual(Array.from(onCpu));
    expect(() => model.useBackend('gpu' as never)).toThrow(/CfC\.useBackend: expected one of 'auto' \| 'cpu' \| 'mlx' \| 'reference' for backend, received string "gpu"/);
  });

  it("'auto' runs on the CPU where MLX has no Metal GPU, and backendInfo() states the rule and the figures", () => {
    const info = backendInfo();
    expect(info.crossover.minWork).toBeGreaterThan(0);
    expect(info.crossover.rule).toMatch(/batch × steps × units/);
    expect(info.crossover.measured).toMatch(/slower than the CPU kernels/);
    const model = new LTC(3, 4, { backend: 'auto' });
    if (info.mlx?.device === 'gpu') {
      expect(info.crossover.mlxEligible).toBe(true);
      expect(model.backend).toBe('auto');
    } else {
      expect(info.crossover.mlxEligible).toBe(false);
      expect(info.crossover.reason).toBeDefined();
      expect(model.backend).toBe('cpu');
    }
  });
});

describe("backend 'mlx' where the MLX addon is not built", () => {
  it('is a BackendUnavailableError with a code that says how to build it', async () => {
    vi.resetModules();
    vi.stubEnv('NCP_SILICON_MLX_ADDON_PATH', '/nonexistent/ncp_silicon_mlx.node');
    try {
      const { LTC: FreshLTC } = await import('../../src/models/ltc.js');
      const { backendInfo: freshInfo } = await import('../../src/backend/info.js');
      const error = thrown(() => new FreshLTC(3, 4, { backend: 'mlx' })) as Error & { code?: string };
      expect(error.name).toBe('BackendUnavailableError');
      expect(error.code).toBe('NCP_BACKEND_UNAVAILABLE');
      expect(error.message).toMatch(/npm run build:mlx/);
      expect(error.message).toMatch(/NCP_SILICON_MLX_SOURCE/);
      // 'auto' and the other backends are unaffected.
      expect(new FreshLTC(3, 4, { backend: 'auto' }).backend).toBe('cpu');
      expect(freshInfo().crossover.mlxEligible).toBe(false);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
