/** The page and figure skeletons every HTML report shares (profile reports, bench reports, policy reports). */
import { escapeHtml as h } from './format.js';

/** The reports' shared look: page, headings, tables, figures. */
export const REPORT_STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; margin: 0; background: #f9fafb; }
main { max-width: 980px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
.sub { color: #4b5563; margin: 0 0 12px; }
table { border-collapse: collapse; background: #fff; margin: 8px 0; }
th, td { border: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f4f6; font-weight: 600; }
figure svg { display: block; width: 100%; max-width: 100%; height: auto; }
.note { color: #4b5563; font-size: 13px; }
.warning { color: #92400e; background: #fffbeb; border: 1px solid #fcd34d; padding: 6px 10px; }
figure { background: #fff; border: 1px solid #e5e7eb; margin: 12px 0; padding: 8px; overflow-x: auto; }
`;

/** A standalone, self-contained page: no external requests, readable on a phone. */
export function htmlPage(title: string, style: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<style>${style}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}

/** A chart in a figure tagged with its name and point count, which the report tests check for data. */
export function chartFigure(name: string, points: number, svg: string): string {
  return `<figure data-chart="${name}" data-points="${points}">${svg}</figure>`;
}
