/**
 * The HTML report in a real headless Chromium (Debian's `chromium`, installed by `npm run setup:test`; Chrome on
 * macOS runners): no console errors, no network, every chart drawn with data. The screenshot is kept in
 * test-results/ (CI uploads that folder).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { AutoNCP, LTC, fit } from '../../src/index.js';
import { calibrate, startProfile } from '../../src/monitor/index.js';

function findChromium(): string | undefined {
  const fromEnv = process.env.NCP_SILICON_CHROMIUM;
  if (fromEnv) return fromEnv;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not on PATH
    }
  }
  const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
  return existsSync(mac) ? mac : undefined;
}

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

    const userDataDir = mkdtempSync(join(tmpdir(), 'ncp-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      timeout: CHROMIUM_HANG_GUARD_MS,
      viewport: { width: 1100, height: 900 },
      // Root in a container needs --no-sandbox; the rest keeps Chromium from phoning home (refused here anyway).
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      context.setDefaultTimeout(CHROMIUM_HANG_GUARD_MS);
      const tab = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      tab.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      tab.on('pageerror', (error) => errors.push(error.message));
      tab.on('request', (request) => requests.push(request.url()));
      await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });

      expect(errors).toEqual([]);
      expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
      expect(await tab.title()).toBe('ncp-silicon test profile');

      const charts = await tab.$$eval('figure[data-chart]', (figures) =>
        figures.map((f) => ({
          name: f.getAttribute('data-chart'),
          points: Number(f.getAttribute('data-points')),
          symbols: f.querySelectorAll('.mark-symbol.role-mark path').length,
          lines: f.querySelectorAll('.mark-line.role-mark path').length,
          bars: f.querySelectorAll('.mark-rect.role-mark path').length,
          width: f.querySelector('svg')?.getBoundingClientRect().width ?? 0,
          axisTitles: [...f.querySelectorAll('.role-axis-title text')].map((t) => t.textContent ?? ''),
        })),
      );
      const byName = Object.fromEntries(charts.map((c) => [c.name, c]));
      expect(Object.keys(byName).sort()).toEqual(['batches', 'kernel-time', 'loss', 'memory', 'roofline', 'step-latency', 'wiring']);
      for (const c of charts) {
        expect(c.points, c.name!).toBeGreaterThan(0);
        expect(c.width, c.name!).toBeGreaterThan(100);
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
      const figureWidth = await tab.$eval('figure[data-chart="kernel-time"]', (f) => f.clientWidth);
      expect(byName['kernel-time'].width).toBeGreaterThan(figureWidth - 40);
      expect(await tab.locator('text=datasheet').count()).toBe(process.platform === 'darwin' && process.arch === 'arm64' ? 1 : 0);

      await tab.screenshot({ path: join(RESULTS, 'report-screenshot.png'), fullPage: true });
      expect(existsSync(join(RESULTS, 'report-screenshot.png'))).toBe(true);
    } finally {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
