/**
 * The figures users asked for (#15): single-step latency as a distribution (p50, p90, p99, max and a histogram)
 * and training loss per epoch and per batch with labelled axes and the validation loss, in every report format.
 */
import { describe, expect, it } from 'vitest';
import { ProfileResult, type KernelCallRecord } from '../../src/monitor/index.js';
import { latencyHistogram, summariseLatency } from '../../src/monitor/latency.js';
import { responsiveSvg } from '../../src/monitor/charts.js';
import { systemInfo } from '../../src/monitor/system.js';
import type { TrainSlice } from '../../src/train/train-events.js';

function stepCall(durationMs: number, startMs: number): KernelCallRecord {
  return { kernel: 'ltc.step', backend: 'cpu', device: 'cpu', startMs, durationMs, batch: 1, steps: 1, flops: 1e4, bytesRead: 1e4, bytesWritten: 100, uniqueBytes: 1e4, thread: 0, nativeLiveBytes: 0 };
}

// 1000 steps: 1..1000 µs in a shuffled order, so p50 = 500 µs, p90 = 900, p99 = 990, max = 1000 (nearest rank).
const durations = Array.from({ length: 1000 }, (_, i) => ((i * 617) % 1000) + 1).map((us) => us / 1000);
const training: TrainSlice[] = [
  ...[1, 2].flatMap((epoch) => [1, 2, 3].map((batch): TrainSlice => ({ kind: 'batch', epoch, batch, startMs: epoch * 10 + batch, endMs: epoch * 10 + batch + 1, loss: 1 / (epoch * 3 + batch) }))),
  { kind: 'epoch', epoch: 1, startMs: 10, endMs: 14, loss: 0.2, valLoss: 0.25 },
  { kind: 'epoch', epoch: 2, startMs: 20, endMs: 24, loss: 0.125, valLoss: 0.1875 },
];
const result = new ProfileResult({
  startedAt: '2026-01-01T00:00:00.000Z', durationMs: 2000, system: systemInfo(), ceilings: undefined,
  calls: durations.map((d, i) => stepCall(d, i)), droppedCalls: 0, mainThread: 0, memory: [], training, model: undefined,
});

describe('latency distribution', () => {
  it('nearest-rank percentiles and a histogram that holds every call', () => {
    expect(summariseLatency(durations)).toMatchObject({ count: 1000, p50: 0.5, p90: 0.9, p99: 0.99, max: 1, min: 0.001 });
    const bins = latencyHistogram(durations, 24);
    expect(bins).toHaveLength(24);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(1000);
    expect(bins[0].low).toBe(0.001);
    expect(bins[23].high).toBe(1);
    expect(latencyHistogram([2, 2, 2])).toEqual([{ low: 2, high: 2, count: 3 }]);
    expect(summariseLatency([]).count).toBe(0);
  });

  it('the JSON report has each kernel\'s p50/p90/p99/max', async () => {
    const json = JSON.parse(await result.report({ format: 'json' })) as { kernels: { kernel: string; latencyMs: Record<string, number> }[] };
    expect(json.kernels[0].latencyMs).toMatchObject({ p50: 0.5, p90: 0.9, p99: 0.99, max: 1 });
  });

  it('the Markdown report has the percentiles and the histogram as a table', async () => {
    const md = await result.report({ format: 'md' });
    expect(md).toContain('| ltc.step | 1000 | 500 µs | 900 µs | 990 µs | 1.00 ms |');
    const histogram = md.split('single-step latency histogram')[1];
    const rows = [...histogram.matchAll(/^\| [\d.]+ [µm]?s \| [\d.]+ [µm]?s \| (\d+) \|$/gm)].map((m) => Number(m[1]));
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.reduce((a, b) => a + b, 0)).toBe(1000);
  });

  it('the HTML report draws the step-latency histogram with data and the p50/p99/max marks', async () => {
    const html = await result.report({ format: 'html' });
    const figure = /<figure data-chart="step-latency" data-points="(\d+)">([\s\S]*?)<\/figure>/.exec(html);
    expect(figure?.[1]).toBe('1000');
    expect((figure![2].match(/<path/g) ?? []).length).toBeGreaterThan(24);
    expect(figure![2]).toMatch(/p99 990 µs/);
    expect(figure![2]).toMatch(/time per step \(µs, log scale\)/);
  });
});

describe('training loss', () => {
  it('HTML: a loss chart with labelled axes, the batch and epoch losses and the validation loss', async () => {
    const html = await result.report({ format: 'html' });
    const figure = /<figure data-chart="loss" data-points="(\d+)">([\s\S]*?)<\/figure>/.exec(html);
    expect(figure?.[1]).toBe(String(6 + 2 + 2));
    const svg = figure![2];
    expect(svg).toMatch(/<text[^>]*>epoch \(batches at their fraction of the epoch\)<\/text>/);
    expect(svg).toMatch(/<text[^>]*>loss<\/text>/);
    expect(svg).toContain('validation loss');
    expect(html).toMatch(/<th>validation loss<\/th>/);
  });

  it('Markdown: loss per epoch with validation, and per batch', async () => {
    const md = await result.report({ format: 'md' });
    expect(md).toContain('| epoch | loss | validation loss | batches | time |');
    expect(md).toContain('| 2 | 0.1250 | 0.1875 | 3 | 4.00 ms |');
    expect(md).toContain('### Loss per batch');
    expect(md.match(/^\| [12] \| [123] \| 0\.\d+ \| 1\.00 ms \|$/gm)).toHaveLength(6);
  });
});

describe('charts use the page width', () => {
  it('every chart SVG has a viewBox and width 100 %, no fixed pixel width', async () => {
    const html = await result.report({ format: 'html' });
    const roots = [...html.matchAll(/<figure data-chart="(?!wiring)[^"]+"[^>]*><svg([^>]*)>/g)].map((m) => m[1]);
    expect(roots.length).toBeGreaterThanOrEqual(3);
    for (const attributes of roots) {
      expect(attributes).toMatch(/viewBox="0 0 [\d.]+ [\d.]+"/);
      expect(attributes).toMatch(/ width="100%"/);
      expect(attributes).not.toMatch(/ height="\d/);
    }
    expect(responsiveSvg('<svg class="marks" width="10" height="5"><rect width="3" height="2"/></svg>')).toBe(
      '<svg class="marks" viewBox="0 0 10 5" width="100%" style="height:auto;max-width:100%" preserveAspectRatio="xMinYMin meet"><rect width="3" height="2"/></svg>',
    );
  });
});
