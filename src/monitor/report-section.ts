/**
 * A section another part of the library adds to a profile report (e.g. a confidence policy's calibration,
 * `policy.reportSection()`): `result.report({ format, sections: [...] })` appends each under its own heading.
 * The HTML must be self-contained (inline SVG, no script), like the rest of the page.
 */
export interface ReportSection {
  title: string;
  /** HTML body of the section (without its <h2>). */
  html(): Promise<string>;
  /** Markdown body of the section (without its heading). */
  markdown(): string;
}

export function isReportSection(value: unknown): value is ReportSection {
  const v = value as Partial<ReportSection> | null;
  return typeof v === 'object' && v !== null && typeof v.title === 'string' && typeof v.html === 'function' && typeof v.markdown === 'function';
}
