/**
 * The HTML report in a real headless Chromium (Debian's `chromium`, installed by `npm run setup:test`; Chrome on
 * macOS runners): no console errors, no network, every chart drawn with data. The screenshot is kept in
 * test-results/ (CI uploads that folder).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AutoNCP, LTC, fit } from '../../src/index.js';
import { calibrate, startProfile } from '../../src/monitor/index.js';
import { findChromium, renderInChromium } from '../helpers/chromium.js';

const executablePath = findChromium();
const RESULTS = join(process.cwd(), 'test-results');

// Hang guards only, never a speed check: calibrating, training and starting Chromium take seconds here but minutes on
// a loaded or instrumented machine (npm run test:sanitize), so every wait is generous rather than the defaults
// (vitest's 60 s test timeout, Playwright's 30 s launch and navigation timeouts).
const HANG_GUARD_MS = 600_000;
const CHROMIUM_HANG_GUARD_MS = 300_000;

describe('HTML profile report in headless Chromium', () => {
  // Linux CI installs Chromium in setup:test, so its absence there is a failure; elsewhere it is a skip.
  it.skipIf(!executablePath && process.platform !== 'linux')('renders with no console errors, no network, and charts with data', { timeout: HANG_GUARD_MS }, async () => {
    expect(executablePath, 'no Chromium found: run `npm run setup:test` (or set NCP_SILICON_CHROMIUM)').toBeDefined();
    const cacheDir = mkdtempSync(join(tmpdir(), 'ncp-report-'));
    const model = new LTC(6, new AutoNCP(20, 3, { seed: 7 }), { seed: 1 });
    const ceilings = await calibrate({ cacheDir });
    const profile = startProfile({ model, ceilings, sampleIntervalMs: 5 });
    const input = { data: Float32Array.from({ length: 16 * 20 * 6 }, (_, i) => Math.sin(i * 0.1)), shape: [16, 20, 6] };
    for (let i = 0; i < 3; i++) model.forward(input);
    let state = model.step({ data: new Float32Array(6), shape: [6] }).state;
    for (let i = 0; i < 200; i++) state = model.step({ data: Float32Array.from({ length: 6 }, (_, j) => Math.sin(i + j)), shape: [6] }, state).state;
    const targets = { data: Float32Array.from({ length: 16 * 20 * 3 }, (_, i) => Math.cos(i * 0.1)), shape: [16, 20, 3] };
    await fit(model, { inputs: input, targets }, { epochs: 2, batchSize: 8, verbose: 0 });
    const result = profile.stop();
    const html = await result.report({ format: 'html', title: 'ncp-silicon test profile' });
    mkdirSync(RESULTS, { recursive: true });
    const page = join(cacheDir, 'report.html');
    writeFileSync(page, html);
    writeFileSync(join(RESULTS, 'report.html'), html);

    try {
      const shot = join(RESULTS, 'report-screenshot.png');
      const rendered = await renderInChromium(executablePath!, page, CHROMIUM_HANG_GUARD_MS, shot);
      expect(rendered.errors).toEqual([]);
      expect(rendered.externalRequests).toEqual([]);
      expect(rendered.title).toBe('ncp-silicon test profile');

      const charts = rendered.charts;
      const byName = Object.fromEntries(charts.map((c) => [c.name, c]));
      expect(Object.keys(byName).sort()).toEqual(['batches', 'kernel-time', 'loss', 'memory', 'roofline', 'step-latency', 'wiring']);
      for (const c of charts) {
        expect(c.points, c.name).toBeGreaterThan(0);
        expect(c.width, c.name).toBeGreaterThan(100);
      }
      // Roofline: one point per kernel (forward, forwardBackward, step) and the roof lines.
      expect(byName.roofline.symbols).toBe(result.kernels.length);
      expect(byName.roofline.lines).toBeGreaterThanOrEqual(1);
      expect(byName.memory.lines).toBeGreaterThanOrEqual(3);
      expect(byName['kernel-time'].bars).toBe(result.kernels.length);
      expect(byName.batches.bars).toBe(4);
      // Step latency: a histogram with bars, its axes named; the loss: batch and epoch lines on labelled axes.
      expect(byName['step-latency'].points).toBe(201);
      expect(byName['step-latency'].bars).toBeGreaterThan(0);
      expect(byName['step-latency'].axisTitles).toEqual(expect.arrayContaining(['time per step (µs, log scale)', 'calls']));
      expect(byName.loss.lines).toBeGreaterThanOrEqual(2);
      expect(byName.loss.axisTitles.some((t: string) => t.startsWith('epoch'))).toBe(true);
      expect(byName.loss.axisTitles.some((t: string) => t.startsWith('loss'))).toBe(true);
      // Charts use the page's width: each fills its figure (minus padding), however narrow the SVG's own units.
      expect(byName['kernel-time'].width).toBeGreaterThan(rendered.figureWidth - 40);
      expect(/datasheet/.test(rendered.text)).toBe(process.platform === 'darwin' && process.arch === 'arm64');
      expect(existsSync(shot)).toBe(true);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
