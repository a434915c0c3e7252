/**
 * Honest ceilings: a calibration on a busy machine (simulated by injecting the measurement, the load average and
 * /proc/stat, never by loading this machine) does not replace the cached ceilings without `force`, says why, and
 * a report never shows a ratio above 100 % without flagging the ceilings as suspect.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NativeCalibration } from '../../src/backend/native-types.js';
import { calibrateWith, type CalibrationProbes } from '../../src/monitor/calibrate.js';
import { assessContention, readCpuTimes } from '../../src/monitor/contention.js';
import { ProfileResult, type Calibration, type KernelCallRecord } from '../../src/monitor/index.js';
import { systemInfo } from '../../src/monitor/system.js';

const root = mkdtempSync(join(tmpdir(), 'ncp-contention-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `cache-${dirs++}`);

/** A 4-thread machine: 40 GB/s, 200 GFLOP/s on 4 threads, 55 on one. */
function measurement(over: Partial<NativeCalibration> = {}): NativeCalibration {
  return { threads: 4, triadArrayBytes: 64 * 2 ** 20, triadBytesPerSecond: 40e9, fmaFlopsPerSecond: 200e9, fmaFlopsPerSecondOneThread: 55e9, fmaVectorBytes: 32, seconds: 1, ...over };
}

function probes(m: NativeCalibration, machine: { load?: number; steal?: [number, number] } = {}): CalibrationProbes {
  let reads = 0;
  return {
    measure: async () => m,
    loadAverage: () => machine.load ?? 0.1,
    // before: 1000 ticks, 0 stolen; after: 2000 ticks with `steal` of the 1000 new ones stolen
    cpuTimes: () => (reads++ === 0 ? { total: 1000, steal: 0 } : { total: 2000, steal: machine.steal ? machine.steal[0] : 0 }),
    datasheet: () => undefined,
  };
}

const cacheFile = (dir: string) => readFileSync(join(dir, 'calibration.json'), 'utf8');

