/**
 * backend 'auto' and backendInfo().crossover where MLX has a Metal GPU: NCP_SILICON_MLX_CROSSOVER, else this machine's
 * cached measurement, else the 2^24 estimate. There is no Apple GPU here, so the MLX addon is a stand-in module that
 * reports a Metal device (loaded through NCP_SILICON_MLX_ADDON_PATH); nothing runs on it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { crossoverIdentity } from '../../src/backend/crossover-ladder.js';
import type { MlxBuildInfo } from '../../src/backend/mlx-types.js';
import { storeCrossover } from '../../src/io/crossover-store.js';
import { sampleMeasurement } from '../helpers/crossover-sample.js';

const FAKE_GPU: MlxBuildInfo = { mlxVersion: '0.32.1', device: 'gpu', metalAvailable: true, deviceName: 'Test GPU' };
const root = mkdtempSync(join(tmpdir(), 'ncp-crossover-select-'));
const addonPath = join(root, 'fake-mlx.cjs');
writeFileSync(
  addonPath,
  `module.exports = {
    buildInfo: () => (${JSON.stringify(FAKE_GPU)}),
    MlxModel: class { constructor() {} },
    memory: () => ({ activeBytes: 0, peakBytes: 0, cacheBytes: 0 }),
    resetPeakMemory() {},
  };\n`,
);
afterAll(() => rmSync(root, { recursive: true, force: true }));

let cacheDir: string;
beforeEach(() => {
  cacheDir = mkdtempSync(join(root, 'cache-'));
  vi.resetModules();
  vi.stubEnv('NCP_SILICON_MLX_ADDON_PATH', addonPath);
  vi.stubEnv('NCP_SILICON_CACHE_DIR', cacheDir);
  vi.stubEnv('NCP_SILICON_MLX_CROSSOVER', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** Fresh modules, so the stand-in addon is the one mlxStatus() loads. */
async function fresh() {
  const select = await import('../../src/backend/select.js');
  const { LTC } = await import('../../src/models/ltc.js');
  // LTC(16, 64): units 64, so work = batch × steps × 64.
  const spec = new LTC(16, 64, { backend: 'cpu' }).modelSpec();
  return { ...select, LTC, spec };
}

const measuredHere = (overrides = {}) => sampleMeasurement({ ...crossoverIdentity(FAKE_GPU), ...overrides });

describe("backend 'auto' on a Metal GPU (a stand-in addon)", () => {
  it('uses the 2^24 estimate and says so when nothing is measured or set', async () => {
    const { crossover, MLX_METAL_CROSSOVER } = await fresh();
    const c = crossover();
    expect(c).toMatchObject({ source: 'estimate', minWork: MLX_METAL_CROSSOVER, mlxEligible: true });
    expect(c.rule).toMatch(/≥ 16777216 \(an estimate; `ncp-silicon bench --crossover` measures it\)/);
    expect(c.measured).toMatch(/^not measured on this machine/);
    expect(c.measurement).toBeUndefined();
  });

  it("uses this machine's cached measurement: the threshold, where and when, and the ratios", async () => {
    const m = measuredHere();
    await storeCrossover(m, cacheDir);
    const { crossover, createBackend, spec } = await fresh();
    const c = crossover();
    expect(c).toMatchObject({ source: 'measured', minWork: 256 * 100 * 64, mlxEligible: true });
    expect(c.rule).toContain('≥ 1638400 (measured on Test GPU at 2026-12-03T10:00:00.000Z)');
    expect(c.measurement).toEqual(m);
    expect(c.measured).toMatch(/^MLX 0\.32\.1 on Metal \(Test GPU\), 2026-12-03: from 2\.50× faster .* to 3\.00× slower .*crossover at batch × steps × units 1638400$/);
    const auto = createBackend('auto', spec) as unknown as { name: string; pick(a: { batch: number; steps: number }): { name: string } };
    expect(auto.name).toBe('auto');
    expect(auto.pick({ batch: 256, steps: 99 }).name).toBe('cpu');
    expect(auto.pick({ batch: 256, steps: 100 }).name).toBe('mlx');
  });

  it('ignores a measurement of another machine or MLX device', async () => {
    await storeCrossover(sampleMeasurement({ ...crossoverIdentity({ ...FAKE_GPU, mlxVersion: '0.31.0' }) }), cacheDir);
    const { crossover } = await fresh();
    expect(crossover().source).toBe('estimate');
  });

  it('lets NCP_SILICON_MLX_CROSSOVER win over a measurement', async () => {
    await storeCrossover(measuredHere(), cacheDir);
    vi.stubEnv('NCP_SILICON_MLX_CROSSOVER', '5000');
    const { crossover, createBackend, spec } = await fresh();
    const c = crossover();
    expect(c).toMatchObject({ source: 'override', minWork: 5000, mlxEligible: true });
    expect(c.rule).toContain('≥ 5000 (NCP_SILICON_MLX_CROSSOVER)');
    expect(c.measurement?.minWork).toBe(1638400);
    const auto = createBackend('auto', spec) as unknown as { pick(a: { batch: number; steps: number }): { name: string } };
    expect(auto.pick({ batch: 1, steps: 78 }).name).toBe('cpu');
    expect(auto.pick({ batch: 1, steps: 79 }).name).toBe('mlx');
  });

  it('keeps every call on the CPU when the measurement found no crossover', async () => {
    const m = measuredHere({ minWork: null, stoppedBecause: 'time-cap' });
    m.rungs[1].mlxWins = false;
    await storeCrossover(m, cacheDir);
    const { crossover, createBackend, spec } = await fresh();
    const c = crossover();
    expect(c).toMatchObject({ source: 'measured', mlxEligible: false });
    expect(c.rule).toBe("'auto' runs every call on the CPU: measured on Test GPU at 2026-12-03T10:00:00.000Z, MLX did not beat the CPU kernels at any size tried");
    expect(c.reason).toMatch(/^measured: MLX did not beat the CPU kernels up to batch × steps × units 1638400/);
    expect(c.measured).toMatch(/no crossover up to batch × steps × units 1638400$/);
    expect(createBackend('auto', spec).name).toBe('cpu');
  });

  it('falls back to the estimate on a corrupt cache and says why, without stopping models from being built', async () => {
    writeFileSync(join(cacheDir, 'crossover.json'), '{ not json');
    const { crossover, LTC } = await fresh();
    const c = crossover();
    expect(c.source).toBe('estimate');
    expect(c.cacheProblem).toMatch(/crossover\.json is corrupt: not JSON .*ncp-silicon bench --crossover/);
    expect(new LTC(16, 64, { backend: 'auto' }).backend).toBe('auto');
  });
});
