/** Profiles name the backend and device of every call: MLX calls appear beside the CPU addon's own records. */
import { describe, expect, it } from 'vitest';
import { CfC } from '../../src/models/cfc.js';
import { startProfile } from '../../src/monitor/index.js';
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
});