describe('calibrate() under contention', () => {
  it('keeps the cached ceilings when a remeasurement is far lower (the issue: 11.5 GB/s, 53 GFLOP/s) and says why', async () => {
    const cacheDir = freshDir();
    const clean = await calibrateWith({ cacheDir }, probes(measurement()));
    expect(clean.contention).toEqual({ suspect: false, reasons: [] });
    const before = cacheFile(cacheDir);

    const busy = await calibrateWith({ cacheDir, remeasure: true }, probes(measurement({ triadBytesPerSecond: 11.5e9, fmaFlopsPerSecond: 53e9, fmaFlopsPerSecondOneThread: 30e9 })));
    expect(busy.cached).toBe(true);
    expect(busy.memoryBandwidthBytesPerSecond).toBe(40e9);
    expect(busy.fmaFlopsPerSecond).toBe(200e9);
    expect(busy.rejected?.memoryBandwidthBytesPerSecond).toBe(11.5e9);
    expect(busy.rejected?.reasons.join('\n')).toMatch(/memory bandwidth 11\.5 GB\/s is 28\.8 % of the cached 40\.0 GB\/s/);
    expect(busy.rejected?.reasons.join('\n')).toMatch(/FMA peak 53\.0 GFLOP\/s is 26\.5 % of the cached 200 GFLOP\/s/);
    expect(cacheFile(cacheDir)).toBe(before);
  });

  it.each([
    ['a high load average', measurement(), { load: 7.5 }, /load average was 7\.50 on \d+ logical CPUs/],
    ['steal time', measurement(), { steal: [200, 0] as [number, number] }, /hypervisor stole 20\.0 % of the CPU time/],
    ['thread scaling that does not scale', measurement({ fmaFlopsPerSecond: 200e9, fmaFlopsPerSecondOneThread: 160e9 }), {}, /on 4 threads is only 1\.25× the one-thread figure/],
  ])('rejects a remeasurement taken under %s, though its figures look fine', async (_name, m, machine, reason) => {
    const cacheDir = freshDir();
    await calibrateWith({ cacheDir }, probes(measurement()));
    const before = cacheFile(cacheDir);
    const result = await calibrateWith({ cacheDir, remeasure: true }, probes(m, machine));
    expect(result.cached).toBe(true);
    expect(result.rejected?.reasons.join('\n')).toMatch(reason);
    expect(cacheFile(cacheDir)).toBe(before);
  });

  it('lets a clean remeasurement only raise the cached ceilings, and force store a worse one, flagged', async () => {
    const cacheDir = freshDir();
    await calibrateWith({ cacheDir }, probes(measurement()));
    // 10 % lower bandwidth (noise, not contention), higher FMA: bandwidth stays, FMA rises.
    const clean = await calibrateWith({ cacheDir, remeasure: true }, probes(measurement({ triadBytesPerSecond: 36e9, fmaFlopsPerSecond: 220e9 })));
    expect(clean.cached).toBe(false);
    expect(clean.rejected).toBeUndefined();
    expect(clean.memoryBandwidthBytesPerSecond).toBe(40e9);
    expect(clean.fmaFlopsPerSecond).toBe(220e9);
    expect(JSON.parse(cacheFile(cacheDir)).machines[clean.machineKey].fmaFlopsPerSecond).toBe(220e9);

    const forced = await calibrateWith({ cacheDir, remeasure: true, force: true }, probes(measurement({ triadBytesPerSecond: 11.5e9 }), { load: 9 }));
    expect(forced.cached).toBe(false);
    expect(forced.memoryBandwidthBytesPerSecond).toBe(11.5e9);
    expect(forced.contention?.suspect).toBe(true);
    const stored = JSON.parse(cacheFile(cacheDir)).machines[forced.machineKey];
    expect(stored.memoryBandwidthBytesPerSecond).toBe(11.5e9);
    expect(stored.contention.reasons.length).toBe(2); // below the cache, and the load average
    // Read back from the cache, the flag is still there.
    expect((await calibrateWith({ cacheDir }, probes(measurement()))).contention?.suspect).toBe(true);
  });

  it('stores a suspect first measurement flagged (there is nothing better to keep)', async () => {
    const cacheDir = freshDir();
    const first = await calibrateWith({ cacheDir }, probes(measurement(), { load: 64 }));
    expect(first.cached).toBe(false);
    expect(first.contention?.suspect).toBe(true);
    expect(JSON.parse(cacheFile(cacheDir)).machines[first.machineKey].contention.suspect).toBe(true);
  });

  it('checks its options', async () => {
    await expect(calibrateWith({ force: 'yes' } as never, probes(measurement()))).rejects.toThrow(/calibrate: expected a boolean for options\.force, received string "yes"/);
  });

  it('flags bandwidth far below the datasheet, and reads /proc/stat where there is one', () => {
    const report = assessContention({ threads: 8, memoryBandwidthBytesPerSecond: 11.5e9, fmaFlopsPerSecond: 400e9, fmaFlopsPerSecondOneThread: 60e9, datasheetBandwidthGBps: 100, cores: 8 });
    expect(report.reasons).toEqual(['memory bandwidth 11.5 GB/s is under 25 % of the datasheet\'s 100 GB/s']);
    const times = readCpuTimes();
    if (process.platform === 'linux') expect(times && times.total >= times.steal && times.steal >= 0).toBe(true);
    else expect(times).toBeUndefined();
    expect(readCpuTimes(join(root, 'no-such-file'))).toBeUndefined();
  });
});

function call(kernel: string, durationMs: number, flops: number, bytes: number): KernelCallRecord {
  return { kernel, backend: 'cpu', device: 'cpu', startMs: 0, durationMs, batch: 1, steps: 1, flops, bytesRead: bytes, bytesWritten: 0, uniqueBytes: bytes, thread: 0, nativeLiveBytes: 0 };
}

