/**
 * The MLX/CPU crossover as data: what a measurement (monitor/crossover-measure.ts) records per rung of its ladder of
 * work sizes, and the pure rules that turn those timings into the threshold backend 'auto' uses (select.ts).
 * Work is batch × steps × units, the quantity AutoBackend compares with the threshold.
 *
 * A case counts as an MLX win only when MLX's median is below the CPU's by the margin (default 10 %): equal within
 * noise keeps the CPU, which has no per-call dispatch cost to lose. The crossover is the smallest rung from which MLX
 * wins every case at that rung and at every larger rung tried, so one lucky rung below a loss does not count.
 */
import { cpus } from 'node:os';
import type { MlxBuildInfo } from './mlx-types.js';

export type CrossoverModelKind = 'cfc' | 'ltc';
export type CrossoverCall = 'forward' | 'forwardBackward';

/** One model and call at one rung: median milliseconds per call on each backend. */
export interface CrossoverCase {
  model: CrossoverModelKind;
  call: CrossoverCall;
  cpuMs: number;
  mlxMs: number;
  /** mlxMs / cpuMs: below 1, MLX is faster. */
  ratio: number;
  mlxWins: boolean;
}

export interface CrossoverRung {
  batch: number;
  steps: number;
  /** batch × steps × units. */
  work: number;
  cases: CrossoverCase[];
  /** MLX won every case at this rung. */
  mlxWins: boolean;
}

export type CrossoverStop = 'mlx-wins' | 'ladder-end' | 'time-cap';

/** What measureCrossover() found and the cache stores, per machine, MLX version and device. */
export interface CrossoverMeasurement {
  /** The cache key: platform, CPU model, cores, MLX version and device (crossoverMachineKey). */
  key: string;
  cpuModel: string;
  cores: number;
  /** Threads the CPU backend ran on. */
  cpuThreads: number;
  mlxVersion: string;
  /** MLX's device: 'gpu' (Metal) or 'cpu'. */
  mlxDevice: 'gpu' | 'cpu';
  mlxDeviceName?: string;
  measuredAt: string;
  durationMs: number;
  /** The models timed, in words: 'CfC and LTC on AutoNCP(64, 8), 16 inputs, float32'. */
  models: string;
  units: number;
  repeats: number;
  margin: number;
  /** The smallest work from which MLX won every case, or null: none up to largestWorkTried. */
  minWork: number | null;
  largestWorkTried: number;
  stoppedBecause: CrossoverStop;
  rungs: CrossoverRung[];
}

export const DEFAULT_WIN_MARGIN = 0.1;

/** Rungs in a row MLX must win before the ladder stops climbing early. */
export const WINS_TO_STOP = 2;

/** The cache key of one machine's MLX device: a crossover measured elsewhere never applies here. */
export function crossoverMachineKey(m: Pick<CrossoverMeasurement, 'cpuModel' | 'cores' | 'mlxVersion' | 'mlxDevice' | 'mlxDeviceName'>, platform = `${process.platform}-${process.arch}`): string {
  return `${platform}|${m.cpuModel}|${m.cores} cores|MLX ${m.mlxVersion}|${m.mlxDevice}${m.mlxDeviceName ? ` (${m.mlxDeviceName})` : ''}`;
}

/** This machine and MLX device, as a measurement records them and the cache is keyed. */
export function crossoverIdentity(mlx: MlxBuildInfo): Pick<CrossoverMeasurement, 'key' | 'cpuModel' | 'cores' | 'mlxVersion' | 'mlxDevice' | 'mlxDeviceName'> {
  const list = cpus();
  const id = {
    cpuModel: (list[0]?.model ?? 'unknown CPU').trim() || 'unknown CPU',
    cores: Math.max(1, list.length),
    mlxVersion: mlx.mlxVersion,
    mlxDevice: mlx.device,
    ...(mlx.deviceName ? { mlxDeviceName: mlx.deviceName } : {}),
  };
  return { key: crossoverMachineKey(id), ...id };
}

