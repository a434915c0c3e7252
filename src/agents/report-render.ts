/**
 * The policy report section as HTML (inline SVG charts, for a profile report or policy.report()) and Markdown,
 * and the standalone policy report page. Charts need vega and vega-lite (optional peers), loaded only for HTML.
 */
import { escapeHtml as h, formatNumber } from '../monitor/format.js';
import { chartFigure, htmlPage } from '../monitor/html-page.js';
import type { ReportSection } from '../monitor/report-section.js';
import type { PolicyReportData } from './report-section.js';

const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : '—');

function summaryRows(d: PolicyReportData): [string, string][] {
  const s = d.summary;
  return [
    ['Calls scored', String(s.calls)],
    ['Outcomes observed', String(s.outcomes)],
    ['Log loss', f4(s.logLoss)],
    ['Brier', f4(s.brier)],
    ['ECE (15 equal-width bins)', f4(s.ece)],
    ['Mean probability / observed rate', `${f4(s.meanProbability)} / ${f4(s.observedRate)}`],
    ['Agents tracked (evicted)', `${s.trackedAgents} (${s.evictedAgents})`],
    ['Learning steps', String(s.learningSteps)],
  ];
}

function spreadLine(d: PolicyReportData): string {
  const sp = d.spread;
  if (sp.agents === 0) return `No agent has ${sp.minOutcomes} outcomes yet.`;
  return `${sp.agents} agents with ≥ ${sp.minOutcomes} outcomes; calibration gap (mean probability − observed rate) 10th / 50th / 90th percentile: ${f4(sp.gapP10)} / ${f4(sp.gapMedian)} / ${f4(sp.gapP90)}.`;
}

export async function renderPolicyHtml(d: PolicyReportData): Promise<string> {
  const { renderSpec } = await import('../monitor/charts.js');
  const { reliabilitySpec, historySpec, spreadSpec } = await import('./report-charts.js');
  const figure = async (name: string, points: number, spec: Parameters<typeof renderSpec>[0]): Promise<string> =>
    points > 0 ? chartFigure(name, points, await renderSpec(spec)) : `<p class="note">No ${name.replace('policy-', '')} data yet.</p>`;
  const parts = [
    `<table>${summaryRows(d).map(([k, v]) => `<tr><th>${h(k)}</th><td class="n">${h(v)}</td></tr>`).join('')}</table>`,
    await figure('policy-reliability', d.reliability.filter((b) => b.count > 0).length, reliabilitySpec(d)),
    await figure('policy-history', d.history.length, historySpec(d)),
    `<p>${h(spreadLine(d))}</p>`,
    await figure('policy-spread', d.spread.agents, spreadSpec(d)),
  ];
  if (d.spread.worst.length > 0) {
    const head = ['agent', 'outcomes', 'log loss', 'mean probability', 'observed rate', 'gap'];
    const rows = d.spread.worst.map((a) => [a.agentId, String(a.outcomes), f4(a.logLoss), f4(a.meanProbability), f4(a.observedRate), f4(a.gap)]);
    parts.push(`<table><tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c, i) => `<td${i ? ' class="n"' : ''}>${h(c)}</td>`).join('')}</tr>`).join('')}</table>`);
    parts.push('<p class="note">The agents with the largest calibration gap. Figures are cumulative since the policy was created (saved with it).</p>');
  }
  return parts.join('\n');
}

export function renderPolicyMarkdown(d: PolicyReportData): string {
  const lines = summaryRows(d).map(([k, v]) => `- **${k}**: ${v}`);
  lines.push('', '| bin | outcomes | mean probability | observed rate |', '|---|--:|--:|--:|');
  for (const b of d.reliability) if (b.count > 0) lines.push(`| ${b.lower.toFixed(2)}–${b.upper.toFixed(2)} | ${b.count} | ${f4(b.meanProbability)} | ${f4(b.observedRate)} |`);
  const last = d.history.slice(-5);
  if (last.length > 0) {
    lines.push('', `Calibration over time (last ${last.length} of ${d.history.length} windows of ${d.historyWindow} outcomes):`, '', '| until | outcomes | mean probability | observed rate | log loss |', '|---|--:|--:|--:|--:|');
    for (const w of last) lines.push(`| ${Number.isFinite(w.endTime) ? new Date(w.endTime).toISOString() : '—'} | ${w.outcomes} | ${f4(w.meanProbability)} | ${f4(w.observedRate)} | ${f4(w.logLoss)} |`);
  }
  lines.push('', spreadLine(d));
  if (d.spread.worst.length > 0) {
    lines.push('', '| agent | outcomes | log loss | gap |', '|---|--:|--:|--:|');
    for (const a of d.spread.worst) lines.push(`| ${a.agentId.replace(/\|/g, '\\|')} | ${a.outcomes} | ${f4(a.logLoss)} | ${f4(a.gap)} |`);
  }
  return lines.join('\n') + '\n';
}

/** A profile report section (monitor/report-section.ts) from a snapshot of the data. */
export function policySection(d: PolicyReportData, title: string): ReportSection {
  return { title, html: () => renderPolicyHtml(d), markdown: () => renderPolicyMarkdown(d) };
}

const STYLE = `body { font: 14px/1.45 system-ui, sans-serif; color: #111827; margin: 0; background: #f9fafb; }
main { max-width: 900px; margin: 0 auto; padding: 24px; } h1 { font-size: 22px; }
table { border-collapse: collapse; background: #fff; margin: 8px 0; } th, td { border: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } th { background: #f3f4f6; }
figure { background: #fff; border: 1px solid #e5e7eb; margin: 12px 0; padding: 8px; } figure svg { max-width: 100%; height: auto; } .note { color: #4b5563; font-size: 13px; }`;

export async function renderPolicyPage(d: PolicyReportData, title: string): Promise<string> {
  const body = `<h1>${h(title)}</h1>
<p class="note">${h(new Date().toISOString())} · ${formatNumber(d.summary.outcomes)} outcomes</p>
${await renderPolicyHtml(d)}`;
  return htmlPage(title, STYLE, body);
}
