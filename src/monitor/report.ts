/**
 * result.report({ format }): 'json' (everything, machine-readable), 'md' (a summary that reads well in a CI log)
 * or 'html' (one self-contained page: system, ceilings, time per kernel, roofline, memory over time, the wiring).
 */
import { argumentError } from '../errors.js';
import { isMissingPackage, missingPeerError } from '../optional-peer.js';
import { expectOneOf, expectOptions } from '../validate.js';
import { Wiring } from '../wiring/index.js';
import type { ProfileView } from './profile-data.js';
import { renderMarkdown } from './report-md.js';
import { isReportSection, type ReportSection } from './report-section.js';

export interface ReportOptions {
  format: 'html' | 'md' | 'json';
  /** Page title (HTML) or heading (Markdown); default "ncp-silicon profile". */
  title?: string;
  /** The wiring to draw (default: the profiled model's, when it has one). */
  wiring?: Wiring;
  /** Sections appended at the end, e.g. a confidence policy's (`policy.reportSection()`). */
  sections?: ReportSection[];
}

const FORMATS = ['html', 'md', 'json'] as const;
const CHART_PACKAGES = ['vega', 'vega-lite'] as const;

export async function renderReport(result: ProfileView, options: ReportOptions): Promise<string> {
  const api = 'ProfileResult.report';
  if (options === undefined) throw argumentError(TypeError, api, 'options', "an object like { format: 'html' | 'md' | 'json' }", options);
  const o = expectOptions(api, options, ['format', 'title', 'wiring', 'sections']);
  const format = expectOneOf(api, 'options.format', o.format, FORMATS);
  if (o.title !== undefined && typeof o.title !== 'string') throw argumentError(TypeError, api, 'options.title', 'a string', o.title);
  if (o.wiring !== undefined && !(o.wiring instanceof Wiring)) throw argumentError(TypeError, api, 'options.wiring', 'a Wiring', o.wiring);
  const title = (o.title as string | undefined) ?? 'ncp-silicon profile';
  const sections = (o.sections ?? []) as ReportSection[];
  if (!Array.isArray(sections) || !sections.every(isReportSection)) throw argumentError(TypeError, api, 'options.sections', 'an array of report sections (e.g. policy.reportSection())', o.sections);
  if (format === 'json') return JSON.stringify(result, null, 2);
  if (format === 'md') return renderMarkdown(result, title) + sections.map((s) => `\n### ${s.title}\n\n${s.markdown()}`).join('');
  // The HTML page needs vega and vega-lite (optional peers); load them only when asked for.
  let renderHtml: typeof import('./report-html.js').renderHtml;
  try {
    ({ renderHtml } = await import('./report-html.js'));
  } catch (error) {
    if (isMissingPackage(error, CHART_PACKAGES)) throw missingPeerError(api, "format 'html' (its charts)", CHART_PACKAGES, error, ["use format 'md' or 'json', which need neither"]);
    throw error;
  }
  return renderHtml(result, title, (o.wiring as Wiring | undefined) ?? modelWiring(result), sections);
}

function modelWiring(result: ProfileView): Wiring | undefined {
  const wiring = (result.model as { wiring?: unknown } | undefined)?.wiring;
  return wiring instanceof Wiring ? wiring : undefined;
}
