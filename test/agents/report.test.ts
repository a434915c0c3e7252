/**
 * The policy report section (issue 13, deliver 4): reliability diagram, calibration over time and per-agent
 * spread, as policy.report() (html, md, json) and as a section of a profile report; the HTML page in headless
 * Chromium with no console errors and every chart drawn with data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfidencePolicy } from '../../src/agents/index.js';
import { startProfile } from '../../src/monitor/index.js';
import { CalibrationHistory, HISTORY_ROWS } from '../../src/agents/calibration-history.js';
import { findChromium, inspectInChromium } from '../helpers/chromium.js';
import { flightsSlice, newPolicy, replaySlice } from './slice.js';

const s = flightsSlice();
const executablePath = findChromium();

function trainedPolicy(): ConfidencePolicy {
  const policy = newPolicy();
  replaySlice(policy, s, 0, 6000);
  return policy;
}

describe('policy report section', () => {
  it('json: reliability bins, calibration windows and the agents spread hold the outcomes seen', async () => {
    const policy = trainedPolicy();
    const data = JSON.parse(await policy.report({ format: 'json' }));
    expect(data.summary.outcomes).toBe(6000);
    expect(data.reliability.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(6000);
    expect(data.history.reduce((n: number, w: { outcomes: number }) => n + w.outcomes, 0)).toBe(6000);
    expect(data.history.length).toBeGreaterThan(10);
    expect(data.spread.agents).toBeGreaterThan(10);
    expect(data.spread.gapP10).toBeLessThanOrEqual(data.spread.gapMedian);
    expect(data.spread.gapMedian).toBeLessThanOrEqual(data.spread.gapP90);
    expect(data.spread.worst.length).toBe(10);
  });

  it('md: summary, reliability table, recent windows and the agents with the largest gap', async () => {
    const md = await trainedPolicy().report({ format: 'md', title: 'Flights policy' });
    expect(md).toMatch(/^## Flights policy\n/);
    expect(md).toMatch(/\| bin \| outcomes \| mean probability \| observed rate \|/);
    expect(md).toMatch(/Calibration over time \(last 5 of \d+ windows of 256 outcomes\)/);
    expect(md).toMatch(/agents with ≥ 20 outcomes; calibration gap/);
  });

  it('bad options are typed errors naming the argument', async () => {
    const policy = newPolicy();
    await expect(policy.report({ format: 'pdf' as never })).rejects.toMatchObject({ code: 'NCP_INVALID_RANGE' });
    await expect(policy.report(undefined as never)).rejects.toBeInstanceOf(TypeError);
    expect(() => policy.reportSection(3 as never)).toThrow(TypeError);
  });

  it('a profile report takes the policy as a section (md and html)', async () => {
    const policy = trainedPolicy();
    const profile = startProfile({ sampleIntervalMs: 50 });
    const result = profile.stop();
    const md = await result.report({ format: 'md', sections: [policy.reportSection('Agent confidence')] });
    expect(md).toMatch(/### Agent confidence\n\n- \*\*Calls scored\*\*: 6000/);
    const html = await result.report({ format: 'html', sections: [policy.reportSection('Agent confidence')] });
    expect(html).toContain('<h2>Agent confidence</h2>');
    expect(html).toContain('data-chart="policy-reliability"');
    await expect(result.report({ format: 'md', sections: [{ title: 'x' }] as never })).rejects.toBeInstanceOf(TypeError);
  }, 120_000);

  it('history stays bounded: windows merge pairwise and double, totals kept', () => {
    const h = new CalibrationHistory();
    const n = 256 * HISTORY_ROWS * 3 + 17;
    for (let i = 0; i < n; i++) h.add(i, 0.25, i % 4 === 0 ? 1 : 0);
    const w = h.windows();
    expect(w.length).toBeLessThanOrEqual(HISTORY_ROWS + 1);
    expect(w.reduce((sum, x) => sum + x.outcomes, 0)).toBe(n);
    expect(h.window).toBe(256 * 4);
    expect(w[w.length - 1].endTime).toBe(n - 1);
    const again = new CalibrationHistory();
    expect(again.restore(h.serialize())).toBe(true);
    expect(again.windows()).toEqual(w);
    expect(again.restore([7, 1, 0])).toBe(false);
  });

  it.skipIf(!executablePath && process.platform !== 'linux')('html renders in headless Chromium with no console errors and charts with data', { timeout: 600_000 }, async () => {
    expect(executablePath, 'no Chromium found: run `npm run setup:test` (or set NCP_SILICON_CHROMIUM)').toBeDefined();
    const html = await trainedPolicy().report({ format: 'html', title: 'policy report test' });
    const dir = mkdtempSync(join(tmpdir(), 'ncp-policy-report-'));
    try {
      const file = join(dir, 'policy.html');
      writeFileSync(file, html);
      const { errors, requests, result } = await inspectInChromium(executablePath!, file, async (page) => ({
        title: await page.title(),
        charts: await page.$$eval('figure[data-chart]', (figures) =>
          figures.map((f) => ({
            name: f.getAttribute('data-chart'),
            points: Number(f.getAttribute('data-points')),
            marks: f.querySelectorAll('.role-mark path').length,
            width: f.querySelector('svg')?.getBoundingClientRect().width ?? 0,
          })),
        ),
      }));
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(result.title).toBe('policy report test');
      expect(result.charts.map((c) => c.name).sort()).toEqual(['policy-history', 'policy-reliability', 'policy-spread']);
      for (const c of result.charts) {
        expect(c.points, c.name!).toBeGreaterThan(0);
        expect(c.marks, c.name!).toBeGreaterThan(0);
        expect(c.width, c.name!).toBeGreaterThan(100);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
