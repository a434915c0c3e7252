/** A calibration cached before a datasheet row was corrected reports today's row: Apple's figures are looked up, not measured. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateWith, cachedCalibration } from '../../src/monitor/calibrate.js';
import { appleDatasheet } from '../../src/monitor/apple-datasheet.js';

describe('cached Apple datasheets', () => {
  it('are replaced by the current table row when read back', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'ncp-datasheet-'));
    try {
      const current = appleDatasheet('Apple M2 Pro')!;
      const probes = {
        measure: async () => ({ threads: 4, triadArrayBytes: 64 * 2 ** 20, triadBytesPerSecond: 150e9, fmaFlopsPerSecond: 400e9, fmaFlopsPerSecondOneThread: 100e9, fmaVectorBytes: 16, seconds: 1 }),
        loadAverage: () => 0.1,
        cpuTimes: () => undefined,
        datasheet: () => current,
      };
      const first = await calibrateWith({ cacheDir }, probes);
      // Doctor the cache as an older version wrote it: a TFLOPS figure Apple never announced, and no sources.
      const file = JSON.parse(readFileSync(join(cacheDir, 'calibration.json'), 'utf8'));
      const { sourceUrls: _dropped, ...stale } = current;
      file.machines[first.machineKey].datasheet = { ...stale, gpuTflops: 6.8 };
      writeFileSync(join(cacheDir, 'calibration.json'), JSON.stringify(file));

      const again = await calibrateWith({ cacheDir }, probes);
      expect(again.cached).toBe(true);
      expect(again.datasheet).toEqual(current);
      expect(again.datasheet?.gpuTflops).toBeUndefined();
      expect(cachedCalibration({ cacheDir })?.datasheet?.sourceUrls).toEqual(current.sourceUrls);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
