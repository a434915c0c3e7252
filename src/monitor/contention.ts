/**
 * Whether a calibration ran on a busy machine. A ceiling measured while other work shares the cores is too low,
 * and every ratio computed against it is too high (the "294 % of roofline"), so calibrate() looks for
 * the signs and keeps the cached ceilings when it sees them. The signs, each a plain sentence in `reasons`:
 *   - thread scaling that does not scale: all-thread FMA under CONTENTION_LIMITS.minThreadScaling × threads
 *     times the one-thread figure (SMT siblings share FMA units, so the bound is about half a core per thread);
 *   - a figure far below the cached one (under minFractionOfCached) or below the datasheet (Apple);
 *   - a 1-minute load average above maxLoadPerCore × logical cores when the measurement started;
 *   - steal time (hypervisor took the CPU) above maxStealFraction of the CPU time during the measurement.
 */
import { readFileSync } from 'node:fs';
import { formatNumber } from './format.js';

export const CONTENTION_LIMITS = {
  minThreadScaling: 0.35,
  minFractionOfCached: 0.85,
  minFractionOfDatasheet: 0.25,
  maxLoadPerCore: 0.5,
  maxStealFraction: 0.05,
} as const;

export interface ContentionReport {
  /** True when any sign of contention was seen: the figures are likely lower than the machine's ceilings. */
  suspect: boolean;
  /** One sentence per sign seen (empty when none). */
  reasons: string[];
}

/** CPU time counters of /proc/stat's aggregate line (Linux; undefined elsewhere). */
export interface CpuTimes {
  total: number;
  steal: number;
}

export interface ContentionInputs {
  threads: number;
  memoryBandwidthBytesPerSecond: number;
  fmaFlopsPerSecond: number;
  fmaFlopsPerSecondOneThread: number;
  /** The cached figures this measurement would replace. */
  cached?: { memoryBandwidthBytesPerSecond: number; fmaFlopsPerSecond: number; fmaFlopsPerSecondOneThread: number };
  /** Apple's published memory bandwidth for this chip (lower bin), GB/s. */
  datasheetBandwidthGBps?: number;
  /** 1-minute load average and logical cores when the measurement started. */
  loadAverage?: number;
  cores: number;
  /** /proc/stat before and after the measurement. */
  cpuTimesBefore?: CpuTimes;
  cpuTimesAfter?: CpuTimes;
}

export function assessContention(m: ContentionInputs): ContentionReport {
  const L = CONTENTION_LIMITS;
  const reasons: string[] = [];
  const gb = (x: number) => `${formatNumber(x / 1e9)}`;
  if (m.threads > 1 && m.fmaFlopsPerSecondOneThread > 0) {
    const scaling = m.fmaFlopsPerSecond / m.fmaFlopsPerSecondOneThread;
    if (scaling < L.minThreadScaling * m.threads) {
      reasons.push(`FMA throughput on ${m.threads} threads is only ${formatNumber(scaling)}× the one-thread figure (expected at least ${formatNumber(L.minThreadScaling * m.threads)}×): other work shares the cores`);
    }
  }
  const c = m.cached;
  if (c) {
    const below = (now: number, before: number, what: string, unit: string) => {
      if (before > 0 && now < L.minFractionOfCached * before) reasons.push(`${what} ${gb(now)} ${unit} is ${formatNumber((100 * now) / before)} % of the cached ${gb(before)} ${unit}`);
    };
    below(m.memoryBandwidthBytesPerSecond, c.memoryBandwidthBytesPerSecond, 'memory bandwidth', 'GB/s');
    below(m.fmaFlopsPerSecond, c.fmaFlopsPerSecond, 'FMA peak', 'GFLOP/s');
    below(m.fmaFlopsPerSecondOneThread, c.fmaFlopsPerSecondOneThread, 'one-thread FMA', 'GFLOP/s');
  }
  if (m.datasheetBandwidthGBps !== undefined && m.memoryBandwidthBytesPerSecond / 1e9 < L.minFractionOfDatasheet * m.datasheetBandwidthGBps) {
    reasons.push(`memory bandwidth ${gb(m.memoryBandwidthBytesPerSecond)} GB/s is under ${L.minFractionOfDatasheet * 100} % of the datasheet's ${m.datasheetBandwidthGBps} GB/s`);
  }
  if (m.loadAverage !== undefined && m.cores > 0 && m.loadAverage > L.maxLoadPerCore * m.cores) {
    reasons.push(`the 1-minute load average was ${formatNumber(m.loadAverage)} on ${m.cores} logical CPUs when the measurement started`);
  }
  const before = m.cpuTimesBefore, after = m.cpuTimesAfter;
  if (before && after && after.total > before.total) {
    const steal = (after.steal - before.steal) / (after.total - before.total);
    if (steal > L.maxStealFraction) reasons.push(`the hypervisor stole ${formatNumber(100 * steal)} % of the CPU time during the measurement`);
  }
  return { suspect: reasons.length > 0, reasons };
}

/** The aggregate `cpu` line of /proc/stat, or undefined where there is none (macOS, Windows) or it is unreadable. */
export function readCpuTimes(path = '/proc/stat'): CpuTimes | undefined {
  try {
    const line = readFileSync(path, 'utf8').split('\n').find((l) => l.startsWith('cpu '));
    if (!line) return undefined;
    // user nice system idle iowait irq softirq steal [guest guest_nice: already inside user and nice]
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (fields.length < 8 || fields.some((x) => !Number.isFinite(x))) return undefined;
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] };
  } catch {
    return undefined;
  }
}
