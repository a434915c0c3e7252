/**
 * Opens a report page in a real headless Chromium (Debian's `chromium`, from `npm run setup:test`; Chrome on macOS)
 * and returns what the checks need: console errors, non-file requests, the title and each chart's marks.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export function findChromium(): string | undefined {
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

export interface RenderedChart {
  name: string;
  points: number;
  /** Drawn marks by kind (vega's SVG classes). */
  symbols: number;
  lines: number;
  bars: number;
  /** Bars at least half a pixel wide and high: drawn where a reader can see them. */
  visibleBars: number;
  rules: number;
  width: number;
  axisTitles: string[];
}

export interface RenderedPage {
  errors: string[];
  externalRequests: string[];
  title: string;
  charts: RenderedChart[];
  figureWidth: number;
}

export async function renderInChromium(executablePath: string, page: string, hangGuardMs: number, screenshot?: string): Promise<RenderedPage> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'ncp-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    timeout: hangGuardMs,
    viewport: { width: 1100, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    context.setDefaultTimeout(hangGuardMs);
    const tab = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    tab.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    tab.on('pageerror', (error) => errors.push(error.message));
    tab.on('request', (request) => requests.push(request.url()));
    await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
    const charts = await tab.$$eval('figure[data-chart]', (figures) =>
      figures.map((f) => ({
        name: f.getAttribute('data-chart') ?? '',
        points: Number(f.getAttribute('data-points')),
        symbols: f.querySelectorAll('.mark-symbol.role-mark path').length,
        lines: f.querySelectorAll('.mark-line.role-mark path').length,
        bars: f.querySelectorAll('.mark-rect.role-mark path').length,
        visibleBars: [...f.querySelectorAll('.mark-rect.role-mark path')].filter((p) => {
          const box = p.getBoundingClientRect();
          return box.width >= 0.5 && box.height >= 0.5;
        }).length,
        rules: f.querySelectorAll('.mark-rule.role-mark line').length,
        width: f.querySelector('svg')?.getBoundingClientRect().width ?? 0,
        axisTitles: [...f.querySelectorAll('.role-axis-title text')].map((t) => t.textContent ?? ''),
      })),
    );
    const figureWidth = await tab.$eval('figure[data-chart]', (f) => f.clientWidth);
    if (screenshot) await tab.screenshot({ path: screenshot, fullPage: true });
    return { errors, externalRequests: requests.filter((url) => !url.startsWith('file:')), title: await tab.title(), charts, figureWidth };
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
