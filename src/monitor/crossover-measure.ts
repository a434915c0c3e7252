/**
 * measureCrossover(): where MLX starts to beat the CPU kernels on this machine, for backend 'auto' (select.ts).
 * CfC and LTC on AutoNCP(64, 8) with 16 inputs (the bench's models), float32, forward and forwardBackward, timed on
 * the CPU backend and on MLX over a ladder of batch × steps. At each rung every case is timed `repeats` times with
 * the two backends interleaved (the order alternating, so drift and contention fall on both), after one untimed
 * call each (MLX's first call uploads the parameters). The calls are the async ones, so the work runs off the main
 * thread, and the signal is checked between calls.
 *
 * The climb stops once MLX has won WINS_TO_STOP rungs in a row, at the end of the ladder (or `maxWork`), or before a
 * rung whose predicted cost (the last rung's time scaled by work) would overrun `timeCapMs`: seconds, not minutes,
 * even on MLX's CPU device, which is orders of magnitude slower than the CPU kernels. The result is stored in the
 * per-machine cache (io/crossover-cache.ts) unless `store` is false.
 */
import { crossoverCase, crossoverFromRungs, crossoverIdentity, crossoverRung, DEFAULT_WIN_MARGIN, mlxWinsClearly, type CrossoverCall, type CrossoverCase, type CrossoverMeasurement, type CrossoverModelKind, type CrossoverRung, type CrossoverStop } from '../backend/crossover-ladder.js';
import { loadNative } from '../backend/load.js';
import { loadMlx } from '../backend/mlx-load.js';
import { argumentError } from '../errors.js';
import { storeCrossover } from '../io/crossover-store.js';
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import type { Tensor } from '../models/tensor.js';
import type { AbortSignalLike } from '../train/types.js';
import { expectBoolean, expectInteger, expectNumber, expectOptions } from '../validate.js';
import { AutoNCP } from '../wiring/index.js';
import { BENCH_INPUTS, BENCH_OUTPUTS, BENCH_UNITS, BENCH_WIRING_SEED } from './hardware-bench/cases.js';
import { lcg } from './hardware-bench/inputs.js';

/** The default ladder (batch, steps): roughly ×4 in work per rung, up to 2^25 = twice the estimate. */
export const CROSSOVER_LADDER: readonly (readonly [number, number])[] = [
  [1, 32], [4, 32], [16, 32], [16, 100], [64, 100], [256, 100], [1024, 100], [1024, 256], [2048, 256],
];

export const DEFAULT_CROSSOVER_TIME_CAP_MS = 30_000;
export const DEFAULT_CROSSOVER_REPEATS = 5;

export interface MeasureCrossoverOptions {
  signal?: AbortSignalLike;
  onProgress?: (event: CrossoverProgress) => void;
  /** Stop before a rung that would take the run past this many ms (default 30 000). */
  timeCapMs?: number;
  /** The largest batch × steps × units tried (default: the whole ladder, 2^25). */
  maxWork?: number;
  /** Timed calls per backend and case at each rung; the median counts (default 5). */
  repeats?: number;
  /** MLX wins a case when its median is at least this fraction below the CPU's (default 0.1). */
  margin?: number;
  /** Write the result to the per-machine cache, where backend 'auto' reads it (default true). */
  store?: boolean;
  /** The cache directory (default $NCP_SILICON_CACHE_DIR or ~/.cache/ncp-silicon). */
  cacheDir?: string;
}

export type CrossoverProgress =
  | { phase: 'rung'; index: number; total: number; batch: number; steps: number; work: number }
  | { phase: 'measured'; index: number; total: number; rung: CrossoverRung };

export interface CrossoverResult extends CrossoverMeasurement {
  /** Where it was stored, when it was. */
  cachePath?: string;
}

const KNOWN = ['signal', 'onProgress', 'timeCapMs', 'maxWork', 'repeats', 'margin', 'store', 'cacheDir'];
const MODELS: readonly CrossoverModelKind[] = ['cfc', 'ltc'];
const CALLS: readonly CrossoverCall[] = ['forward', 'forwardBackward'];

