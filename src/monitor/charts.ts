/**
 * The report's charts: vega-lite specs compiled and rendered to SVG strings in Node by vega's headless View
 * (renderer 'none' + toSVG(), no canvas, no network), so the HTML page embeds them inline.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Calibration } from './calibrate.js';
import type { MemorySnapshot } from './memory.js';
import type { KernelSummary } from './profile-data.js';

const WIDTH = 560;
const MIB = 2 ** 20;

export async function renderSpec(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Achieved GFLOP/s against arithmetic intensity (FLOP/byte), log-log, under the measured roofs: bandwidth × I up
 * to the ridge point, then the FMA peak.
 */
export function rooflineSpec(kernels: readonly KernelSummary[], ceilings: Calibration | undefined): TopLevelSpec {
  const points = kernels.filter((k) => k.flops > 0 && k.bytes > 0).map((k) => ({ kernel: k.kernel, intensity: k.arithmeticIntensity, gflops: k.gflopsPerSecond }));
  const x = { field: 'intensity', type: 'quantitative', scale: { type: 'log' }, title: 'arithmetic intensity (FLOP per byte moved)' } as const;
  const y = { field: 'gflops', type: 'quantitative', scale: { type: 'log' }, title: 'achieved GFLOP/s' } as const;
  const layers: object[] = [];
  if (ceilings) {
    const peak = ceilings.fmaFlopsPerSecond / 1e9;
    const bandwidth = ceilings.memoryBandwidthBytesPerSecond / 1e9;
    const ridge = peak / bandwidth;
    const xs = [ridge, ...points.map((p) => p.intensity)];
    const low = Math.min(...xs) / 8;
    const high = Math.max(...xs) * 8;
    const roof = [
      { intensity: low, gflops: bandwidth * low, roof: 'memory' },
      { intensity: ridge, gflops: peak, roof: 'memory' },
      { intensity: ridge, gflops: peak, roof: 'compute' },
      { intensity: high, gflops: peak, roof: 'compute' },
    ];
    layers.push({
      data: { values: roof },
      mark: { type: 'line', color: '#6b7280', strokeWidth: 2 },
      encoding: { x, y, detail: { field: 'roof', type: 'nominal' } },
    });
    layers.push({
      data: {
        values: [
          { intensity: high, gflops: peak, label: `FMA peak ${peak.toFixed(0)} GFLOP/s` },
          { intensity: low * 1.6, gflops: bandwidth * low * 1.6, label: `${bandwidth.toFixed(1)} GB/s` },
        ],
      },
      mark: { type: 'text', align: 'right', dy: -8, color: '#374151', fontSize: 11 },
      encoding: { x, y, text: { field: 'label', type: 'nominal' } },
    });
  }
  layers.push({
    data: { values: points },
    mark: { type: 'point', filled: true, size: 90 },
    encoding: { x, y, color: { field: 'kernel', type: 'nominal', title: 'kernel' }, shape: { field: 'kernel', type: 'nominal' } },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: ceilings ? 'Roofline (measured ceilings)' : 'Achieved FLOP/s (no calibration: run calibrate() for the roofs)',
    width: WIDTH,
    height: 320,
    layer: layers,
  } as TopLevelSpec;
}

/** Memory over time: RSS, V8 heap, ArrayBuffers, native live bytes (and phys_footprint on macOS), in MiB. */
export function memorySpec(samples: readonly MemorySnapshot[]): TopLevelSpec {
  const values: { seconds: number; series: string; mib: number }[] = [];
  for (const m of samples) {
    const t = m.timeMs / 1000;
    values.push({ seconds: t, series: 'RSS', mib: m.rssBytes / MIB });
    values.push({ seconds: t, series: 'V8 heap used', mib: m.heapUsedBytes / MIB });
    values.push({ seconds: t, series: 'ArrayBuffers', mib: m.arrayBufferBytes / MIB });
    if (m.native) values.push({ seconds: t, series: 'native (addon allocator)', mib: m.native.liveBytes / MIB });
    if (m.physFootprintBytes !== undefined) values.push({ seconds: t, series: 'phys_footprint', mib: m.physFootprintBytes / MIB });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Memory over time',
    width: WIDTH,
    height: 240,
    data: { values },
    mark: { type: 'line', point: samples.length <= 60 },
    encoding: {
      x: { field: 'seconds', type: 'quantitative', title: 'seconds since the profile started' },
      y: { field: 'mib', type: 'quantitative', title: 'MiB' },
      color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 260 } },
    },
  } as TopLevelSpec;
}

/** Total time per kernel, largest first. */
export function kernelTimeSpec(kernels: readonly KernelSummary[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Time per kernel',
    width: WIDTH - 160,
    height: { step: 24 },
    data: { values: kernels.map((k) => ({ kernel: k.kernel, ms: k.totalMs, calls: k.calls })) },
    mark: { type: 'bar', color: '#2563eb' },
    encoding: {
      y: { field: 'kernel', type: 'nominal', sort: '-x', title: null },
      x: { field: 'ms', type: 'quantitative', title: 'total ms' },
    },
  } as TopLevelSpec;
}

/** Duration of every training batch, in order. */
export function batchSpec(batches: readonly { index: number; ms: number; epoch: number }[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Training batches',
    width: WIDTH,
    height: 160,
    data: { values: batches },
    mark: { type: 'bar', color: '#059669' },
    encoding: {
      x: { field: 'index', type: 'ordinal', title: 'batch', axis: { labels: batches.length <= 40 } },
      y: { field: 'ms', type: 'quantitative', title: 'ms' },
      opacity: { field: 'epoch', type: 'ordinal', legend: null },
    },
  } as TopLevelSpec;
}
