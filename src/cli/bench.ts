/**
 * `ncp-silicon bench`: the hardware benchmark a user runs on their own machine. Every standard kernel case on every
 * backend present (src/monitor/hardware-bench/), progress on stderr, then bench.json, bench.md and bench.html in
 * --out, the Markdown summary on stdout, and with --compare the regressions and improvements against an earlier
 * bench.json. Ctrl-C stops after the current call and still writes what finished.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { isMissingPackage } from '../optional-peer.js';
import { compareBench, readBenchReport, type BenchComparison } from '../monitor/hardware-bench/compare.js';
import { renderBenchMarkdown } from '../monitor/hardware-bench/report-md.js';
import { runHardwareBench, type BenchProgress } from '../monitor/hardware-bench/run.js';
import { formatDuration, formatNumber } from '../monitor/format.js';
import { drawBar, formatRate } from '../train/progress.js';
import type { CommandIo } from './demo.js';

export interface BenchCommandOptions {
  quick?: boolean;
  out?: string;
  compare?: string;
  noise: number;
  quiet?: boolean;
}

/** './ncp-bench-2026-12-03T11-08-00': one folder per run, sortable, safe on every file system. */
export function defaultBenchDir(now = new Date()): string {
  return `ncp-bench-${now.toISOString().slice(0, 19).replace(/:/g, '-')}`;
}

export async function runBenchCommand(options: BenchCommandOptions, io: CommandIo & { version: string }): Promise<number> {
  // The earlier run is read and checked first: a bad --compare file fails before minutes of measuring.
  const old = options.compare ? await readBenchReport(resolve(options.compare)) : undefined;
  const out = resolve(options.out ?? defaultBenchDir());
  const progress = options.quiet ? undefined : new BenchProgressLine(io.stderr);
  const report = await runHardwareBench({ quick: options.quick === true, signal: io.signal, version: io.version, onProgress: (e) => progress?.show(e) });
  progress?.finish();
  const comparison: BenchComparison | undefined = old ? compareBench(old, report, options.noise) : undefined;

  await mkdir(out, { recursive: true });
  const markdown = renderBenchMarkdown(report, comparison);
  await writeFileAtomic(join(out, 'bench.json'), new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`));
  await writeFileAtomic(join(out, 'bench.md'), new TextEncoder().encode(markdown));
  const written = ['bench.json', 'bench.md'];
  try {
    const { renderBenchHtml } = await import('../monitor/hardware-bench/report-html.js');
    await writeFileAtomic(join(out, 'bench.html'), new TextEncoder().encode(await renderBenchHtml(report, comparison)));
    written.push('bench.html');
  } catch (error) {
    if (!isMissingPackage(error, ['vega', 'vega-lite'])) throw error;
    io.stderr.write('ncp-silicon bench: no HTML report: its charts need the optional packages vega and vega-lite (npm install vega vega-lite).\n');
  }
  io.stdout.write(`${markdown}\n`);
  if (comparison) io.stdout.write(`${comparisonSummary(comparison)}\n`);
  io.stdout.write(`wrote ${written.map((f) => join(out, f)).join(', ')}\n`);
  if (report.interrupted) {
    io.stderr.write('ncp-silicon bench: interrupted; the reports hold the cases that finished.\n');
    return 130;
  }
  return 0;
}

function comparisonSummary(c: BenchComparison): string {
  const flagged = c.rows.filter((r) => r.verdict !== 'same');
  const lines = flagged.map((r) => `  ${r.verdict === 'regression' ? 'REGRESSION ' : 'improvement'}  ${r.caseId} on ${r.backend}: ${formatNumber(r.ratio)}× the earlier throughput`);
  return [`compared with the earlier run: ${c.regressions} regressions, ${c.improvements} improvements beyond ±${formatNumber(c.noiseThreshold * 100)} % (${c.rows.length} cases in both)`, ...lines].join('\n');
}

/** Progress in the look of the CLI's other displays: a bar redrawn in place on a terminal, one line per case otherwise. */
class BenchProgressLine {
  private open = false;

  constructor(private readonly stream: CommandIo['stderr']) {}

  show(e: BenchProgress): void {
    if (e.phase === 'calibrating') return this.line('bench: measuring this machine\'s ceilings (cached after the first run) …', false);
    if (e.phase === 'calibrated') {
      const c = e.ceilings;
      const flag = c.contention?.suspect ? ` ⚠ measured on a busy machine: ${c.contention.reasons.join('; ')}` : '';
      return this.line(`bench: FMA peak ${formatNumber(c.fmaFlopsPerSecond / 1e9)} GFLOP/s (${formatNumber(c.fmaFlopsPerSecondOneThread / 1e9)} on one thread), memory ${formatNumber(c.memoryBandwidthBytesPerSecond / 1e9)} GB/s${c.cached ? ' (cached)' : ''}${flag}`, true);
    }
    const count = `${String(e.index).padStart(String(e.total).length)}/${e.total}`;
    if (e.phase === 'case') {
      if (this.stream.isTTY) this.line(`bench ${drawBar((e.index - 1) / e.total)} ${count}  ${e.backend}  ${e.caseId} …`, false);
      return;
    }
    const r = e.result;
    this.line(`bench ${drawBar(e.index / e.total)} ${count}  ${r.backend}  ${r.caseId}  p50 ${formatDuration(r.latencyMs.p50)}  p99 ${formatDuration(r.latencyMs.p99)}  ${formatRate(r.sampleStepsPerSecond)} sample-steps/s`, !this.stream.isTTY || e.index === e.total);
  }

  finish(): void {
    if (this.open) this.stream.write('\n');
    this.open = false;
  }

  /** On a terminal, redraws the line in place (kept when `keep`); elsewhere, writes whole lines only. */
  private line(text: string, keep: boolean): void {
    if (this.stream.isTTY) {
      const width = this.stream.columns && this.stream.columns > 1 ? this.stream.columns - 1 : text.length;
      this.stream.write(`\r${text.slice(0, width)}\x1b[K${keep ? '\n' : ''}`);
      this.open = !keep;
    } else {
      this.stream.write(`${text}\n`);
    }
  }
}