/** Measures this machine's MLX/CPU crossover (a BackendUnavailableError where the MLX addon is not built). */
export async function measureCrossover(options?: MeasureCrossoverOptions): Promise<CrossoverResult> {
  const api = 'measureCrossover';
  const o = expectOptions(api, options, KNOWN);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw argumentError(TypeError, api, 'options.onProgress', 'a function', o.onProgress);
  if (o.signal !== undefined && (typeof o.signal !== 'object' || o.signal === null || typeof (o.signal as AbortSignalLike).aborted !== 'boolean')) {
    throw argumentError(TypeError, api, 'options.signal', 'an AbortSignal', o.signal);
  }
  if (o.cacheDir !== undefined && (typeof o.cacheDir !== 'string' || o.cacheDir === '')) throw argumentError(TypeError, api, 'options.cacheDir', 'a directory path', o.cacheDir);
  const timeCapMs = o.timeCapMs === undefined ? DEFAULT_CROSSOVER_TIME_CAP_MS : expectNumber(api, 'options.timeCapMs', o.timeCapMs, { greaterThan: 0, max: 3_600_000 });
  const repeats = o.repeats === undefined ? DEFAULT_CROSSOVER_REPEATS : expectInteger(api, 'options.repeats', o.repeats, { min: 1, max: 101 });
  const margin = o.margin === undefined ? DEFAULT_WIN_MARGIN : expectNumber(api, 'options.margin', o.margin, { min: 0, lessThan: 1 });
  const store = o.store === undefined ? true : expectBoolean(api, 'options.store', o.store);
  const smallest = CROSSOVER_LADDER[0][0] * CROSSOVER_LADDER[0][1] * BENCH_UNITS;
  const maxWork = o.maxWork === undefined ? Number.POSITIVE_INFINITY : expectInteger(api, 'options.maxWork', o.maxWork, { min: smallest });
  const signal = o.signal as AbortSignalLike | undefined;
  const onProgress = o.onProgress as MeasureCrossoverOptions['onProgress'];

  const mlxInfo = loadMlx().buildInfo();
  const identity = crossoverIdentity(mlxInfo);
  const ladder = CROSSOVER_LADDER.filter(([b, l]) => b * l * BENCH_UNITS <= maxWork);
  const pairs = MODELS.map((kind) => ({ kind, cpu: buildModel(kind, 'cpu'), mlx: buildModel(kind, 'mlx') }));
  const start = performance.now();
  const rungs: CrossoverRung[] = [];
  let stoppedBecause: CrossoverStop = 'ladder-end';
  try {
    let lastRungMs = 0;
    for (let i = 0; i < ladder.length; i++) {
      const [batch, steps] = ladder[i];
      const work = batch * steps * BENCH_UNITS;
      if (rungs.length > 0) {
        const predicted = lastRungMs * (work / rungs[rungs.length - 1].work);
        if (performance.now() - start + predicted > timeCapMs) {
          stoppedBecause = 'time-cap';
          break;
        }
      }
      onProgress?.({ phase: 'rung', index: i + 1, total: ladder.length, batch, steps, work });
      const rungStart = performance.now();
      const cases: CrossoverCase[] = [];
      for (const pair of pairs) {
        for (const call of CALLS) cases.push(await timeCase(pair, call, batch, steps, repeats, margin, signal));
      }
      lastRungMs = performance.now() - rungStart;
      const rung = crossoverRung(batch, steps, BENCH_UNITS, cases);
      rungs.push(rung);
      onProgress?.({ phase: 'measured', index: i + 1, total: ladder.length, rung });
      if (mlxWinsClearly(rungs)) {
        stoppedBecause = 'mlx-wins';
        break;
      }
    }
  } finally {
    for (const p of pairs) {
      p.cpu.dispose();
      p.mlx.dispose();
    }
  }
  const result: CrossoverResult = {
    ...identity,
    cpuThreads: loadNative().getNumThreads(),
    measuredAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - start),
    models: `CfC and LTC on AutoNCP(${BENCH_UNITS}, ${BENCH_OUTPUTS}), ${BENCH_INPUTS} inputs, float32; forward and forwardBackward (async calls), median of ${repeats}`,
    units: BENCH_UNITS,
    repeats,
    margin,
    minWork: crossoverFromRungs(rungs),
    largestWorkTried: rungs[rungs.length - 1].work,
    stoppedBecause,
    rungs,
  };
  if (store) result.cachePath = (await storeCrossover(result, o.cacheDir as string | undefined)).path;
  return result;
}

type Model = CfC | LTC;

function buildModel(kind: CrossoverModelKind, backend: 'cpu' | 'mlx'): Model {
  const wiring = new AutoNCP(BENCH_UNITS, BENCH_OUTPUTS, { seed: BENCH_WIRING_SEED });
  return kind === 'ltc' ? new LTC(BENCH_INPUTS, wiring, { seed: 1, backend }) : new CfC(BENCH_INPUTS, wiring, { seed: 1, backend });
}

/** Medians of `repeats` interleaved calls on each backend, after one untimed call on each. */
async function timeCase(pair: { kind: CrossoverModelKind; cpu: Model; mlx: Model }, call: CrossoverCall, batch: number, steps: number, repeats: number, margin: number, signal: AbortSignalLike | undefined): Promise<CrossoverCase> {
  const input: Tensor = { data: lcg(batch * steps * BENCH_INPUTS, 1, -1, 1), shape: [batch, steps, BENCH_INPUTS] };
  const timespans: Tensor = { data: lcg(batch * steps, 2, 0.5, 1.5), shape: [batch, steps] };
  const dOutput: Tensor = { data: lcg(batch * steps * BENCH_OUTPUTS, 3, -1, 1), shape: [batch, steps, BENCH_OUTPUTS] };
  const run = (model: Model) => (call === 'forward' ? model.forwardAsync(input, { timespans }) : model.forwardBackwardAsync(input, dOutput, { timespans }));
  const timed = async (model: Model) => {
    throwIfAborted(signal);
    const t0 = performance.now();
    await run(model);
    return performance.now() - t0;
  };
  await timed(pair.cpu);
  await timed(pair.mlx);
  const cpuMs: number[] = [];
  const mlxMs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    if (r % 2 === 0) {
      cpuMs.push(await timed(pair.cpu));
      mlxMs.push(await timed(pair.mlx));
    } else {
      mlxMs.push(await timed(pair.mlx));
      cpuMs.push(await timed(pair.cpu));
    }
  }
  throwIfAborted(signal);
  return crossoverCase(pair.kind, call, cpuMs, mlxMs, margin);
}

function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof Error ? signal.reason : new Error('measureCrossover: aborted');
}
