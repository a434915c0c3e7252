/**
 * The standard kernel cases of `ncp-silicon bench`: LTC and wired CfC on AutoNCP(64, 8, seed 22222) with 16 inputs,
 * float32, per-step timespans (the cases of bench/cases.ts, so figures compare with the repository's records).
 *   step             one model.step at B = 1: the latency an agent's control loop sees;
 *   forward          one sequence call at (B, L);
 *   forwardBackward  one sequence call with gradients at (B, L);
 *   fit              one fit() epoch (Adam, MSE) over `samples` sequences of L in batches of B: training throughput.
 * --quick keeps one shape per kind and shorter time budgets, for a run well under a minute.
 */
export type BenchModelKind = 'ltc' | 'cfc';
export type BenchCaseKind = 'step' | 'forward' | 'forwardBackward' | 'fit';

export interface HardwareBenchCase {
  /** 'ltc-forward-b64-l100' */
  id: string;
  model: BenchModelKind;
  kind: BenchCaseKind;
  batch: number;
  steps: number;
  /** fit: sequences per epoch (a multiple of batch). */
  samples?: number;
}

export const BENCH_INPUTS = 16;
export const BENCH_UNITS = 64;
export const BENCH_OUTPUTS = 8;
export const BENCH_WIRING_SEED = 22222;

const FULL_SHAPES: [number, number][] = [[1, 100], [64, 100], [1024, 32]];
// Small enough that MLX's CPU device (scalar, ~1 s per LTC call at B·L = 2048) stays inside a one-minute run.
const QUICK_SHAPES: [number, number][] = [[16, 16]];

export function benchCases(quick: boolean): HardwareBenchCase[] {
  const shapes = quick ? QUICK_SHAPES : FULL_SHAPES;
  const fit = quick ? { batch: 16, steps: 16, samples: 64 } : { batch: 64, steps: 100, samples: 512 };
  return (['ltc', 'cfc'] as const).flatMap((model) => [
    { id: `${model}-step-b1`, model, kind: 'step' as const, batch: 1, steps: 1 },
    ...shapes.flatMap(([batch, steps]) => (['forward', 'forwardBackward'] as const).map((kind) => ({ id: `${model}-${kind}-b${batch}-l${steps}`, model, kind, batch, steps }))),
    { id: `${model}-fit-b${fit.batch}-l${fit.steps}`, model, kind: 'fit' as const, ...fit },
  ]);
}

/** How long each case is timed: a budget (ms) and a floor and ceiling on the number of calls. */
export interface TimingBudget {
  budgetMs: number;
  minCalls: number;
  maxCalls: number;
  warmupCalls: number;
}

export function timingBudget(c: HardwareBenchCase, quick: boolean): TimingBudget {
  if (c.kind === 'step') return { budgetMs: quick ? 300 : 2000, minCalls: 50, maxCalls: quick ? 20_000 : 200_000, warmupCalls: 20 };
  if (c.kind === 'fit') return { budgetMs: quick ? 400 : 3000, minCalls: quick ? 1 : 2, maxCalls: 50, warmupCalls: 0 };
  return { budgetMs: quick ? 300 : 2000, minCalls: 3, maxCalls: 10_000, warmupCalls: 1 };
}
