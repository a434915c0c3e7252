/**
 * memory(): every figure is real or absent with a reason; the addon's allocator counts what models hold and
 * returns to its baseline once the models are released and collected.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mlxStatus } from '../../src/backend/mlx-load.js';
import { describe, expect, it } from 'vitest';
import { AutoNCP, CfC, LTC, type SequenceModel } from '../../src/index.js';
import { memory } from '../../src/monitor/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage until native finalizers (which run after GC, on later turns of the event loop) are done. */
async function collect(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function exercise(model: SequenceModel): void {
  const B = 4, L = 5, S = model.inputSize;
  const values = Array.from({ length: B * L * S }, (_, i) => Math.sin(i));
  const input = { data: model.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values), shape: [B, L, S] };
  const { output } = model.forward(input);
  model.forwardBackward(input, output);
}

/**
 * Builds and runs the models in a frame of its own and returns the native counters while they are alive. (Inside
 * the async test a loop variable would stay reachable from the suspended frame across an await.)
 */
function useModels(): NonNullable<ReturnType<typeof memory>['native']> {
  const models = makeModels();
  for (const model of models) exercise(model);
  return memory().native!;
}

const makeModels = (): SequenceModel[] => [
  new CfC(6, 32, { backboneUnits: 48, backboneLayers: 2, seed: 1 }),
  new CfC(6, new AutoNCP(24, 4, { seed: 2 }), { seed: 1 }),
  new CfC(6, 16, { mixedMemory: true, projSize: 3, seed: 1 }),
  new LTC(6, new AutoNCP(24, 4, { seed: 3 }), { seed: 1 }),
  new LTC(6, 12, { mixedMemory: true, dtype: 'float64', seed: 1 }),
];

describe('memory()', () => {
  it('reports process, V8 and native figures, and says why the platform-only ones are absent', () => {
    const m = memory();
    for (const key of ['rssBytes', 'peakRssBytes', 'heapUsedBytes', 'heapTotalBytes', 'externalBytes', 'arrayBufferBytes'] as const) {
      expect(m[key]).toBeGreaterThan(0);
    }
    expect(m.peakRssBytes).toBeGreaterThanOrEqual(m.rssBytes * 0.5);
    expect(m.native).toBeDefined();
    expect(m.native!.peakBytes).toBeGreaterThanOrEqual(m.native!.liveBytes);
    expect(Object.keys(m.native!.categories).sort()).toEqual(['calibration', 'gradients', 'models', 'workspace']);
    if (process.platform === 'darwin') {
      expect(m.physFootprintBytes).toBeGreaterThan(0);
      expect(m.metal !== undefined || m.unavailable.metal !== undefined).toBe(true);
    } else {
      // Absent, never a fake 0, and each with its reason.
      expect('physFootprintBytes' in m).toBe(false);
      expect('metal' in m).toBe(false);
      expect(m.unavailable.physFootprintBytes).toMatch(/only on macOS/);
      expect(m.unavailable.metal).toMatch(/only on macOS/);
    }
    // MLX's allocator where the MLX addon is built (CI builds it), else absent with the reason and how to build it.
    if (mlxStatus().available) {
      expect(m.mlx!.peakBytes).toBeGreaterThanOrEqual(m.mlx!.activeBytes);
      expect(m.mlx!.cacheBytes).toBeGreaterThanOrEqual(0);
      expect('mlx' in m.unavailable).toBe(false);
    } else {
      expect('mlx' in m).toBe(false);
      expect(m.unavailable.mlx).toMatch(/npm run build:mlx/);
    }
  });

  it('native live bytes return to their baseline after models are released', async () => {
    // Warm up with the same shapes: the per-thread scratch arenas grow once and are then reused (and kept).
    useModels();
    await collect();
    const before = memory().native!;
    const heldBefore = before.liveBytes - before.categories.workspace.liveBytes;

    const during = useModels();
    expect(during.categories.models.liveBytes).toBeGreaterThan(before.categories.models.liveBytes);
    expect(during.categories.gradients.liveBytes).toBe(0); // per-call gradient buffers are gone when a call returns
    expect(during.peakBytes).toBeGreaterThanOrEqual(during.liveBytes);

    await collect();
    const after = memory().native!;
    expect(after.categories.models.liveBytes).toBe(before.categories.models.liveBytes);
    expect(after.liveBytes - after.categories.workspace.liveBytes).toBe(heldBefore);
  });
});
