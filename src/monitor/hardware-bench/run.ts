/**
 * runHardwareBench(): every standard case on every backend present, timed call by call, with the machine's
 * measured ceilings (calibrate(), cached) and the share of the peak each case reached. The CLI (`ncp-silicon
 * bench`) drives it and writes the reports; an aborted signal stops it between calls and returns what finished.
 */
import { calibrate, type Calibration } from '../calibrate.js';
import { formatCeilingRatio } from '../ceiling-check.js';
import { summariseLatency } from '../latency.js';
import { startProfile } from '../profile.js';
import { systemInfo } from '../system.js';
import { cpuBackend, mlxBackend, type BenchBackend, type PreparedCase } from './backends.js';
import { benchCases, timingBudget, type HardwareBenchCase } from './cases.js';
import { onnxBackends } from './onnx-backend.js';
import { timeCalls, throwIfAborted, type AbortSignalLike } from './timing.js';
import { BENCH_FORMAT, BENCH_FORMAT_VERSION, type BenchBackendInfo, type BenchCaseResult, type BenchReport, type BenchSkip } from './types.js';

export interface HardwareBenchOptions {
  quick?: boolean;
  signal?: AbortSignalLike;
  /** Called before and after each (case, backend) run: for a progress display. */
  onProgress?: (event: BenchProgress) => void;
  /** Ceilings to use instead of calibrate()'s (cached) result. */
  ceilings?: Calibration;
  /** The package version, recorded in the report. */
  version?: string;
}

export type BenchProgress =
  | { phase: 'calibrating' }
  | { phase: 'calibrated'; ceilings: Calibration }
  | { phase: 'case'; index: number; total: number; caseId: string; backend: string }
  | { phase: 'done'; index: number; total: number; result: BenchCaseResult };

export async function runHardwareBench(options: HardwareBenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick === true;
  const { signal, onProgress } = options;
  const started = performance.now();
  const startedAt = new Date().toISOString();

  const backends: BenchBackend[] = [cpuBackend()];
  const infos: BenchBackendInfo[] = [{ id: 'cpu', available: true, label: backends[0].label }];
  const mlx = mlxBackend();
  if ('absent' in mlx) infos.push({ id: 'mlx', available: false, reason: mlx.absent });
  else backends.push(mlx), infos.push({ id: 'mlx', available: true, label: mlx.label });
  const onnx = await onnxBackends();
  for (const b of onnx.backends) backends.push(b), infos.push({ id: b.id, available: true, label: b.label });
  for (const a of onnx.absent) infos.push({ id: a.id, available: false, reason: a.reason });

  onProgress?.({ phase: 'calibrating' });
  const ceilings = options.ceilings ?? (await calibrate());
  onProgress?.({ phase: 'calibrated', ceilings });

  const cases = benchCases(quick);
  const plan: [HardwareBenchCase, BenchBackend][] = [];
  const skipped: BenchSkip[] = [];
  for (const c of cases) {
    for (const b of backends) {
      const reason = b.unsupported(c);
      if (reason) skipped.push({ caseId: c.id, backend: b.id, reason });
      else plan.push([c, b]);
    }
  }

  const results: BenchCaseResult[] = [];
  let interrupted = false;
  try {
    for (const [index, [c, backend]] of plan.entries()) {
      throwIfAborted(signal);
      onProgress?.({ phase: 'case', index: index + 1, total: plan.length, caseId: c.id, backend: backend.id });
      const prepared = await backend.prepare(c, signal);
      try {
        const result = await measureCase(c, backend, prepared, quick, ceilings, results, signal);
        results.push(result);
        onProgress?.({ phase: 'done', index: index + 1, total: plan.length, result });
      } finally {
        await prepared.dispose?.();
      }
    }
  } catch (error) {
    if (!signal?.aborted) throw error;
    interrupted = true;
  }
  return {
    format: BENCH_FORMAT,
    version: BENCH_FORMAT_VERSION,
    ncpSiliconVersion: options.version ?? 'unknown',
    startedAt,
    durationMs: performance.now() - started,
    quick,
    interrupted,
    system: systemInfo(),
    ceilings,
    ceilingWarnings: ceilingWarnings(ceilings, results),
    backends: infos,
    results,
    skipped,
  };
}

async function measureCase(
  c: HardwareBenchCase,
  backend: BenchBackend,
  prepared: PreparedCase,
  quick: boolean,
  ceilings: Calibration,
  earlier: readonly BenchCaseResult[],
  signal: AbortSignalLike | undefined,
): Promise<BenchCaseResult> {
  const durations = await timeCalls(() => prepared.run(), timingBudget(c, quick), signal);
  const latencyMs = summariseLatency(durations);
  const result: BenchCaseResult = {
    caseId: c.id, backend: backend.id, model: c.model, kind: c.kind, batch: c.batch, steps: c.steps,
    ...(c.samples === undefined ? {} : { samples: c.samples }),
    calls: durations.length,
    latencyMs,
    sampleStepsPerSecond: latencyMs.p50 > 0 ? prepared.sampleStepsPerCall / (latencyMs.p50 / 1000) : 0,
  };
  // The work of one call: counted by the CPU kernels (a profile of one more call); other backends do the same math.
  const flops = backend.id === 'cpu' ? await flopsOfOneCall(prepared) : earlier.find((r) => r.backend === 'cpu' && r.caseId === c.id)?.flopsPerCall;
  if (flops !== undefined && flops > 0 && latencyMs.p50 > 0) {
    result.flopsPerCall = flops;
    result.gflopsPerSecond = flops / (latencyMs.p50 / 1000) / 1e9;
    const threads = backend.peakThreads(c);
    if (threads !== undefined) {
      const peak = threads >= ceilings.threads ? ceilings.fmaFlopsPerSecond : threads <= 1 ? ceilings.fmaFlopsPerSecondOneThread : (ceilings.fmaFlopsPerSecond * threads) / ceilings.threads;
      result.peakGflopsPerSecond = peak / 1e9;
      result.fractionOfPeak = result.gflopsPerSecond / result.peakGflopsPerSecond;
    }
  }
  return result;
}

async function flopsOfOneCall(prepared: PreparedCase): Promise<number> {
  const profile = startProfile({ sampleIntervalMs: 60_000 });
  try {
    const r = prepared.run();
    if (r instanceof Promise) await r;
  } finally {
    profile.stop();
  }
  return profile.stop().calls.reduce((sum, call) => sum + call.flops, 0);
}

/** Why shares of the peak may read too high: contended ceilings, and every share over 100 %. */
function ceilingWarnings(ceilings: Calibration, results: readonly BenchCaseResult[]): string[] {
  const out: string[] = [];
  if (ceilings.contention?.suspect) out.push(`the ceilings were measured on a busy machine: ${ceilings.contention.reasons.join('; ')}`);
  for (const r of results) {
    if ((r.fractionOfPeak ?? 0) > 1) out.push(`${r.caseId} on ${r.backend} reached ${formatCeilingRatio(r.fractionOfPeak)} of the measured FMA peak: the peak was measured too low (recalibrate on an idle machine: ncp-silicon profile --recalibrate)`);
  }
  return out;
}
