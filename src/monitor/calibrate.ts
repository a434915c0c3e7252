/**
 * calibrate(): this machine's ceilings for the roofline, measured natively (native/core/calibrate.cpp) and
 * cached per machine under ~/.cache/ncp-silicon/, since they describe the hardware, not the run:
 *   - peak memory bandwidth: a STREAM-triad-style kernel (a = b + s·c over three 64 MiB float32 arrays, far
 *     larger than any last-level cache) on every hardware thread, best of several rounds, counting 3 × 64 MiB
 *     per round (STREAM's convention: write-allocate traffic is not counted);
 *   - peak float32 FMA throughput: 12 (AVX2) or 16 (NEON) independent vector FMA chains per thread, on every
 *     hardware thread and on one, 2 FLOPs per lane per FMA.
 * On Apple Silicon the chip's datasheet figures ride along, labelled as such.
 *
 * A measurement taken on a busy machine is too low (see contention.ts for the signs calibrate() looks for).
 * Without `force`, a new measurement never makes the cache worse: a suspect one leaves the cached ceilings in
 * place (they are returned, with the rejected figures and the reasons), and a clean one raises each cached figure
 * only where it measured higher. With no cache yet, a suspect measurement is stored flagged, so reports say so.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { defaultCacheDir } from '../cache-dir.js';
import { loadNative } from '../backend/load.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { expectBoolean, expectOptions } from '../validate.js';
import { argumentError } from '../errors.js';
import type { NativeCalibration } from '../backend/native-types.js';
import { appleDatasheet, type AppleChipDatasheet } from './apple-datasheet.js';
import { assessContention, readCpuTimes, type ContentionReport, type CpuTimes } from './contention.js';

export interface CalibrateOptions {
  /** Measure again even when this machine has a cached result (default false). */
  remeasure?: boolean;
  /** Where the cache lives (default $NCP_SILICON_CACHE_DIR or ~/.cache/ncp-silicon). */
  cacheDir?: string;
  /** Store a new measurement as is, even when it is lower than the cached one or looks contended (default false). */
  force?: boolean;
}

/** The figures a measurement produced. */
export interface CeilingFigures {
  memoryBandwidthBytesPerSecond: number;
  fmaFlopsPerSecond: number;
  fmaFlopsPerSecondOneThread: number;
}

export interface Calibration {
  /** What the cache is keyed by: platform, CPU model, logical cores and the build's SIMD level. */
  machineKey: string;
  cpuModel: string;
  cores: number;
  simdLevel: string;
  /** Hardware threads the measurements ran on. */
  threads: number;
  /** Peak memory bandwidth (STREAM triad, all hardware threads), bytes/s. */
  memoryBandwidthBytesPerSecond: number;
  /** Peak float32 FMA throughput on all hardware threads, FLOP/s. */
  fmaFlopsPerSecond: number;
  fmaFlopsPerSecondOneThread: number;
  /** How each figure was measured, in words (for reports). */
  method: { memoryBandwidth: string; fma: string };
  measuredAt: string;
  durationMs: number;
  /** True when this result came from the cache rather than a new measurement. */
  cached: boolean;
  /** Apple Silicon: Apple's published figures for this chip (never measured here). */
  datasheet?: AppleChipDatasheet;
  /** Signs that these figures were measured on a busy machine; a suspect ceiling makes every ratio too high. */
  contention?: ContentionReport;
  /** A remeasurement that was not stored (it looked contended), and why: these ceilings are the cached ones. */
  rejected?: CeilingFigures & { measuredAt: string; reasons: string[] };
}

interface CacheFile {
  version: 1;
  machines: Record<string, Omit<Calibration, 'cached'>>;
}

/** Measures (or reads from the cache) this machine's peak memory bandwidth and FMA throughput. About 1 s when measured. */
export async function calibrate(options?: CalibrateOptions): Promise<Calibration> {
  return calibrateWith(options, {
    measure: () => loadNative().calibrate(),
    loadAverage: () => (process.platform === 'win32' ? undefined : loadavg()[0]),
    cpuTimes: () => readCpuTimes(),
    datasheet: () => appleDatasheet(loadNative().buildInfo().apple?.chip),
  });
}

/** Where calibrate() gets its measurements and the machine's load; tests replace these to simulate contention. */
export interface CalibrationProbes {
  measure(): Promise<NativeCalibration>;
  loadAverage(): number | undefined;
  cpuTimes(): CpuTimes | undefined;
  datasheet(): AppleChipDatasheet | undefined;
}

