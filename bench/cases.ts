/**
 * The kernel benchmark cases of issue #3: LTC and wired CfC on AutoNCP(64, 8) with 16 inputs, float32.
 * Each case runs in its own process (bench/run.ts) so its peak RSS is its own.
 */
export type ModelKind = 'ltc' | 'cfc';
export type CaseKind = 'step' | 'forward' | 'forwardBackward';

export interface BenchCase {
  id: string;
  model: ModelKind;
  kind: CaseKind;
  batch: number;
  steps: number;
}

const SHAPES: [number, number][] = [
  [1, 100],
  [64, 100],
  [1024, 32],
];

export const CASES: BenchCase[] = (['ltc', 'cfc'] as const).flatMap((model) => [
  { id: `${model}-step-b1`, model, kind: 'step' as const, batch: 1, steps: 1 },
  ...SHAPES.flatMap(([batch, steps]) =>
    (['forward', 'forwardBackward'] as const).map((kind) => ({ id: `${model}-${kind}-b${batch}-l${steps}`, model, kind, batch, steps })),
  ),
]);

/** ncps 1.0.1 on PyTorch CPU, 2 threads, medians measured on a machine like ours (issue #3), and our goals. */
export const NCPS_GOALS: { id: string; ncpsSeconds: number; minSpeedup: number; note: string }[] = [
  { id: 'ltc-step-b1', ncpsSeconds: 0.5e-3, minSpeedup: 100, note: 'ncps 0.5–0.8 ms; goal ≥ 100× (against 0.5 ms)' },
  { id: 'ltc-forwardBackward-b64-l100', ncpsSeconds: 1.5, minSpeedup: 30, note: 'ncps 1.5 s; goal ≥ 30×' },
  { id: 'cfc-forwardBackward-b64-l100', ncpsSeconds: 0.15, minSpeedup: 5, note: 'ncps 0.15 s; goal ≥ 5×' },
];
export const PEAK_RSS_GOAL = { id: 'ltc-forwardBackward-b1024-l32', maxBytes: 256 * 1024 * 1024, note: 'ncps peaks at 18.4 GiB; goal < 256 MiB' };
