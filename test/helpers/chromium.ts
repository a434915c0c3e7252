/**
 * Finds a Chromium for HTML report tests (Debian's `chromium`, installed by `npm run setup:test`; Chrome on macOS;
 * NCP_SILICON_CHROMIUM overrides) and opens a page in it headless, collecting console errors and requests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

/** Hang guard only (Chromium starts in seconds here, minutes on a loaded machine), never a speed check. */
const HANG_GUARD_MS = 300_000;

/** Opens `file` in headless Chromium, runs `inspect` on the page, closes everything; returns console errors and non-file requests. */
export async function inspectInChromium<T>(executablePath: string, file: string, inspect: (page: Page) => Promise<T>): Promise<{ errors: string[]; requests: string[]; result: T }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'ncp-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    timeout: HANG_GUARD_MS,
    viewport: { width: 1100, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    context.setDefaultTimeout(HANG_GUARD_MS);
    const page = await context.newPage();
    const errors: string[] = [], requests: string[] = [];
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => { if (!request.url().startsWith('file:')) requests.push(request.url()); });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { errors, requests, result: await inspect(page) };
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
