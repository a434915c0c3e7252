/**
 * policy.report({ format }) and policy.reportSection(): the policy's calibration (reliability diagram,
 * calibration over time, per-agent spread) as a standalone report, or as a section of a profile report.
 */
import { argumentError } from '../errors.js';
import { isMissingPackage, missingPeerError } from '../optional-peer.js';
import { expectOneOf, expectOptions } from '../validate.js';
import type { ReportSection } from '../monitor/report-section.js';
import type { PolicyState } from './policy-parts.js';
import { policyReportData } from './report-section.js';
import { policySection, renderPolicyMarkdown } from './report-render.js';

export interface PolicyReportOptions {
  format: 'html' | 'md' | 'json';
  /** Page title (HTML) or heading (Markdown); default "Confidence policy". */
  title?: string;
}

const FORMATS = ['html', 'md', 'json'] as const;
const CHART_PACKAGES = ['vega', 'vega-lite'] as const;
const DEFAULT_TITLE = 'Confidence policy';

export async function renderPolicyReport(policy: PolicyState, options: PolicyReportOptions): Promise<string> {
  const api = 'ConfidencePolicy.report';
  if (options === undefined) throw argumentError(TypeError, api, 'options', "an object like { format: 'html' | 'md' | 'json' }", options);
  const o = expectOptions(api, options, ['format', 'title']);
  const format = expectOneOf(api, 'options.format', o.format, FORMATS);
  if (o.title !== undefined && typeof o.title !== 'string') throw argumentError(TypeError, api, 'options.title', 'a string', o.title);
  const title = (o.title as string | undefined) ?? DEFAULT_TITLE;
  const data = policyReportData(policy);
  if (format === 'json') return JSON.stringify(data, null, 2);
  if (format === 'md') return `## ${title}\n\n${renderPolicyMarkdown(data)}`;
  try {
    const { renderPolicyPage } = await import('./report-render.js');
    return await renderPolicyPage(data, title);
  } catch (error) {
    if (isMissingPackage(error, CHART_PACKAGES)) throw missingPeerError(api, "format 'html' (its charts)", CHART_PACKAGES, error, ["use format 'md' or 'json', which need neither"]);
    throw error;
  }
}

export function policyReportSection(policy: PolicyState, title: unknown = DEFAULT_TITLE): ReportSection {
  if (typeof title !== 'string') throw argumentError(TypeError, 'ConfidencePolicy.reportSection', 'title', 'a string', title);
  return policySection(policyReportData(policy), title);
}
