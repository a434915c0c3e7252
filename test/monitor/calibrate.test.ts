/**
 * calibrate(): positive ceilings, consistent with a plain memcpy measured here in JS (same order of magnitude),
 * an FMA peak above what a real kernel achieves, and a per-machine cache that remeasure bypasses.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoNCP, LTC } from '../../src/index.js';
import { APPLE_DATASHEETS, appleDatasheet, cachedCalibration, calibrate, startProfile } from '../../src/monitor/index.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'ncp-calibration-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

/** Bytes per second of Buffer.copy over 64 MiB (best of 5), counting the read and the write as STREAM does. */
function memcpyBytesPerSecond(): number {
  const size = 64 * 2 ** 20;
  const src = Buffer.alloc(size, 1);
  const dst = Buffer.alloc(size);
  src.copy(dst);
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    src.copy(dst);
    best = Math.min(best, performance.now() - t0);
  }
  return (2 * size) / (best / 1000);
}

describe('calibrate()', () => {
  it('measures positive ceilings consistent with memcpy, caches them, and remeasures on request', async () => {
    expect(cachedCalibration({ cacheDir })).toBeUndefined();
    const started = performance.now();
    const first = await calibrate({ cacheDir });
    const elapsedMs = performance.now() - started;
    expect(first.cached).toBe(false);
    expect(first.memoryBandwidthBytesPerSecond).toBeGreaterThan(0);
    expect(first.fmaFlopsPerSecond).toBeGreaterThan(0);
    expect(first.fmaFlopsPerSecondOneThread).toBeGreaterThan(0);
    expect(first.threads).toBeGreaterThanOrEqual(1);
    // The measurement's own duration, within the call's (how long it takes is a speed matter, not checked here:
    // an instrumented or loaded run takes many times longer).
    expect(first.durationMs).toBeGreaterThan(0);
    expect(first.durationMs).toBeLessThanOrEqual(elapsedMs + 1);
    expect(first.machineKey).toContain(first.cpuModel);

    // Same order of magnitude as a plain memcpy: the triad runs on every thread, so it may be faster. Not under
    // npm run test:sanitize, where the triad is ASan-instrumented and libc's memcpy is not: the ratio then
    // measures the instrumentation, not the ceiling.
    if (process.env.NCP_SILICON_SANITIZED !== '1') {
      const memcpy = memcpyBytesPerSecond();
      const ratio = first.memoryBandwidthBytesPerSecond / memcpy;
      expect(ratio).toBeGreaterThan(0.25);
      expect(ratio).toBeLessThan(8);
    }

    const again = await calibrate({ cacheDir });
    expect(again.cached).toBe(true);
    expect(again.memoryBandwidthBytesPerSecond).toBe(first.memoryBandwidthBytesPerSecond);
    expect(cachedCalibration({ cacheDir })?.fmaFlopsPerSecond).toBe(first.fmaFlopsPerSecond);
    const file = JSON.parse(readFileSync(join(cacheDir, 'calibration.json'), 'utf8'));
    expect(Object.keys(file.machines)).toEqual([first.machineKey]);

    // force: on a busy machine (this one is shared) an unforced remeasurement keeps the cache; contention.test.ts.
    const fresh = await calibrate({ cacheDir, remeasure: true, force: true });
    expect(fresh.cached).toBe(false);
    expect(fresh.measuredAt >= first.measuredAt).toBe(true);
  });

  it('has an FMA peak at or above the FLOP rate a real kernel achieves', async () => {
    const ceilings = await calibrate({ cacheDir });
    const model = new LTC(16, new AutoNCP(64, 8, { seed: 22222 }), { seed: 1 });
    const input = { data: Float32Array.from({ length: 16 * 50 * 16 }, (_, i) => Math.sin(i)), shape: [16, 50, 16] };
    model.forward(input);
    const profile = startProfile({ ceilings });
    for (let i = 0; i < 3; i++) model.forward(input);
    const [kernel] = profile.stop().kernels;
    expect(kernel.gflopsPerSecond).toBeGreaterThan(0);
    expect(ceilings.fmaFlopsPerSecond / 1e9).toBeGreaterThanOrEqual(kernel.gflopsPerSecond);
    expect(kernel.fractionOfPeakFlops).toBeLessThanOrEqual(1);
    expect(kernel.roofline?.boundBy).toMatch(/^(memory|compute)$/);
  });

  it('refuses bad options in the usual message shape', async () => {
    await expect(calibrate({ remeasure: 'yes' } as never)).rejects.toThrow(/calibrate: expected a boolean for options\.remeasure, received string "yes"/);
    await expect(calibrate({ cacheDir: 3 } as never)).rejects.toThrow(TypeError);
    await expect(calibrate({ bogus: 1 } as never)).rejects.toThrow(/no such option/);
  });

  it('labels Apple chip figures as datasheet values', () => {
    expect(APPLE_DATASHEETS.map((d) => d.chip)).toEqual(expect.arrayContaining(['Apple M1', 'Apple M2 Ultra', 'Apple M3 Max', 'Apple M4 Pro']));
    for (const d of APPLE_DATASHEETS) {
      expect(d.source).toBe('datasheet');
      expect(d.memoryBandwidthGBps.min).toBeGreaterThan(0);
      expect(d.memoryBandwidthGBps.max).toBeGreaterThanOrEqual(d.memoryBandwidthGBps.min);
    }
    expect(appleDatasheet('Apple M4 Max')?.memoryBandwidthGBps).toEqual({ min: 410, max: 546 });
    expect(appleDatasheet('AMD EPYC')).toBeUndefined();
  });

  it('names Apple\'s announcement of every chip as its source, and shows TFLOPS only where Apple announced them', () => {
    for (const d of APPLE_DATASHEETS) {
      expect(d.sourceUrls.length, d.chip).toBeGreaterThan(0);
      expect(d.sourceUrls[0], d.chip).toMatch(/^https:\/\/www\.apple\.com\/newsroom\/20\d\d\/\d\d\/[a-z0-9-]+\/$/);
      for (const url of d.sourceUrls) expect(url, d.chip).toMatch(/^https:\/\/(www|support)\.apple\.com\//);
    }
    expect(APPLE_DATASHEETS.filter((d) => d.gpuTflops !== undefined).map((d) => d.chip)).toEqual(['Apple M1', 'Apple M1 Pro', 'Apple M1 Max']);
    expect(appleDatasheet('Apple M1')?.note).toMatch(/Apple publishes no bandwidth for M1/);
  });
});
