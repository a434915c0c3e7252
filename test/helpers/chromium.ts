/**
 * Opens a report page in a real headless Chromium (Debian's `chromium`, from `npm run setup:test`; Chrome on macOS)
 * and returns what the checks need: console errors, non-file requests, the title and each chart's marks.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

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
  /** The page's visible text. */
  text: string;
}

export async function renderInChromium(executablePath: string, page: string, hangGuardMs: number, screenshot?: string): Promise<RenderedPage> {
  const { errors, requests, result } = await inspectInChromium(executablePath, page, async (tab) => {
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
    const text = await tab.innerText('body');
    return { title: await tab.title(), charts, figureWidth, text };
  }, hangGuardMs);
  return { errors, externalRequests: requests, ...result };
}

/** Hang guard only (Chromium starts in seconds here, minutes on a loaded machine), never a speed check. */
const HANG_GUARD_MS = 300_000;

/** Opens `file` in headless Chromium, runs `inspect` on the page, closes everything; returns console errors and non-file requests. */
export async function inspectInChromium<T>(executablePath: string, file: string, inspect: (page: Page) => Promise<T>, hangGuardMs = HANG_GUARD_MS): Promise<{ errors: string[]; requests: string[]; result: T }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'ncp-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    timeout: hangGuardMs,
    viewport: { width: 1100, height: 900 },
    // Under npm run test:sanitize the sanitizer runtime is preloaded into this process; Chromium must not inherit it.
    env: browserEnv(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    context.setDefaultTimeout(hangGuardMs);
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { errors, requests, result: await inspect(page) };
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

/** This process's environment without the sanitizer preloads (LD_PRELOAD, DYLD_INSERT_LIBRARIES). */
function browserEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== 'LD_PRELOAD' && key !== 'DYLD_INSERT_LIBRARIES') env[key] = value;
  return env;
}