export async function calibrateWith(options: CalibrateOptions | undefined, probes: CalibrationProbes): Promise<Calibration> {
  const api = 'calibrate';
  const o = expectOptions(api, options, ['remeasure', 'cacheDir', 'force']);
  const remeasure = o.remeasure === undefined ? false : expectBoolean(api, 'options.remeasure', o.remeasure);
  const force = o.force === undefined ? false : expectBoolean(api, 'options.force', o.force);
  const dir = resolveCacheDir(api, o.cacheDir);
  const machine = machineIdentity();
  const cachedEntry = readCache(dir).machines[machine.machineKey];
  const previous = cachedEntry && withCurrentDatasheet(cachedEntry);
  if (!remeasure && previous) return { ...previous, cached: true };

  const loadAverage = probes.loadAverage();
  const cpuTimesBefore = probes.cpuTimes();
  const startMs = performance.now();
  const m = await probes.measure();
  const durationMs = performance.now() - startMs;
  const cpuTimesAfter = probes.cpuTimes();
  const datasheet = probes.datasheet();
  const measured: Calibration = {
    ...machine,
    threads: m.threads,
    memoryBandwidthBytesPerSecond: m.triadBytesPerSecond,
    fmaFlopsPerSecond: m.fmaFlopsPerSecond,
    fmaFlopsPerSecondOneThread: m.fmaFlopsPerSecondOneThread,
    method: {
      memoryBandwidth: `STREAM triad a = b + s·c on 3 × ${m.triadArrayBytes / 2 ** 20} MiB float32 arrays, ${m.threads} threads, best round; 3 × array bytes per round`,
      fma: `${m.fmaVectorBytes * 8}-bit float32 FMA chains, independent per register, ${m.threads} threads; 2 FLOPs per lane per FMA`,
    },
    measuredAt: new Date().toISOString(),
    durationMs,
    cached: false,
  };
  if (datasheet) measured.datasheet = datasheet;
  measured.contention = assessContention({
    ...measured,
    cached: previous,
    datasheetBandwidthGBps: datasheet?.memoryBandwidthGBps.min,
    loadAverage,
    cpuTimesBefore,
    cpuTimesAfter,
  });

  if (previous && !force) {
    if (measured.contention.suspect) {
      const { memoryBandwidthBytesPerSecond, fmaFlopsPerSecond, fmaFlopsPerSecondOneThread, measuredAt } = measured;
      const rejected = { memoryBandwidthBytesPerSecond, fmaFlopsPerSecond, fmaFlopsPerSecondOneThread, measuredAt, reasons: measured.contention.reasons };
      return { ...previous, cached: true, rejected };
    }
    // A clean measurement within noise of the cache: each ceiling only moves up, so a report's ratios never grow.
    measured.memoryBandwidthBytesPerSecond = Math.max(measured.memoryBandwidthBytesPerSecond, previous.memoryBandwidthBytesPerSecond);
    measured.fmaFlopsPerSecond = Math.max(measured.fmaFlopsPerSecond, previous.fmaFlopsPerSecond);
    measured.fmaFlopsPerSecondOneThread = Math.max(measured.fmaFlopsPerSecondOneThread, previous.fmaFlopsPerSecondOneThread);
  }
  const file = readCache(dir);
  const { cached: _cached, rejected: _rejected, ...stored } = measured;
  file.machines[machine.machineKey] = stored;
  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(join(dir, 'calibration.json'), new TextEncoder().encode(JSON.stringify(file, null, 2)));
  return measured;
}

/** This machine's cached calibration, without measuring (undefined when there is none). */
export function cachedCalibration(options?: { cacheDir?: string }): Calibration | undefined {
  const o = expectOptions('cachedCalibration', options, ['cacheDir']);
  const dir = resolveCacheDir('cachedCalibration', o.cacheDir);
  const cached = readCache(dir).machines[machineIdentity().machineKey];
  return cached && { ...withCurrentDatasheet(cached), cached: true };
}

/** Apple's figures are looked up, not measured: a cache written before a datasheet row was corrected gets today's row. */
function withCurrentDatasheet<C extends { datasheet?: AppleChipDatasheet }>(c: C): C {
  const current = c.datasheet && appleDatasheet(c.datasheet.chip);
  return current ? { ...c, datasheet: current } : c;
}

function resolveCacheDir(api: string, value: unknown): string {
  if (value === undefined) return defaultCacheDir();
  if (typeof value !== 'string' || value.length === 0) throw argumentError(TypeError, api, 'options.cacheDir', 'a directory path', value);
  return value;
}

function machineIdentity(): Pick<Calibration, 'machineKey' | 'cpuModel' | 'cores' | 'simdLevel'> {
  const build = loadNative().buildInfo();
  const list = cpus();
  const cpuModel = (build.apple?.chip || list[0]?.model || 'unknown CPU').trim();
  const cores = list.length;
  return {
    machineKey: `${process.platform}-${process.arch}|${cpuModel}|${cores} cores|${build.simdLevel}`,
    cpuModel,
    cores,
    simdLevel: build.simdLevel,
  };
}

// A missing, unreadable or foreign cache is an empty one: calibration is a measurement we can always redo.
function readCache(dir: string): CacheFile {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, 'calibration.json'), 'utf8')) as CacheFile;
    if (parsed?.version === 1 && typeof parsed.machines === 'object' && parsed.machines !== null) return parsed;
  } catch {
    // fall through
  }
  return { version: 1, machines: {} };
}
