/**
 * The report's charts: vega-lite specs compiled and rendered to SVG strings in Node by vega's headless View
 * (renderer 'none' + toSVG(), no canvas, no network), so the HTML page embeds them inline. Each SVG keeps its
 * viewBox and gets width 100 %, so it scales to the page's width instead of sitting at a fixed pixel size.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Calibration } from './calibrate.js';
import type { MemorySnapshot } from './memory.js';
import type { HistogramBin } from './latency.js';
import type { KernelSummary } from './profile-data.js';
import type { BatchLossPoint, EpochLossPoint } from './training-series.js';

/** Plot width in the SVG's own units: near the report's column (980 px less padding and legends), so scaling is slight. */
export const WIDTH = 720;
const MIB = 2 ** 20;

export async function renderSpec(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return responsiveSvg(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/** Replaces the root <svg>'s fixed width and height by width 100 % (the viewBox keeps the aspect ratio). */
export function responsiveSvg(svg: string): string {
  const open = /^<svg[^>]*>/.exec(svg);
  if (!open) return svg;
  const size = / width="([\d.]+)" height="([\d.]+)"/.exec(open[0]);
  if (!size) return svg;
  const viewBox = / viewBox=/.test(open[0]) ? '' : ` viewBox="0 0 ${size[1]} ${size[2]}"`;
  const tag = open[0].replace(size[0], `${viewBox} width="100%" style="height:auto;max-width:100%" preserveAspectRatio="xMinYMin meet"`);
  return tag + svg.slice(open[0].length);
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
    width: WIDTH - 200,
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

/**
 * Single-step latency as a histogram (log-spaced bins, log time axis) per step kernel, with the p50, p99 and max
 * marked: the tail an agent's control loop sees.
 */
export function latencyHistogramSpec(series: readonly { kernel: string; bins: readonly HistogramBin[]; p50: number; p99: number; max: number }[]): TopLevelSpec {
  const bars = series.flatMap((s) => s.bins.map((b) => ({ kernel: s.kernel, lowUs: b.low * 1000, highUs: Math.max(b.high, b.low * 1.0001) * 1000, count: b.count })));
  const marks = series.flatMap((s) => (['p50', 'p99', 'max'] as const).map((label) => ({ kernel: s.kernel, label: `${label} ${formatUs(s[label] * 1000)}`, us: s[label] * 1000 })));
  const x = { field: 'lowUs', type: 'quantitative', scale: { type: 'log' }, title: 'time per step (µs, log scale)' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Single-step latency (calls per bin)',
    width: WIDTH,
    height: 200,
    layer: [
      {
        data: { values: bars },
        mark: { type: 'rect', opacity: 0.8 },
        encoding: { x, x2: { field: 'highUs' }, y: { field: 'count', type: 'quantitative', title: 'calls' }, color: { field: 'kernel', type: 'nominal', title: 'kernel' } },
      },
      {
        data: { values: marks },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#111827' },
        encoding: { x: { field: 'us', type: 'quantitative', scale: { type: 'log' } } },
      },
      {
        data: { values: marks },
        mark: { type: 'text', angle: 270, align: 'left', dx: 4, dy: -4, fontSize: 10, color: '#111827' },
        encoding: { x: { field: 'us', type: 'quantitative', scale: { type: 'log' } }, y: { value: 4 }, text: { field: 'label', type: 'nominal' } },
      },
    ],
  } as TopLevelSpec;
}

/** Training loss: every batch (thin line) and each epoch's mean (points), with the validation loss when there is one. */
export function lossSpec(batches: readonly BatchLossPoint[], epochs: readonly EpochLossPoint[]): TopLevelSpec {
  const values = [
    ...batches.map((b) => ({ epoch: b.at, loss: b.loss, series: 'batch loss' })),
    ...epochs.flatMap((e) => (e.loss === undefined ? [] : [{ epoch: e.epoch, loss: e.loss, series: 'epoch loss' }])),
    ...epochs.flatMap((e) => (e.valLoss === undefined ? [] : [{ epoch: e.epoch, loss: e.valLoss, series: 'validation loss' }])),
  ];
  const positive = values.every((v) => v.loss > 0);
  const spread = positive && values.length > 0 ? Math.max(...values.map((v) => v.loss)) / Math.min(...values.map((v) => v.loss)) : 1;
  const y = { field: 'loss', type: 'quantitative', title: `loss${spread > 20 ? ' (log scale)' : ''}`, scale: spread > 20 ? { type: 'log' } : { zero: false } } as const;
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch (batches at their fraction of the epoch)' } as const;
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: ['batch loss', 'epoch loss', 'validation loss'], range: ['#93c5fd', '#1d4ed8', '#dc2626'] } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Training loss',
    width: WIDTH,
    height: 240,
    data: { values },
    layer: [
      { transform: [{ filter: "datum.series === 'batch loss'" }], mark: { type: 'line', strokeWidth: 1 }, encoding: { x, y, color } },
      { transform: [{ filter: "datum.series !== 'batch loss'" }], mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x, y, color } },
    ],
  } as TopLevelSpec;
}

function formatUs(us: number): string {
  return us >= 1000 ? `${(us / 1000).toPrecision(3)} ms` : `${us.toPrecision(3)} µs`;
}
