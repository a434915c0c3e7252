/**
 * ncp-silicon/plot: every chart renders to a standalone SVG string without a browser, shows the data it was
 * given (marks per point / cell / neuron), and refuses malformed data with typed errors.
 */
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { heatmap, kernelTimes, lines, memoryOverTime, reliabilityBins, reliabilityDiagram, roofline, scatter, wiringActivity } from '../../src/plot/index.js';
import { startProfile } from '../../src/monitor/index.js';
import { LTC } from '../../src/models/ltc.js';
import { AutoNCP } from '../../src/wiring/index.js';

function parse(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(() => new XMLParser({ ignoreAttributes: false }).parse(svg, true)).not.toThrow();
}

/** Number of vega marks of a type (vega-lite names each mark group `mark-<type>` in the SVG). */
function markCount(svg: string, type: string): number {
  const groups: string[] = svg.match(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>([\\s\\S]*?)</g>`, 'g')) ?? [];
  return groups.reduce((n: number, g: string) => n + (g.match(/<path|<line|<rect/g)?.length ?? 0), 0);
}

describe('plot', () => {
  it('lines: one path per line series, dots for point series, the title and axis labels', async () => {
    const svg = await lines(
      [
        { name: 'truth', y: [1, 2, 3, 2, 1] },
        { name: 'forecast', y: [1.1, 2.1, 2.9, NaN, 1.2] },
        { name: 'observed', x: [0, 2, 4], y: [1, 3, 1], points: true },
      ],
      { title: 'Forecast vs truth', xLabel: 'step', yLabel: 'value' },
    );
    parse(svg);
    expect(svg).toContain('Forecast vs truth');
    expect(svg).toContain('>step<');
    expect(svg).toContain('>forecast<');
    expect(markCount(svg, 'line')).toBe(2);
    expect(markCount(svg, 'symbol')).toBe(3);
  });

  it('scatter: one symbol per point, groups in a legend, and the diagonal', async () => {
    const svg = await scatter([{ x: 1, y: 1.2, group: 'a' }, { x: 2, y: 1.8, group: 'b' }, { x: 3, y: 3.1, group: 'a' }], { diagonal: true, title: 'pred vs true' });
    parse(svg);
    expect(markCount(svg, 'symbol')).toBe(3);
    expect(markCount(svg, 'line')).toBe(1);
    expect(svg).toContain('>b<');
  });

  it('heatmap: one cell per matrix entry', async () => {
    const values = Float32Array.from({ length: 4 * 6 }, (_, i) => Math.sin(i));
    const svg = await heatmap(values, 4, 6, { rowLabels: ['n0', 'n1', 'n2', 'n3'], xLabel: 'step' });
    parse(svg);
    expect(markCount(svg, 'rect')).toBe(24);
    expect(svg).toContain('>n3<');
    await expect(heatmap(values, 5, 6)).rejects.toThrow(/plot\.heatmap: expected 30 values \(rows × cols\) for values, received Float32Array\(24\)/);
  });

  it('reliability: bins, accuracy and ECE computed exactly; the diagram shows the ECE', async () => {
    const confidence = [0.05, 0.15, 0.95, 0.9, 0.55, 1];
    const correct = [0, 1, 1, 0, 1, true];
    const { bins, ece } = reliabilityBins(confidence, correct, 2);
    expect(bins.map((b) => b.count)).toEqual([2, 4]);
    expect(bins[0].accuracy).toBeCloseTo(0.5, 12);
    expect(bins[0].meanConfidence).toBeCloseTo(0.1, 12);
    expect(bins[1].accuracy).toBeCloseTo(0.75, 12);
    expect(bins[1].meanConfidence).toBeCloseTo(0.85, 12);
    expect(ece).toBeCloseTo((2 / 6) * 0.4 + (4 / 6) * 0.1, 12);
    const svg = await reliabilityDiagram(confidence, correct, { bins: 2 });
    parse(svg);
    expect(svg).toContain(`ECE ${ece.toFixed(3)}`);
    expect(() => reliabilityBins([1.5], [1])).toThrow(RangeError);
    expect(() => reliabilityBins([0.5], [1, 0])).toThrow(/one per confidence/);
  });

  it('wiringActivity: every neuron and input drawn, one rule per synapse', async () => {
    const wiring = new AutoNCP(10, 2, { seed: 3 }).build(3);
    const activity = Float32Array.from({ length: 10 }, (_, i) => i / 10 - 0.5);
    const svg = await wiringActivity(wiring, activity, { inputs: [0.1, -0.2, 0.3] });
    parse(svg);
    expect(markCount(svg, 'symbol')).toBe(10 + 3);
    expect(markCount(svg, 'rule')).toBe(wiring.synapseCount + wiring.sensorySynapseCount);
    await expect(wiringActivity(wiring, [1, 2])).rejects.toThrow(/expected 10 values \(one per neuron, by id\) for activity/);
  });

  it("a profile's roofline, memory and kernel-time charts: one point per kernel that did work", async () => {
    const model = new LTC(3, new AutoNCP(12, 2));
    const profile = startProfile({ model });
    model.forward({ data: new Float32Array(2 * 5 * 3), shape: [2, 5, 3] });
    const result = profile.stop();
    const kernels = result.kernels.filter((k) => k.flops > 0 && k.bytes > 0);
    expect(kernels.length).toBeGreaterThan(0);
    const svg = await roofline(result);
    parse(svg);
    expect(markCount(svg, 'symbol')).toBe(kernels.length);
    parse(await memoryOverTime(result));
    const times = await kernelTimes(result);
    expect(markCount(times, 'rect')).toBe(result.kernels.length);
    await expect(roofline({} as never)).rejects.toThrow(TypeError);
  });

  it('refuses bad input with typed errors', async () => {
    await expect(lines([])).rejects.toThrow(TypeError);
    await expect(lines([{ name: 'a', y: [1, 2], x: [1] }])).rejects.toThrow(RangeError);
    await expect(lines([{ name: 'a', y: [1] }], { width: -3 })).rejects.toThrow(/options\.width/);
  });
});
