/**
 * `ncp-silicon bench` (#15): --quick runs here (in-process CLI), writes JSON, Markdown and HTML with every present
 * backend's cases, the HTML renders in headless Chromium with data in every chart; --compare against a doctored
 * earlier run reports the regression; bad flags and files give typed errors; an aborted run keeps what finished.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlxStatus } from '../../src/backend/mlx-load.js';
import { onnxRuntimeInfo } from '../../src/onnx/runtime-info.js';
import { benchCases } from '../../src/monitor/hardware-bench/cases.js';
import { BenchFileError, compareBench } from '../../src/monitor/hardware-bench/compare.js';
import { runHardwareBench } from '../../src/monitor/hardware-bench/run.js';
import type { BenchReport } from '../../src/monitor/hardware-bench/types.js';
import { runCli } from '../helpers/cli.js';
import { findChromium, renderInChromium } from '../helpers/chromium.js';

// Hang guards only, never speed checks: a quick bench takes ~15 s here idle, minutes on a loaded machine.
const HANG_GUARD_MS = 600_000;
const executablePath = findChromium();
const RESULTS = join(process.cwd(), 'test-results');

let root: string;
let out: string;
let first: { code: number; out: string; err: string };
let report: BenchReport;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ncp-bench-'));
  out = join(root, 'run1');
  first = await runCli('bench', '--quick', '--out', out);
  report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as BenchReport;
}, HANG_GUARD_MS);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ncp-silicon bench --quick', () => {
  it('runs every standard case on every backend present and writes bench.json, bench.md and bench.html', async () => {
    expect(first.code).toBe(0);
    for (const file of ['bench.json', 'bench.md', 'bench.html']) expect(existsSync(join(out, file)), file).toBe(true);
    expect(report).toMatchObject({ format: 'ncp-silicon-bench', version: 1, quick: true, interrupted: false });
    expect(report.ceilings?.fmaFlopsPerSecond).toBeGreaterThan(0);

    const ran = (backend: string) => report.results.filter((r) => r.backend === backend).map((r) => r.caseId).sort();
    const cases = benchCases(true);
    expect(ran('cpu')).toEqual(cases.map((c) => c.id).sort());
    const mlx = mlxStatus().available;
    expect(report.backends.find((b) => b.id === 'mlx')?.available).toBe(mlx);
    expect(ran('mlx')).toEqual(mlx ? cases.map((c) => c.id).sort() : []); // every case, training included
    const ort = (await onnxRuntimeInfo()).installed;
    expect(ran('onnx-cpu')).toEqual(ort ? cases.filter((c) => c.kind === 'step' || c.kind === 'forward').map((c) => c.id).sort() : []);
    for (const r of report.results) {
      expect(r.calls, r.caseId).toBeGreaterThan(0);
      expect(r.latencyMs.p50).toBeGreaterThan(0);
      expect(r.latencyMs.p50).toBeLessThanOrEqual(r.latencyMs.p90);
      expect(r.latencyMs.p90).toBeLessThanOrEqual(r.latencyMs.p99);
      expect(r.latencyMs.p99).toBeLessThanOrEqual(r.latencyMs.max);
      expect(r.sampleStepsPerSecond).toBeGreaterThan(0);
    }
    // The CPU backend's cases carry their work and share of the measured peak.
    for (const r of report.results.filter((x) => x.backend === 'cpu')) expect(r.fractionOfPeak, r.caseId).toBeGreaterThan(0);

    const md = readFileSync(join(out, 'bench.md'), 'utf8');
    expect(md).toContain('| case | backend | calls | p50 | p90 | p99 | max | sample-steps/s | GFLOP/s | of peak |');
    for (const r of report.results) expect(md).toContain(`| ${r.caseId} | ${r.backend} | ${r.calls} |`);
    expect(first.out).toContain('wrote ');
    expect(first.err).toMatch(/bench .*18\/18|bench .*\d+\/\d+ .*cfc-fit/);
  });

  it.skipIf(!executablePath && process.platform !== 'linux')('its HTML renders in headless Chromium with no console errors and data in every chart', { timeout: HANG_GUARD_MS }, async () => {
    expect(executablePath, 'no Chromium found: run `npm run setup:test` (or set NCP_SILICON_CHROMIUM)').toBeDefined();
    mkdirSync(RESULTS, { recursive: true });
    const page = await renderInChromium(executablePath!, join(out, 'bench.html'), 300_000, join(RESULTS, 'bench-screenshot.png'));
    expect(page.errors).toEqual([]);
    expect(page.externalRequests).toEqual([]);
    expect(page.title).toBe('ncp-silicon bench (quick)');
    const byName = Object.fromEntries(page.charts.map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['latency', 'peak-share', 'throughput']);
    for (const c of page.charts) {
      expect(c.points, c.name).toBeGreaterThan(0);
      expect(c.width, c.name).toBeGreaterThan(page.figureWidth - 40);
      expect(c.axisTitles.length, c.name).toBeGreaterThan(0);
    }
    expect(byName.throughput.bars).toBe(report.results.length);
    expect(byName.throughput.visibleBars).toBe(report.results.length);
    expect(byName['peak-share'].bars).toBe(report.results.filter((r) => r.fractionOfPeak !== undefined).length);
    // A share of 1 % is several pixels wide; smaller ones may round to nothing.
    expect(byName['peak-share'].visibleBars).toBeGreaterThanOrEqual(report.results.filter((r) => (r.fractionOfPeak ?? 0) >= 0.01).length);
    expect(byName.latency.symbols).toBe(report.results.length);
  });

  it('--compare against a doctored earlier run reports the regression and the improvement', { timeout: HANG_GUARD_MS }, async () => {
    const doctored = structuredClone(report);
    const slower = doctored.results.find((r) => r.backend === 'cpu' && r.kind === 'step')!;
    const faster = doctored.results.find((r) => r.backend === 'cpu' && r.kind === 'forward')!;
    slower.sampleStepsPerSecond *= 10; // then 10× faster than now: a regression now
    faster.sampleStepsPerSecond /= 10; // then 10× slower: an improvement now
    const old = join(root, 'old.json');
    writeFileSync(old, JSON.stringify(doctored));
    const second = await runCli('bench', '--quick', '--quiet', '--out', join(root, 'run2'), '--compare', old);
    expect(second.code).toBe(0);
    expect(second.err).toBe('');
    expect(second.out).toMatch(new RegExp(`REGRESSION +${slower.caseId} on cpu: 0\\.\\d+× the earlier throughput`));
    expect(second.out).toMatch(new RegExp(`improvement +${faster.caseId} on cpu: \\d+(\\.\\d+)?× the earlier throughput`));
    const md = readFileSync(join(root, 'run2', 'bench.md'), 'utf8');
    expect(md).toMatch(new RegExp(`\\| ${slower.caseId} \\| cpu \\| .* \\| \\*\\*regression\\*\\* \\|`));
    expect(readFileSync(join(root, 'run2', 'bench.html'), 'utf8')).toContain('class="regression">regression<');
  });
});

describe('compareBench', () => {
  it('flags ratios beyond the noise threshold only', () => {
    const clone = () => structuredClone(report);
    const now = clone();
    const old = clone();
    now.results[0].sampleStepsPerSecond = old.results[0].sampleStepsPerSecond * 0.9; // −10 %: noise at ±15 %
    now.results[1].sampleStepsPerSecond = old.results[1].sampleStepsPerSecond * 0.8; // −20 %: a regression
    now.results[2].sampleStepsPerSecond = old.results[2].sampleStepsPerSecond * 1.2; // +20 %: an improvement
    const c = compareBench(old, now);
    expect(c.noiseThreshold).toBe(0.15);
    expect(c.rows.map((r) => r.verdict).slice(0, 3)).toEqual(['same', 'regression', 'improvement']);
    expect(c.rows.slice(3).every((r) => r.verdict === 'same' && r.ratio === 1)).toBe(true);
    expect(compareBench(old, now, 0.05).rows[0].verdict).toBe('regression');
    now.results.pop();
    expect(compareBench(old, now).onlyOld).toHaveLength(1);
  });
});

describe('bad input', () => {
  it('bad flags give commander errors naming the flag', async () => {
    const noise = await runCli('bench', '--quick', '--noise', '2');
    expect(noise.code).toBe(1);
    expect(noise.err).toMatch(/option '--noise <fraction>' argument '2' is invalid\. expected a number in \(0, 1\), received "2"/);
    const unknown = await runCli('bench', '--fast');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/unknown option '--fast'/);
  });

  it('a missing or foreign --compare file is refused before anything is measured, with a BenchFileError', async () => {
    const missing = runCli('bench', '--quick', '--out', join(root, 'never'), '--compare', join(root, 'no-such.json'));
    await expect(missing).rejects.toThrow(BenchFileError);
    await expect(missing).rejects.toMatchObject({ code: 'NCP_BENCH_FILE', message: expect.stringMatching(/cannot read the bench results .*no-such\.json/) });
    const foreign = join(root, 'foreign.json');
    writeFileSync(foreign, JSON.stringify({ traceEvents: [] }));
    await expect(runCli('bench', '--compare', foreign)).rejects.toThrow(/is not an ncp-silicon bench result: expected "format": "ncp-silicon-bench", received null/);
    const broken = structuredClone(report) as unknown as { results: Record<string, unknown>[] };
    broken.results[1].sampleStepsPerSecond = 'fast';
    writeFileSync(foreign, JSON.stringify(broken));
    await expect(runCli('bench', '--compare', foreign)).rejects.toThrow(/results\[1\] is not a bench case result/);
    expect(existsSync(join(root, 'never'))).toBe(false);
  });
});

describe('stopping', () => {
  it('an aborted signal stops the run after the current case and keeps what finished', { timeout: HANG_GUARD_MS }, async () => {
    const controller = new AbortController();
    const stopped = await runHardwareBench({
      quick: true,
      ceilings: report.ceilings,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'done' && e.index === 2) controller.abort(new Error('interrupted'));
      },
    });
    expect(stopped.interrupted).toBe(true);
    expect(stopped.results).toHaveLength(2);
  });
});

describe('Ctrl-C', () => {
  it('SIGINT to the CLI stops after the current call, writes the reports of what finished and exits 130', { timeout: HANG_GUARD_MS }, async () => {
    const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
    const cut = join(root, 'cut');
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'bench', '--quick', '--out', cut], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let running = true;
    void exited.then(() => (running = false));
    // Non-TTY progress writes a line per finished case: interrupt once the second one is done.
    while (running && !/ 2\/\d+ /.test(err)) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toMatch(/ncp-silicon bench: interrupted; the reports hold the cases that finished/);
    const partial = JSON.parse(readFileSync(join(cut, 'bench.json'), 'utf8')) as BenchReport;
    expect(partial.interrupted).toBe(true);
    expect(partial.results.length).toBeGreaterThanOrEqual(2);
    expect(partial.results.length).toBeLessThan(report.results.length);
    expect(readFileSync(join(cut, 'bench.md'), 'utf8')).toContain('**interrupted**');
  });
});