function resultWith(ceilings: Calibration, calls: KernelCallRecord[]): ProfileResult {
  return new ProfileResult({ startedAt: new Date().toISOString(), durationMs: 10, system: systemInfo(), ceilings, calls, droppedCalls: 0, mainThread: 0, memory: [], training: [], model: undefined });
}

/** Every "NNN %" in a report above 100 must carry the ⚠ marker. */
function bareRatiosAbove100(text: string): string[] {
  return [...text.matchAll(/(\d+(?:\.\d+)?) %(?! ⚠)/g)].filter((m) => Number(m[1]) > 100).map((m) => m[0]);
}

describe('reports against suspect ceilings', () => {
  const ceilings = (over: Partial<Calibration> = {}): Calibration => ({
    machineKey: 'test', cpuModel: 'test CPU', cores: 4, simdLevel: 'avx2', threads: 4,
    memoryBandwidthBytesPerSecond: 11.5e9, fmaFlopsPerSecond: 53e9, fmaFlopsPerSecondOneThread: 30e9,
    method: { memoryBandwidth: 'triad', fma: 'fma' }, measuredAt: '2026-01-01T00:00:00.000Z', durationMs: 1000, cached: true, ...over,
  });
  // 1 ms, 30 MFLOP, 34 MB: 30 GFLOP/s at 34 GB/s, 296 % of an 11.5 GB/s bandwidth and of its memory roofline.
  const calls = [call('ltc.forward', 1, 30e6, 34e6), call('ltc.step', 1, 1e6, 1e6)];

  it('marks every ratio over 100 % and says the ceilings are suspect (Markdown and HTML)', async () => {
    const result = resultWith(ceilings(), calls);
    expect(result.kernels[0].roofline?.fractionOfRoofline).toBeGreaterThan(1);
    expect(result.ceilingCheck.suspect).toBe(true);
    expect(result.ceilingCheck.reasons.join('\n')).toMatch(/ltc\.forward reached 296 % ⚠ of the memory roofline/);
    const md = await result.report({ format: 'md' });
    expect(md).toMatch(/⚠ \*\*Ceilings suspect\*\*/);
    expect(md).toMatch(/\| memory \| 296 % ⚠ \|/);
    expect(bareRatiosAbove100(md)).toEqual([]);
    const html = await result.report({ format: 'html' });
    expect(html).toContain('data-ceilings="suspect"');
    expect(bareRatiosAbove100(html.replace(/<[^>]+>/g, ' '))).toEqual([]);
  });

  it('flags ceilings measured under contention even when no ratio exceeds 100 %, and names a rejected remeasurement', async () => {
    const flagged = ceilings({ memoryBandwidthBytesPerSecond: 400e9, fmaFlopsPerSecond: 4e12, contention: { suspect: true, reasons: ['the 1-minute load average was 7.50 on 2 logical CPUs'] } });
    const md = await resultWith(flagged, calls).report({ format: 'md' });
    expect(md).toMatch(/Ceilings suspect\*\*: the ceilings were measured on a busy machine: the 1-minute load average was 7\.50/);
    const rejected = ceilings({ memoryBandwidthBytesPerSecond: 400e9, fmaFlopsPerSecond: 4e12, rejected: { memoryBandwidthBytesPerSecond: 11.5e9, fmaFlopsPerSecond: 53e9, fmaFlopsPerSecondOneThread: 30e9, measuredAt: '2026-02-02T00:00:00.000Z', reasons: ['memory bandwidth 11.5 GB/s is 2.9 % of the cached 400 GB/s'] } });
    const clean = resultWith(rejected, calls);
    expect(clean.ceilingCheck).toEqual({ suspect: false, reasons: [] });
    expect(await clean.report({ format: 'md' })).toMatch(/Remeasured 2026-02-02T00:00:00\.000Z but not stored.*11\.5 GB\/s.*--force/);
  });
});
