/**
 * The bench's HTML report: one self-contained page (inline CSS and SVG, no script, no network) with the machine,
 * its measured ceilings, the backends present, throughput per backend, the share of the peak and the latency tails.
 * Each chart sits in <figure data-chart=… data-points=…> so tests and tools can check it has data.
 */
import { REPORT_STYLE, chartFigure, htmlPage } from '../html-page.js';
import { renderSpec } from '../charts.js';
import { formatCeilingRatio } from '../ceiling-check.js';
import { escapeHtml as h, formatBytes, formatDuration, formatNumber } from '../format.js';
import { latencyTailSpec, peakShareSpec, throughputSpec } from './charts.js';
import type { BenchComparison } from './compare.js';
import { backendComparison } from './tables.js';
import type { BenchReport } from './types.js';

const STYLE = `${REPORT_STYLE}
.regression { color: #b91c1c; font-weight: 600; } .improvement { color: #047857; font-weight: 600; }
`;

export async function renderBenchHtml(report: BenchReport, comparison?: BenchComparison): Promise<string> {
  const s = report.system;
  const title = `ncp-silicon bench${report.quick ? ' (quick)' : ''}`;
  const parts = [`<h1>${h(title)}</h1>`, `<p class="sub">${h(report.startedAt)} · ${formatDuration(report.durationMs)} · ncp-silicon ${h(report.ncpSiliconVersion)} · ${report.results.length} case runs</p>`];
  if (report.interrupted) parts.push('<p class="warning">Interrupted: only the cases that finished are shown.</p>');
  parts.push('<h2>Machine</h2>', table([
    ['CPU', `${s.cpuModel} (${s.cores} logical CPUs)`],
    ['Memory', formatBytes(s.totalMemoryBytes)],
    ['Platform', `${s.platform}, Node ${s.nodeVersion}`],
    ...(s.appleChip ? [['Apple GPU', `${s.appleChip} / ${s.appleGpu}`]] : []),
  ]));
  const c = report.ceilings;
  if (c) {
    parts.push('<h2>Measured ceilings</h2>', table([
      ['float32 FMA peak', `${formatNumber(c.fmaFlopsPerSecond / 1e9)} GFLOP/s on ${c.threads} threads, ${formatNumber(c.fmaFlopsPerSecondOneThread / 1e9)} on one`],
      ['Memory bandwidth', `${formatNumber(c.memoryBandwidthBytesPerSecond / 1e9)} GB/s (STREAM triad)`],
      ['Measured', `${c.measuredAt}${c.cached ? ' (cached for this machine)' : ''}`],
    ]));
    if (report.ceilingWarnings.length > 0) parts.push(`<p class="warning" data-ceilings="suspect"><strong>⚠ Ceilings suspect.</strong> ${h(report.ceilingWarnings.join('; '))}.</p>`);
  }
  parts.push('<h2>Backends</h2>', table(report.backends.map((b) => [b.id, b.available ? 'present' : 'absent', (b.available ? b.label : b.reason) ?? '']), ['backend', '', 'what ran, or why not']));

  parts.push('<h2>Throughput</h2>', await figure('throughput', report.results.length, throughputSpec(report.results)));
  const shares = report.results.filter((r) => r.fractionOfPeak !== undefined);
  parts.push('<h2>Share of the measured peak</h2>', await figure('peak-share', shares.length, peakShareSpec(report.results)));
  parts.push('<p class="note">GFLOP/s uses the CPU kernels\' work count (docs/monitoring.md), the same math on every backend, over the median call. The ceiling is the measured FMA peak of the threads the backend can use: min(B, kernel threads) for the CPU backend, every hardware thread for MLX\'s CPU device and onnxruntime; none for a GPU or Core ML.</p>');
  parts.push('<h2>Latency tails</h2>', await figure('latency', report.results.length, latencyTailSpec(report.results)));

  parts.push('<h2>Results</h2>', table(
    report.results.map((r) => [r.caseId, r.backend, String(r.calls), formatDuration(r.latencyMs.p50), formatDuration(r.latencyMs.p90), formatDuration(r.latencyMs.p99), formatDuration(r.latencyMs.max), formatNumber(r.sampleStepsPerSecond), r.gflopsPerSecond === undefined ? '—' : formatNumber(r.gflopsPerSecond), formatCeilingRatio(r.fractionOfPeak)]),
    ['case', 'backend', 'calls', 'p50', 'p90', 'p99', 'max', 'sample-steps/s', 'GFLOP/s', 'of peak'],
    [false, false, true, true, true, true, true, true, true, true],
  ));
  const side = backendComparison(report);
  if (side.backends.length > 1) {
    parts.push('<h2>Backends side by side</h2>', '<p class="note">Median time per call; × is the time over the CPU backend\'s (above 1: the CPU backend is faster).</p>');
    parts.push(table(side.rows.map((row) => [row.caseId, ...row.cells.map((cell) => (cell ? `${formatDuration(cell.p50)}${cell.overCpu === undefined ? '' : ` (${formatNumber(cell.overCpu)}×)`}` : '—'))]), ['case', ...side.backends], [false, ...side.backends.map(() => true)]));
  }
  if (report.skipped.length > 0) parts.push('<h2>Not run</h2>', table(report.skipped.map((k) => [k.caseId, k.backend, k.reason]), ['case', 'backend', 'why']));
  if (comparison) {
    parts.push(`<h2>Against the earlier run (noise threshold ±${formatNumber(comparison.noiseThreshold * 100)} %)</h2>`);
    parts.push(`<p>${comparison.regressions} regressions, ${comparison.improvements} improvements.</p>`);
    parts.push(`<table><tr><th>case</th><th>backend</th><th>then</th><th>now</th><th>now / then</th><th>verdict</th></tr>${comparison.rows.map((r) => `<tr><td>${h(r.caseId)}</td><td>${h(r.backend)}</td><td class="n">${formatNumber(r.oldSampleStepsPerSecond)}</td><td class="n">${formatNumber(r.newSampleStepsPerSecond)}</td><td class="n">${formatNumber(r.ratio)}×</td><td class="${r.verdict}">${r.verdict}</td></tr>`).join('')}</table>`);
  }
  return htmlPage(title, STYLE, parts.join('\n'));
}

async function figure(name: string, points: number, spec: Parameters<typeof renderSpec>[0]): Promise<string> {
  if (points === 0) return `<p class="note" data-chart-empty="${name}">Nothing to draw: no case has this figure.</p>`;
  return chartFigure(name, points, await renderSpec(spec));
}

function table(rows: string[][], header?: string[], numeric: boolean[] = []): string {
  const head = header ? `<tr>${header.map((c) => `<th>${h(c)}</th>`).join('')}</tr>` : '';
  const body = rows.map((r) => `<tr>${r.map((c, i) => (header || i > 0 ? `<td${numeric[i] ? ' class="n"' : ''}>${h(c)}</td>` : `<th>${h(c)}</th>`)).join('')}</tr>`);
  return `<table>${head}${body.join('')}</table>`;
}
