/**
 * The demo's report folder: results.json (the numbers, in a fixed shape other tools can read), SVG plots and a
 * Markdown page that ties them together. Checkpoints are written by run-demo next to these files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { History } from '../train/index.js';
import { lineChart, niceTicks, type Series, type Tick } from './plot-svg.js';

export interface ModelResult {
  testMse: number;
  trainSeconds: number;
  sampleStepsPerSecond: number;
  peakRssBytes: number;
}

/** Exactly what results.json holds. */
export interface DemoResults {
  models: Record<string, ModelResult>;
  baselines: { persistence: { testMse: number }; climatology: { testMse: number }; linearAR: { testMse: number } };
}

export interface ForecastSeries {
  /** Key in results.json (`cfc`, `persistence`, …). */
  key: string;
  label: string;
  values: Float64Array;
}

export interface ReportInput {
  results: DemoResults;
  /** The command line that reproduces the run. */
  command: string;
  /** Markdown bullet lines describing the data and the split. */
  setup: string[];
  /** One line per model: architecture, parameters and training settings. */
  modelLines: Record<string, string>;
  labels: Record<string, string>;
  histories: Record<string, History>;
  /** Test loss per epoch (monitoring only), drawn dashed next to the training loss. */
  testCurves?: Record<string, number[]>;
  truth: Float64Array;
  testDates: string[];
  forecasts: ForecastSeries[];
  checkpoints: Record<string, string>;
}

const COLORS: Record<string, string> = {
  cfc: '#1f77b4',
  ltc: '#d62728',
  persistence: '#7f7f7f',
  climatology: '#2ca02c',
  linearAR: '#9467bd',
};
const BASELINE_LABELS = { persistence: 'persistence', climatology: 'climatology', linearAR: 'linear AR' } as const;

/** Writes every report file into `dir` (created if needed); returns the paths written, by role. */
export function writeReport(dir: string, input: ReportInput): { markdown: string; results: string; plots: string[] } {
  mkdirSync(dir, { recursive: true });
  const results = join(dir, 'results.json');
  writeFileSync(results, `${JSON.stringify(input.results, null, 2)}\n`);

  const plots: string[] = [];
  const day0 = Date.parse(`${input.testDates[0]}T00:00:00Z`);
  const x = Float64Array.from(input.testDates, (d) => (Date.parse(`${d}T00:00:00Z`) - day0) / 86_400_000);
  const ticks = monthTicks(input.testDates[0], x[x.length - 1] ?? 0);
  for (const f of input.forecasts) {
    const file = `forecast-${f.key}.svg`;
    const series: Series[] = [
      { name: 'observed temp_max', values: input.truth, color: '#222222', dots: true },
      { name: `${f.label} forecast`, values: f.values, color: COLORS[f.key] ?? '#ff7f0e' },
    ];
    const testMse = mseOf(f.values, input.truth);
    writeFileSync(join(dir, file), lineChart(series, { title: `${f.label}: next observed day's max temperature, test period (MSE ${testMse.toFixed(2)})`, x, xTicks: ticks, yLabel: '°C' }));
    plots.push(file);
  }
  const curves: Series[] = [];
  for (const [key, history] of Object.entries(input.histories)) {
    const label = input.labels[key] ?? key;
    curves.push({ name: `${label} training loss`, values: history.epochs.map((e) => e.loss), color: COLORS[key] ?? '#ff7f0e' });
    const test = input.testCurves?.[key];
    if (test && test.length > 0) curves.push({ name: `${label} test loss`, values: test, color: COLORS[key] ?? '#ff7f0e', dashed: true });
  }
  if (curves.length > 0) {
    const epochs = Math.max(...curves.map((c) => c.values.length));
    const epochX = Float64Array.from({ length: epochs }, (_, i) => i + 1);
    const xTicks = niceTicks(1, epochs, 10).filter((t) => Number.isInteger(t)).map((t) => ({ value: t, label: String(t) }));
    const title = 'Learning curves (scaled target MSE; test loss for monitoring only)';
    writeFileSync(join(dir, 'learning-curves.svg'), lineChart(curves, { title, x: epochX, xTicks, xLabel: 'epoch', yLabel: 'loss' }));
    plots.push('learning-curves.svg');
  }

  const markdown = join(dir, 'report.md');
  writeFileSync(markdown, renderMarkdown(input, plots));
  return { markdown, results, plots };
}

