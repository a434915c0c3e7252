/**
 * Profiles name the backend and device of every call: MLX calls appear beside the CPU addon's own records, with
 * FLOPs and bytes counted by the same formulas (equal to the CPU runner's count of the same call).
 */
import { describe, expect, it } from 'vitest';
import { CfC } from '../../src/models/cfc.js';
import { startProfile } from '../../src/monitor/index.js';
import { getNumThreads, setNumThreads } from '../../src/backend/info.js';
import { AutoNCP } from '../../src/wiring/index.js';
import { LTC } from '../../src/models/ltc.js';
import type { SequenceModel } from '../../src/models/sequence-model.js';
import { requireMlx, values } from './harness.js';

describe('profiling MLX calls', () => {
  it('records each MLX call with its backend and device, and the CPU steps as cpu', async () => {
    requireMlx();
    const model = new CfC(3, 6, { seed: 1, backboneUnits: 8, backend: 'mlx' });
    const input = { data: values(2 * 4 * 3, 1), shape: [2, 4, 3] };
    model.forward(input); // builds the device parameters outside the profile
    const profile = startProfile({ model });
    model.forward(input);
    await model.forwardBackwardAsync(input, { data: values(2 * 4 * 6, 2), shape: [2, 4, 6] });
    model.step({ data: values(3, 3), shape: [3] });
    const result = profile.stop();
    const mlxCalls = result.calls.filter((c) => c.backend === 'mlx');
    expect(mlxCalls.map((c) => c.kernel)).toEqual([`cfc.forward on ${model.device}`, `cfc.forwardBackward on ${model.device}`]);
    for (const c of mlxCalls) {
      expect(c.device).toBe(model.device);
      expect(c.batch).toBe(2);
      expect(c.steps).toBe(4);
      expect(c.durationMs).toBeGreaterThan(0);
      expect(c.startMs).toBeGreaterThanOrEqual(0);
    }
    const steps = result.calls.filter((c) => c.kernel.startsWith('cfc.step'));
    expect(steps.length).toBe(1);
    expect(steps[0]).toMatchObject({ backend: 'cpu', device: 'cpu' });
    expect(result.kernels.find((k) => k.backend === 'mlx')?.device).toBe(model.device);
  });

  const models: Record<string, (backend: 'cpu' | 'mlx') => SequenceModel> = {
    'LTC AutoNCP(8, 3), mixed memory': (backend) => new LTC(3, new AutoNCP(8, 3, { seed: 2 }), { seed: 5, mixedMemory: true, backend }),
    'CfC backbone 2×8, dropout, projection 2': (backend) => new CfC(3, 6, { seed: 6, backboneUnits: 8, backboneLayers: 2, backboneDropout: 0.3, projSize: 2, backend }),
    'wired CfC AutoNCP(8, 2), pure': (backend) => new CfC(3, new AutoNCP(8, 2, { seed: 1 }), { seed: 7, mode: 'pure', backend }),
  };
  for (const [name, make] of Object.entries(models)) {
    it(`${name}: an MLX call's FLOPs and bytes equal the CPU runner's count of the same call`, async () => {
      requireMlx();
      const threads = getNumThreads();
      setNumThreads(1); // one gradient chunk, as MLX sums its gradient once
      try {
        const counts = [];
        for (const backend of ['cpu', 'mlx'] as const) {
          const model = make(backend);
          const input = { data: values(2 * 4 * 3, 1), shape: [2, 4, 3] };
          const timespans = { data: values(8, 2, 0.2, 1), shape: [2, 4] };
          const dOutput = { data: values(2 * 4 * model.outputSize, 3), shape: [2, 4, model.outputSize] };
          const profile = startProfile();
          model.forward(input);
          model.forwardBackward(input, dOutput, { timespans, dropoutSeed: 9 });
          const calls = profile.stop().calls.map(({ flops, bytesRead, bytesWritten, uniqueBytes }) => ({ flops, bytesRead, bytesWritten, uniqueBytes }));
          expect(calls).toHaveLength(2);
          expect(calls[1].flops).toBeGreaterThan(calls[0].flops);
          counts.push(calls);
        }
        expect(counts[1]).toEqual(counts[0]);
      } finally {
        setNumThreads(threads);
      }
    });
  }
});
