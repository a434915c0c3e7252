/** `ncp-silicon demo`: runs src/demo/run-demo.ts and prints its table and where the report went. */
import { isAbsolute, join, relative } from 'node:path';
import { DEMO_DEFAULTS, runDemo, type DemoModelKey, type DemoOutcome } from '../demo/run-demo.js';
import type { DemoResults } from '../demo/report.js';

export interface DemoCommandOptions {
  out: string;
  epochs?: number;
  seed: number;
  dataSeed: number;
  keep?: number;
  window?: number;
  augment?: number;
  units?: number;
  models?: DemoModelKey[];
  quiet?: boolean;
  json?: boolean;
}

export interface CommandIo {
  stdout: { write(text: string): unknown };
  /** Progress and notes; a TTY gets an in-place bar. */
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  signal?: AbortSignal;
}

/** Returns the process exit code (0, or 130 when interrupted). */
export async function runDemoCommand(options: DemoCommandOptions, io: CommandIo): Promise<number> {
  const outcome = await runDemo({
    out: options.out,
    epochs: options.epochs,
    seed: options.seed,
    dataSeed: options.dataSeed,
    keep: options.keep,
    window: options.window,
    augment: options.augment,
    units: options.units,
    models: options.models,
    progress: options.quiet ? undefined : io.stderr,
    signal: io.signal,
    command: commandLine(options),
  });
  if (outcome.aborted) {
    io.stderr.write('ncp-silicon demo: interrupted; no report was written.\n');
    return 130;
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify(outcome.results, null, 2)}\n`);
  } else {
    io.stdout.write(`\n${formatTable(outcome.results)}\n`);
    io.stdout.write(`\n${verdict(outcome)}\n`);
  }
  const rel = relative(process.cwd(), outcome.outDir!);
  const where = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? outcome.outDir! : rel;
  const note = `Report: ${join(where, 'report.md')} (SVG plots, results.json and the checkpoints ${outcome.checkpoints.join(', ')} are in ${where}/)\n`;
  // With --json stdout is only the JSON, so the note goes to stderr.
  (options.json ? io.stderr : io.stdout).write(options.json ? note : `\n${note}`);
  return 0;
}

const LABELS: Record<string, string> = { cfc: 'CfC', ltc: 'LTC', persistence: 'persistence', climatology: 'climatology', linearAR: 'linear AR' };

/** The terminal table: every model and baseline with its test MSE and the change against persistence. */
export function formatTable(results: DemoResults): string {
  const p = results.baselines.persistence.testMse;
  const change = (m: number) => `${m <= p ? '-' : '+'}${Math.abs(100 * (1 - m / p)).toFixed(1)}%`;
  const rows: string[][] = [['model', 'test MSE', 'vs persistence', 'train time', 'sample-steps/s', 'peak RSS']];
  for (const [key, r] of Object.entries(results.models)) {
    rows.push([LABELS[key] ?? key, r.testMse.toFixed(3), change(r.testMse), `${r.trainSeconds.toFixed(1)} s`, rate(r.sampleStepsPerSecond), `${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`]);
  }
  for (const [key, b] of Object.entries(results.baselines)) {
    rows.push([`${LABELS[key] ?? key} (baseline)`, b.testMse.toFixed(3), key === 'persistence' ? '' : change(b.testMse), '', '', '']);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
      return i === 0 ? `${line}\n${'-'.repeat(line.length)}` : line;
    })
    .join('\n');
}

function verdict(outcome: DemoOutcome): string {
  const { models, baselines } = outcome.results;
  const best = Object.entries(models).sort((a, b) => a[1].testMse - b[1].testMse)[0];
  if (!best) return 'No model was trained.';
  const gain = 100 * (1 - best[1].testMse / baselines.persistence.testMse);
  const ar = 100 * (1 - best[1].testMse / baselines.linearAR.testMse);
  return `Best: ${LABELS[best[0]] ?? best[0]}, ${gain.toFixed(1)}% lower test MSE than persistence, ${ar >= 0 ? `${ar.toFixed(1)}% lower` : `${(-ar).toFixed(1)}% higher`} than the linear AR baseline.`;
}

function rate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}k`;
  return n.toFixed(0);
}

/** The shortest command line that reproduces the run: the seeds, the output, and every non-default setting. */
function commandLine(o: DemoCommandOptions): string {
  const parts = ['npx ncp-silicon demo', `--out ${o.out}`, `--seed ${o.seed}`, `--data-seed ${o.dataSeed}`];
  const flags: [keyof typeof DEMO_DEFAULTS, string][] = [['epochs', '--epochs'], ['keep', '--keep'], ['window', '--window'], ['augment', '--augment'], ['units', '--units']];
  for (const [key, flag] of flags) {
    const value = o[key as keyof DemoCommandOptions];
    if (value !== undefined && value !== DEMO_DEFAULTS[key]) parts.push(`${flag} ${value}`);
  }
  if (o.models !== undefined && o.models.join(',') !== 'cfc,ltc') parts.push(`--models ${o.models.join(',')}`);
  return parts.join(' ');
}