export function renderMarkdown(input: ReportInput, plots: readonly string[]): string {
  const { results } = input;
  const persistence = results.baselines.persistence.testMse;
  const rows: string[] = [];
  const vs = (m: number) => `${m <= persistence ? '−' : '+'}${Math.abs(100 * (1 - m / persistence)).toFixed(1)} %`;
  for (const [key, r] of Object.entries(results.models)) {
    rows.push(`| ${input.labels[key] ?? key} | ${r.testMse.toFixed(3)} | ${Math.sqrt(r.testMse).toFixed(2)} | ${vs(r.testMse)} | ${r.trainSeconds.toFixed(1)} s | ${formatCount(r.sampleStepsPerSecond)} | ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB |`);
  }
  for (const [key, label] of Object.entries(BASELINE_LABELS)) {
    const m = results.baselines[key as keyof typeof BASELINE_LABELS].testMse;
    rows.push(`| ${label} (baseline) | ${m.toFixed(3)} | ${Math.sqrt(m).toFixed(2)} | ${key === 'persistence' ? '—' : vs(m)} | | | |`);
  }
  const lines = [
    '# ncp-silicon demo: irregular Seattle weather',
    '',
    'A CfC and an LTC, both wired as AutoNCP circuits, forecast the maximum temperature of the next *observed* day',
    'from a randomly thinned daily record, and are compared with three baselines fitted on the same training data.',
    '',
    '## Results (test period)',
    '',
    '| model | test MSE (°C²) | RMSE (°C) | vs persistence | train time | sample-steps/s | peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    'Peak RSS is the whole process\'s high-water mark when that model finished training (it never goes down, so a',
    'later model reports at least the earlier one\'s). Sample-steps/s counts window steps through forward and',
    'backward passes during training.',
    '',
    '## Setup',
    '',
    ...input.setup.map((s) => `- ${s}`),
    '',
    '## Models',
    '',
    ...Object.entries(input.modelLines).map(([key, line]) => `- **${input.labels[key] ?? key}**: ${line}`),
    '',
    '## Plots',
    '',
    ...plots.flatMap((p) => [`![${p}](${p})`, '']),
    '## Checkpoints',
    '',
    ...Object.entries(input.checkpoints).map(([key, file]) => `- \`${file}\` (${input.labels[key] ?? key})`),
    '',
    'Load one with `loadModel(path)` from `ncp-silicon`; `results.json` holds the numbers above.',
    '',
    '## Reproduce',
    '',
    '```sh',
    input.command,
    '```',
    '',
  ];
  return lines.join('\n');
}

function mseOf(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += (a[i] - b[i]) ** 2;
  return s / b.length;
}

function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} k`;
  return n.toFixed(0);
}

/** A tick at the first of every month from `startDate` to `startDate + days`. */
function monthTicks(startDate: string, days: number): Tick[] {
  const start = Date.parse(`${startDate}T00:00:00Z`);
  const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const ticks: Tick[] = [];
  const d = new Date(start);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth() + (d.getUTCDate() === 1 ? 0 : 1);
  for (;;) {
    if (m > 11) [y, m] = [y + 1, 0];
    const t = (Date.UTC(y, m, 1) - start) / 86_400_000;
    if (t > days) break;
    ticks.push({ value: t, label: m === 0 ? `${names[m]} ${y}` : names[m] });
    m++;
  }
  return ticks;
}
