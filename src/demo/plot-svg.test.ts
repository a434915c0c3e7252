import { describe, expect, it } from 'vitest';
import { escapeXml, lineChart, niceTicks } from './plot-svg.js';

describe('lineChart', () => {
  it('draws one element per series, a legend and a title, escaping text', () => {
    const svg = lineChart(
      [
        { name: 'truth <obs>', values: [1, 2, 3], color: '#000', dots: true },
        { name: 'model & co', values: [1, 2.5, 2.8], color: '#f00', dashed: true },
      ],
      { title: 'A "title"', yLabel: '°C' },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>A &quot;title&quot;</title>');
    expect(svg).toContain('data-name="truth &lt;obs&gt;"');
    expect(svg).toContain('data-name="model &amp; co"');
    expect(svg.match(/<circle cx/g)!.length).toBe(3 + 1); // three dots plus the legend's marker
    expect(svg).toContain('stroke-dasharray');
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it('breaks lines at NaN instead of bridging them, and survives empty or constant data', () => {
    const svg = lineChart([{ name: 's', values: [1, NaN, 3, 4], color: '#00f' }], { title: 't' });
    const d = /<path class="series"[^>]* d="([^"]*)"/.exec(svg)![1];
    expect(d.match(/M/g)!.length).toBe(2);
    expect(lineChart([{ name: 'e', values: [], color: '#000' }], { title: 'empty' })).not.toMatch(/NaN/);
    expect(lineChart([{ name: 'c', values: [2, 2, 2], color: '#000' }], { title: 'const' })).not.toMatch(/NaN|Infinity/);
  });

  it('supports a log y axis and custom x ticks', () => {
    const svg = lineChart([{ name: 'loss', values: [1, 0.1, 0.01], color: '#000' }], { title: 'log', logY: true, xTicks: [{ value: 1, label: 'one' }] });
    expect(svg).toContain('>one<');
    expect(svg).not.toMatch(/NaN/);
  });

  it('niceTicks and escapeXml', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(-3.2, 31.7)).toEqual([0, 10, 20, 30]);
    expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;');
  });
});
