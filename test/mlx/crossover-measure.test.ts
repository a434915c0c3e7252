/**
 * measureCrossover() and `ncp-silicon bench --crossover` on this machine, where the MLX addon runs on MLX's CPU device:
 * a one-rung ladder (or a 1 ms time cap, which stops after the first rung) keeps them to about a second. What is
 * checked is the verdict and the bookkeeping, never a timing: no crossover on MLX's CPU device, the cache written
 * and read back by backendInfo(), options refused by name, abort honoured, a missing addon refused.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backendInfo } from '../../src/backend/info.js';
import { readCrossoverCache } from '../../src/backend/crossover-cache.js';
import { measureCrossover } from '../../src/monitor/crossover-measure.js';
import { runCli } from '../helpers/cli.js';
import { requireMlx } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'ncp-crossover-measure-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let cacheDir: string;
beforeEach(() => {
  cacheDir = mkdtempSync(join(root, 'cache-'));
  vi.stubEnv('NCP_SILICON_CACHE_DIR', cacheDir);
  vi.stubEnv('NCP_SILICON_MLX_CROSSOVER', '');
});
afterEach(() => vi.unstubAllEnvs());

describe('measureCrossover on MLX\'s CPU device', () => {
  it('finds no crossover, stops at the time cap after one rung, and reports progress', async () => {
    requireMlx();
    const events: string[] = [];
    const m = await measureCrossover({ store: false, timeCapMs: 1, repeats: 1, onProgress: (e) => events.push(e.phase) });
    expect(m.mlxDevice).toBe('cpu');
    expect(m.rungs).toHaveLength(1);
    expect(m.rungs[0]).toMatchObject({ batch: 1, steps: 32, work: 2048 });
    expect(m.rungs[0].cases.map((c) => `${c.model} ${c.call}`)).toEqual(['cfc forward', 'cfc forwardBackward', 'ltc forward', 'ltc forwardBackward']);
    for (const c of m.rungs[0].cases) expect(c.ratio).toBeCloseTo(c.mlxMs / c.cpuMs, 10);
    expect(m).toMatchObject({ minWork: null, largestWorkTried: 2048, stoppedBecause: 'time-cap', units: 64, repeats: 1 });
    expect(m.cachePath).toBeUndefined();
    expect(events).toEqual(['rung', 'measured']);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('stops at an abort between calls and stores nothing', async () => {
    requireMlx();
    const controller = new AbortController();
    const reason = new Error('stop now');
    const run = measureCrossover({ repeats: 1, signal: controller.signal, onProgress: () => controller.abort(reason) });
    await expect(run).rejects.toBe(reason);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('refuses bad options by name', async () => {
    await expect(measureCrossover({ maxWork: 100 })).rejects.toThrow(/measureCrossover: expected an integer ≥ 2048 for options\.maxWork, received number 100\./);
    await expect(measureCrossover({ repeats: 0 })).rejects.toThrow(RangeError);
    await expect(measureCrossover({ timeCapMs: Number.NaN })).rejects.toThrow(/options\.timeCapMs/);
    await expect(measureCrossover({ ladder: [] } as never)).rejects.toThrow(/options\.ladder: no such option|for options\.ladder/);
    await expect(measureCrossover({ onProgress: 'yes' } as never)).rejects.toThrow(TypeError);
  });

  it('is a BackendUnavailableError where the MLX addon is not built', async () => {
    vi.resetModules();
    vi.stubEnv('NCP_SILICON_MLX_ADDON_PATH', join(root, 'missing.node'));
    try {
      const fresh = await import('../../src/monitor/crossover-measure.js');
      const error = (await fresh.measureCrossover({ store: false }).catch((e: unknown) => e)) as Error & { code?: string };
      expect(error.name).toBe('BackendUnavailableError');
      expect(error.code).toBe('NCP_BACKEND_UNAVAILABLE');
      expect(error.message).toMatch(/npm run build:mlx/);
    } finally {
      vi.resetModules();
    }
  });
});

describe('ncp-silicon bench --crossover', () => {
  it('prints the table, stores the measurement, and backendInfo() then shows it for this MLX device', async () => {
    requireMlx();
    const r = await runCli('bench', '--crossover', '--max-work', '2048', '--repeats', '1');
    expect(r.err).toMatch(/crossover 1\/1: B 1, L 32 \(work 2048\)/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^MLX 0\.32\.1 on its CPU device/);
    expect(r.out).toContain('| B | L | batch × steps × units | CfC forward | CfC forwardBackward | LTC forward | LTC forwardBackward | MLX wins |');
    expect(r.out).toMatch(/\| 1 \| 32 \| 2048 \| .* \| no \|/);
    expect(r.out).toMatch(/no crossover: MLX did not win every case at any size up to batch × steps × units 2048 \(end of the ladder\)/);
    const path = join(cacheDir, 'crossover.json');
    expect(r.out).toContain(`stored in ${path}`);
    const [stored] = Object.values(readCrossoverCache(path));
    expect(stored).toMatchObject({ mlxDevice: 'cpu', minWork: null, largestWorkTried: 2048 });

    const c = backendInfo().crossover;
    expect(c).toMatchObject({ source: 'measured', mlxEligible: false });
    expect(c.measurement).toEqual(stored);
    expect(c.measured).toMatch(/^MLX 0\.32\.1 on its CPU device .* than the CPU kernels; no crossover up to batch × steps × units 2048$/);
  });

  it('--json prints the measurement', async () => {
    requireMlx();
    const r = await runCli('bench', '--crossover', '--max-work', '2048', '--repeats', '1', '--json', '--quiet');
    expect(r.err).toBe('');
    const m = JSON.parse(r.out);
    expect(m).toMatchObject({ mlxDevice: 'cpu', minWork: null, cachePath: join(cacheDir, 'crossover.json') });
    expect(existsSync(m.cachePath)).toBe(true);
  });

  it('refuses the options of the other mode', async () => {
    expect(((await thrownAsync(() => runCli('bench', '--time-cap', '5'))) as Error).message).toBe('bench: --time-cap applies to --crossover only.');
    expect(((await thrownAsync(() => runCli('bench', '--crossover', '--out', join(root, 'x')))) as Error).message).toMatch(/^bench --crossover: --out applies to the kernel benchmark only/);
  });
});

async function thrownAsync(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