/** Whether MLX's median beats the CPU's by the margin. */
export function mlxWinsCase(cpuMs: number, mlxMs: number, margin = DEFAULT_WIN_MARGIN): boolean {
  return mlxMs <= cpuMs * (1 - margin);
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One case from its repeated timings: medians, ratio, verdict. */
export function crossoverCase(model: CrossoverModelKind, call: CrossoverCall, cpuMs: readonly number[], mlxMs: readonly number[], margin = DEFAULT_WIN_MARGIN): CrossoverCase {
  const cpu = median(cpuMs);
  const mlx = median(mlxMs);
  return { model, call, cpuMs: cpu, mlxMs: mlx, ratio: mlx / cpu, mlxWins: mlxWinsCase(cpu, mlx, margin) };
}

/** A rung from its cases: MLX wins it only when it wins them all. */
export function crossoverRung(batch: number, steps: number, units: number, cases: CrossoverCase[]): CrossoverRung {
  return { batch, steps, work: batch * steps * units, cases, mlxWins: cases.length > 0 && cases.every((c) => c.mlxWins) };
}

/** The smallest work from which MLX wins at every rung tried (rungs in increasing work), or null. */
export function crossoverFromRungs(rungs: readonly CrossoverRung[]): number | null {
  let from: number | null = null;
  for (const rung of rungs) {
    if (!rung.mlxWins) from = null;
    else from ??= rung.work;
  }
  return from;
}

/** MLX won the last WINS_TO_STOP rungs: larger work only widens its lead, so the ladder can stop. */
export function mlxWinsClearly(rungs: readonly CrossoverRung[]): boolean {
  return rungs.length >= WINS_TO_STOP && rungs.slice(-WINS_TO_STOP).every((r) => r.mlxWins);
}

/** How MLX compared at the rungs tried, in one sentence (backendInfo().crossover.measured). */
export function describeMeasurement(m: CrossoverMeasurement): string {
  const device = m.mlxDevice === 'gpu' ? `Metal${m.mlxDeviceName ? ` (${m.mlxDeviceName})` : ''}` : `its CPU device (${m.cpuModel}, ${m.cpuThreads} threads for the CPU kernels)`;
  const cases = m.rungs.flatMap((r) => r.cases.map((c) => ({ ...c, batch: r.batch, steps: r.steps })));
  const where = (c: (typeof cases)[number]) => `${c.model === 'cfc' ? 'CfC' : 'LTC'} ${c.call}, B ${c.batch}, L ${c.steps}`;
  const range = cases.length === 0 ? 'nothing was timed' : rangeSentence(cases, where);
  const verdict = m.minWork === null ? `no crossover up to batch × steps × units ${m.largestWorkTried}` : `crossover at batch × steps × units ${m.minWork}`;
  return `MLX ${m.mlxVersion} on ${device}, ${m.measuredAt.slice(0, 10)}: ${range} than the CPU kernels; ${verdict}`;
}

/** '11.5× (…) to 1224× (…) slower', or with MLX ahead somewhere, 'from 2.00× faster (…) to 3.00× slower (…)'. */
function rangeSentence<C extends { ratio: number }>(cases: C[], where: (c: C) => string): string {
  const best = cases.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const worst = cases.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  if (best === worst) return `${describeRatio(best.ratio)} (${where(best)})`;
  const sameSide = best.ratio >= 1 || worst.ratio < 1;
  if (!sameSide) return `from ${describeRatio(best.ratio)} (${where(best)}) to ${describeRatio(worst.ratio)} (${where(worst)})`;
  const [near, far] = best.ratio >= 1 ? [best, worst] : [worst, best];
  const factor = (c: C) => formatRatio(c.ratio >= 1 ? c.ratio : 1 / c.ratio);
  return `${factor(near)}× (${where(near)}) to ${factor(far)}× (${where(far)}) ${best.ratio >= 1 ? 'slower' : 'faster'}`;
}

/** An MLX / CPU time ratio in words: '25.6× slower', '3.10× faster'. */
export function describeRatio(ratio: number): string {
  return ratio >= 1 ? `${formatRatio(ratio)}× slower` : `${formatRatio(1 / ratio)}× faster`;
}

/** Three significant figures at most: 1.23, 12.3, 123 (99.96 is 100, not 100.0). */
function formatRatio(r: number): string {
  return r >= 99.95 ? r.toFixed(0) : r >= 9.995 ? r.toFixed(1) : r.toFixed(2);
}
