/** The bench's Markdown report: the figures of the HTML page as tables (CI logs, pull requests). */
import { formatCeilingRatio } from '../ceiling-check.js';
import { formatBytes, formatDuration, formatNumber } from '../format.js';
import type { BenchComparison } from './compare.js';
import { backendComparison } from './tables.js';
import type { BenchReport } from './types.js';

export function renderBenchMarkdown(report: BenchReport, comparison?: BenchComparison): string {
  const s = report.system;
  const lines = [`## ncp-silicon bench${report.quick ? ' (--quick)' : ''}`, ''];
  lines.push(`- **Run**: ${report.startedAt}, ${formatDuration(report.durationMs)}, ncp-silicon ${report.ncpSiliconVersion}${report.interrupted ? ' — **interrupted**: only the cases that finished' : ''}`);
  lines.push(`- **Machine**: ${s.cpuModel}, ${s.cores} logical CPUs, ${formatBytes(s.totalMemoryBytes)} RAM, ${s.platform}, Node ${s.nodeVersion}`);
  const c = report.ceilings;
  if (c) lines.push(`- **Ceilings** (measured ${c.measuredAt}${c.cached ? ', cached' : ''}): float32 FMA peak ${formatNumber(c.fmaFlopsPerSecond / 1e9)} GFLOP/s on ${c.threads} threads (${formatNumber(c.fmaFlopsPerSecondOneThread / 1e9)} on one), memory bandwidth ${formatNumber(c.memoryBandwidthBytesPerSecond / 1e9)} GB/s`);
  for (const w of report.ceilingWarnings) lines.push(`- ⚠ **Ceilings suspect**: ${w}`);
  lines.push('', '| backend | present | what ran |', '|---|---|---|');
  for (const b of report.backends) lines.push(`| ${b.id} | ${b.available ? 'yes' : 'no'} | ${b.available ? b.label : b.reason} |`);
  lines.push('', '### Results', '', 'Time per call (a fit call is one epoch); throughput at the median call; share of the measured FMA peak of the threads the backend can use.', '');
  lines.push('| case | backend | calls | p50 | p90 | p99 | max | sample-steps/s | GFLOP/s | of peak |', '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of report.results) {
    const l = r.latencyMs;
    lines.push(`| ${r.caseId} | ${r.backend} | ${r.calls} | ${formatDuration(l.p50)} | ${formatDuration(l.p90)} | ${formatDuration(l.p99)} | ${formatDuration(l.max)} | ${formatNumber(r.sampleStepsPerSecond)} | ${r.gflopsPerSecond === undefined ? '—' : formatNumber(r.gflopsPerSecond)} | ${formatCeilingRatio(r.fractionOfPeak)} |`);
  }
  const side = backendComparison(report);
  if (side.backends.length > 1) {
    lines.push('', '### Backends side by side (median time per call; × = time / CPU backend time, > 1 means the CPU backend is faster)', '');
    lines.push(`| case | ${side.backends.join(' | ')} |`, `|---|${side.backends.map(() => '--:').join('|')}|`);
    for (const row of side.rows) lines.push(`| ${row.caseId} | ${row.cells.map((cell) => (cell ? `${formatDuration(cell.p50)}${cell.overCpu === undefined ? '' : ` (${formatNumber(cell.overCpu)}×)`}` : '—')).join(' | ')} |`);
  }
  if (report.skipped.length > 0) {
    lines.push('', '### Not run', '');
    const reasons = new Map<string, string[]>();
    for (const k of report.skipped) reasons.set(`${k.backend}: ${k.reason}`, [...(reasons.get(`${k.backend}: ${k.reason}`) ?? []), k.caseId]);
    for (const [why, ids] of reasons) lines.push(`- ${why} (${ids.join(', ')})`);
  }
  if (comparison) lines.push('', ...comparisonLines(comparison));
  lines.push('');
  return lines.join('\n');
}

export function comparisonLines(comparison: BenchComparison): string[] {
  const pct = formatNumber(comparison.noiseThreshold * 100);
  const out = [`### Against the earlier run (noise threshold ±${pct} %)`, '', `${comparison.regressions} regressions, ${comparison.improvements} improvements, ${comparison.rows.length - comparison.regressions - comparison.improvements} within noise.`, ''];
  out.push('| case | backend | then sample-steps/s | now | now / then | p99 now / then | verdict |', '|---|---|--:|--:|--:|--:|---|');
  for (const r of comparison.rows) {
    out.push(`| ${r.caseId} | ${r.backend} | ${formatNumber(r.oldSampleStepsPerSecond)} | ${formatNumber(r.newSampleStepsPerSecond)} | ${formatNumber(r.ratio)}× | ${r.p99Ratio === undefined ? '—' : `${formatNumber(r.p99Ratio)}×`} | ${r.verdict === 'same' ? 'same' : `**${r.verdict}**`} |`);
  }
  if (comparison.onlyOld.length) out.push('', `Only in the earlier run: ${comparison.onlyOld.join(', ')}.`);
  if (comparison.onlyNew.length) out.push('', `Only in this run: ${comparison.onlyNew.join(', ')}.`);
  return out;
}
