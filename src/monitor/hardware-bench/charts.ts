/** The bench report's charts (vega-lite, rendered to inline SVG by ../charts.ts's renderSpec). */
import type { TopLevelSpec } from 'vega-lite';
import { WIDTH } from '../charts.js';
import type { BenchCaseResult } from './types.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const backendColor = { field: 'backend', type: 'nominal', title: 'backend', scale: { domain: ['cpu', 'mlx', 'onnx-cpu', 'onnx-coreml'], range: ['#2563eb', '#d97706', '#059669', '#7c3aed'] } } as const;

/** Sample-steps per second per case, one bar per backend (log scale: backends differ by orders of magnitude). */
export function throughputSpec(results: readonly BenchCaseResult[]): TopLevelSpec {
  // The axis starts a little below the slowest rate, so the slowest bar is visible too.
  const low = Math.min(...results.map((r) => r.sampleStepsPerSecond)) / 3;
  return {
    $schema: SCHEMA,
    title: 'Throughput per backend (at the median call)',
    width: WIDTH - 160,
    height: { step: 14 },
    data: { values: results.map((r) => ({ caseId: r.caseId, backend: r.backend, rate: r.sampleStepsPerSecond, base: low })) },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'caseId', type: 'nominal', title: null, sort: null, axis: { labelLimit: 240 } },
      yOffset: { field: 'backend', type: 'nominal' },
      x: { field: 'rate', type: 'quantitative', scale: { type: 'log', domainMin: low, nice: false }, title: 'sample-steps per second (log scale)' },
      // A log scale has no zero for bars to grow from: each starts at the axis's low end.
      x2: { field: 'base' },
      color: backendColor,
    },
  } as TopLevelSpec;
}

/** Achieved GFLOP/s over the measured FMA peak of the threads each backend can use, with 100 % marked. */
export function peakShareSpec(results: readonly BenchCaseResult[]): TopLevelSpec {
  const values = results.filter((r) => r.fractionOfPeak !== undefined).map((r) => ({ caseId: r.caseId, backend: r.backend, percent: r.fractionOfPeak! * 100 }));
  return {
    $schema: SCHEMA,
    title: 'Share of the measured FMA peak',
    width: WIDTH - 160,
    height: { step: 14 },
    layer: [
      {
        data: { values },
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'caseId', type: 'nominal', title: null, sort: null, axis: { labelLimit: 240 } },
          yOffset: { field: 'backend', type: 'nominal' },
          x: { field: 'percent', type: 'quantitative', title: 'of the FMA peak (%)', scale: { domainMin: 0 } },
          color: backendColor,
        },
      },
      { data: { values: [{ percent: 100 }] }, mark: { type: 'rule', color: '#dc2626', strokeDash: [4, 3] }, encoding: { x: { field: 'percent', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

/** Time per call: p50 (dot) to p99 (bar end) and the max (tick), per case and backend, log scale. */
export function latencyTailSpec(results: readonly BenchCaseResult[]): TopLevelSpec {
  const values = results.map((r) => ({ label: `${r.caseId} · ${r.backend}`, backend: r.backend, p50: r.latencyMs.p50 * 1000, p99: r.latencyMs.p99 * 1000, max: r.latencyMs.max * 1000 }));
  const y = { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 280 } } as const;
  const us = (field: string, title?: string) => ({ field, type: 'quantitative', scale: { type: 'log' }, ...(title ? { title } : {}) }) as const;
  return {
    $schema: SCHEMA,
    title: 'Latency tails: p50 (dot), p99 (end of bar), max (tick)',
    width: WIDTH - 200,
    height: { step: 16 },
    data: { values },
    layer: [
      { mark: { type: 'rule', strokeWidth: 3 }, encoding: { y, x: us('p50', 'time per call (µs, log scale)'), x2: { field: 'p99' }, color: backendColor } },
      { mark: { type: 'point', filled: true, size: 50 }, encoding: { y, x: us('p50'), color: backendColor } },
      { mark: { type: 'tick', thickness: 2, color: '#111827' }, encoding: { y, x: us('max') } },
    ],
  } as TopLevelSpec;
}
