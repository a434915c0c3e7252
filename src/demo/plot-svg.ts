/**
 * Small standalone SVG line charts for the demo report: no dependencies, no fonts or scripts fetched, so the
 * files open the same in a browser, on GitHub and in an editor preview. Presentation is in attributes (not
 * CSS) for the same reason as the wiring drawing.
 */

export interface Series {
  name: string;
  /** y values; NaN leaves a gap. */
  values: ArrayLike<number>;
  color: string;
  /** Dots instead of a line (for observations). */
  dots?: boolean;
  dashed?: boolean;
  strokeWidth?: number;
}

export interface Tick {
  value: number;
  label: string;
}

export interface LineChartOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  /** x of every point (shared by all series); default 0, 1, 2, … */
  x?: ArrayLike<number>;
  /** Labelled ticks on the x axis; default about 8 evenly spaced numbers. */
  xTicks?: Tick[];
  /** Logarithmic y axis (all values must be > 0). */
  logY?: boolean;
  width?: number;
  height?: number;
}

const MARGIN = { left: 64, right: 16, top: 40, bottom: 48 };

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round numbers for axis ticks (1, 2, 5 × 10^k steps). */
export function niceTicks(min: number, max: number, count = 6): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

export function lineChart(series: readonly Series[], options: LineChartOptions): string {
  const width = options.width ?? 900;
  const height = options.height ?? 360;
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const xs = options.x ?? Float64Array.from({ length: n }, (_, i) => i);
  const logY = options.logY ?? false;
  const ty = (v: number) => (logY ? Math.log10(v) : v);

  let yMin = Infinity;
  let yMax = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (!Number.isFinite(v) || (logY && v <= 0)) continue;
      yMin = Math.min(yMin, ty(v));
      yMax = Math.max(yMax, ty(v));
    }
  }
  if (!Number.isFinite(yMin)) [yMin, yMax] = [0, 1];
  if (yMax === yMin) [yMin, yMax] = [yMin - 1, yMax + 1];
  const pad = (yMax - yMin) * 0.05;
  yMin -= pad;
  yMax += pad;
  let xMin = Infinity;
  let xMax = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    xMin = Math.min(xMin, xs[i]);
    xMax = Math.max(xMax, xs[i]);
  }
  if (!Number.isFinite(xMin)) [xMin, xMax] = [0, 1];
  if (xMax === xMin) [xMin, xMax] = [xMin - 1, xMax + 1];

  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number) => MARGIN.top + (1 - (ty(y) - yMin) / (yMax - yMin)) * plotH;
  const f = (v: number) => v.toFixed(1);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<title>${escapeXml(options.title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`);

  // Grid and y ticks.
  const yTicks = logY ? logTicks(yMin, yMax) : niceTicks(yMin, yMax);
  for (const v of yTicks) {
    const y = py(v);
    out.push(`<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${f(y)}" y2="${f(y)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${f(y + 4)}" text-anchor="end" fill="#444">${formatNumber(v)}</text>`);
  }
  const xTicks = options.xTicks ?? niceTicks(xMin, xMax, 8).map((v) => ({ value: v, label: formatNumber(v) }));
  for (const t of xTicks) {
    if (t.value < xMin || t.value > xMax) continue;
    const x = px(t.value);
    out.push(`<line class="grid" x1="${f(x)}" x2="${f(x)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${f(x)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" fill="#444">${escapeXml(t.label)}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  if (options.xLabel) out.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  if (options.yLabel) {
    out.push(`<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`);
  }

  for (const s of series) {
    const name = escapeXml(s.name);
    if (s.dots) {
      const dots: string[] = [];
      for (let i = 0; i < s.values.length; i++) {
        const v = s.values[i];
        if (Number.isFinite(v) && !(logY && v <= 0)) dots.push(`<circle cx="${f(px(xs[i]))}" cy="${f(py(v))}" r="2"/>`);
      }
      out.push(`<g class="series" data-name="${name}" fill="${s.color}">${dots.join('')}</g>`);
      continue;
    }
    // A path with a new sub-path after every gap (NaN), so missing values are not bridged.
    let d = '';
    let pen = false;
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (!Number.isFinite(v) || (logY && v <= 0)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f(px(xs[i]))} ${f(py(v))}`;
      pen = true;
    }
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<path class="series" data-name="${name}" d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.strokeWidth ?? 1.5}"${dash}/>`);
  }

  // Legend, top right inside the plot.
  const rowH = 16;
  const legendW = 12 + Math.max(...series.map((s) => s.name.length), 4) * 7 + 28;
  const lx = MARGIN.left + plotW - legendW - 8;
  const ly = MARGIN.top + 8;
  out.push(`<rect class="legend" x="${lx}" y="${ly}" width="${legendW}" height="${series.length * rowH + 8}" fill="#ffffff" fill-opacity="0.85" stroke="#ccc"/>`);
  series.forEach((s, k) => {
    const y = ly + 4 + k * rowH + rowH / 2;
    if (s.dots) out.push(`<circle cx="${lx + 18}" cy="${y}" r="3" fill="${s.color}"/>`);
    else out.push(`<line x1="${lx + 8}" x2="${lx + 28}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${lx + 34}" y="${y + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (Math.log10(v) >= lo && Math.log10(v) <= hi) ticks.push(v);
    }
  }
  return ticks.length >= 2 ? ticks : [10 ** lo, 10 ** hi];
}
