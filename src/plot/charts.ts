/**
 * Charts as SVG strings: lines, scatter, heatmap. Each builds a vega-lite spec and renders it headless with the
 * report's renderer (monitor/charts.ts `renderSpec`: no browser, no canvas, no network), so the same call
 * works in a notebook (`tslab.display.svg(await lines(…))`), a script or a server.
 */
import type { TopLevelSpec } from 'vega-lite';
import { argumentError } from '../errors.js';
import { renderSpec } from '../monitor/charts.js';

export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Plot area in px (default 560 × 260). */
  width?: number;
  height?: number;
}

export interface LineSeries {
  name: string;
  y: ArrayLike<number>;
  /** x of every point; default 0, 1, 2, … */
  x?: ArrayLike<number>;
  /** Draw points only (observations), not a line. */
  points?: boolean;
}

export interface LinesOptions extends ChartOptions {
  logY?: boolean;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

function frame(api: string, options: ChartOptions | undefined): { title?: string; width: number; height: number } {
  const o = options ?? {};
  if (typeof o !== 'object') throw argumentError(TypeError, api, 'options', 'an object', o);
  for (const key of ['width', 'height'] as const) {
    const v = o[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 10_000)) throw argumentError(RangeError, api, `options.${key}`, 'a size in px in (0, 10000]', v);
  }
  return { ...(o.title ? { title: o.title } : {}), width: o.width ?? 560, height: o.height ?? 260 };
}

function checkValues(api: string, name: string, values: unknown): ArrayLike<number> {
  if (!(ArrayBuffer.isView(values) || Array.isArray(values))) throw argumentError(TypeError, api, name, 'an array of numbers', values);
  return values as ArrayLike<number>;
}

/** Non-finite values become gaps (vega-lite skips nulls). */
const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Line chart of one or more series (a legend names them). */
export async function lines(series: readonly LineSeries[], options?: LinesOptions): Promise<string> {
  const api = 'plot.lines';
  if (!Array.isArray(series) || series.length === 0) throw argumentError(TypeError, api, 'series', 'a non-empty array of { name, y, x? }', series);
  const values: { x: number; y: number | null; series: string }[] = [];
  const pointSeries: string[] = [];
  series.forEach((s, k) => {
    const y = checkValues(api, `series[${k}].y`, s?.y);
    const x = s.x === undefined ? undefined : checkValues(api, `series[${k}].x`, s.x);
    if (x && x.length !== y.length) throw argumentError(RangeError, api, `series[${k}].x`, `${y.length} values (as many as y)`, x);
    if (s.points) pointSeries.push(s.name);
    for (let i = 0; i < y.length; i++) values.push({ x: x ? x[i] : i, y: finiteOrNull(y[i]), series: s.name });
  });
  const o = options ?? {};
  const x = { field: 'x', type: 'quantitative', title: o.xLabel ?? null } as const;
  const y = { field: 'y', type: 'quantitative', title: o.yLabel ?? null, scale: o.logY ? { type: 'log' } : { zero: false } } as const;
  const color = { field: 'series', type: 'nominal', title: null, sort: series.map((s) => s.name) } as const;
  const spec = {
    $schema: SCHEMA,
    ...frame(api, options),
    data: { values },
    layer: [
      { transform: [{ filter: { not: { field: 'series', oneOf: pointSeries } } }], mark: { type: 'line', strokeWidth: 1.6 }, encoding: { x, y, color } },
      { transform: [{ filter: { field: 'series', oneOf: pointSeries } }], mark: { type: 'point', filled: true, size: 18 }, encoding: { x, y, color } },
    ],
  } as unknown as TopLevelSpec;
  return renderSpec(spec);
}

export interface ScatterPoint {
  x: number;
  y: number;
  /** Colours points by group. */
  group?: string;
}

/** Scatter plot; with `diagonal`, the y = x line (predicted against true). */
export async function scatter(points: readonly ScatterPoint[], options?: ChartOptions & { diagonal?: boolean }): Promise<string> {
  const api = 'plot.scatter';
  if (!Array.isArray(points)) throw argumentError(TypeError, api, 'points', 'an array of { x, y, group? }', points);
  const values = points.map((p) => ({ x: finiteOrNull(p.x), y: finiteOrNull(p.y), group: p.group ?? '' }));
  const o = options ?? {};
  const x = { field: 'x', type: 'quantitative', title: o.xLabel ?? null, scale: { zero: false } } as const;
  const y = { field: 'y', type: 'quantitative', title: o.yLabel ?? null, scale: { zero: false } } as const;
  const hasGroups = points.some((p) => p.group !== undefined);
  const layer: object[] = [
    { data: { values }, mark: { type: 'point', filled: true, opacity: 0.7 }, encoding: { x, y, ...(hasGroups ? { color: { field: 'group', type: 'nominal', title: null } } : {}) } },
  ];
  if (o.diagonal) {
    const finite = values.flatMap((v) => [v.x, v.y]).filter((v): v is number => v !== null);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    layer.unshift({ data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] }, mark: { type: 'line', color: '#9ca3af', strokeDash: [4, 4] }, encoding: { x, y } });
  }
  return renderSpec({ $schema: SCHEMA, ...frame(api, options), layer } as unknown as TopLevelSpec);
}

export interface HeatmapOptions extends ChartOptions {
  /** Label of each row (default its index). */
  rowLabels?: readonly string[];
  /** Colour scheme (vega scheme name; default 'blueorange', diverging around 0). */
  scheme?: string;
}

/** A rows × cols matrix (row-major) as coloured cells, e.g. neurons × time steps of hidden state. */
export async function heatmap(values: ArrayLike<number>, rows: number, cols: number, options?: HeatmapOptions): Promise<string> {
  const api = 'plot.heatmap';
  checkValues(api, 'values', values);
  for (const [name, v] of [['rows', rows], ['cols', cols]] as const) {
    if (!Number.isInteger(v) || v < 1) throw argumentError(RangeError, api, name, 'a positive integer', v);
  }
  if (values.length !== rows * cols) throw argumentError(RangeError, api, 'values', `${rows * cols} values (rows × cols)`, values);
  const o = options ?? {};
  if (o.rowLabels !== undefined && o.rowLabels.length !== rows) throw argumentError(RangeError, api, 'options.rowLabels', `${rows} labels`, o.rowLabels);
  const cells: { row: string; col: number; value: number | null }[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) cells.push({ row: o.rowLabels?.[r] ?? String(r), col: c, value: finiteOrNull(values[r * cols + c]) });
  const spec = {
    $schema: SCHEMA,
    ...frame(api, options),
    data: { values: cells },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'col', type: 'ordinal', title: o.xLabel ?? null, axis: { labels: cols <= 40, ticks: cols <= 40 } },
      y: { field: 'row', type: 'ordinal', title: o.yLabel ?? null, sort: cells.slice(0, rows * cols).filter((_, i) => i % cols === 0).map((c) => c.row) },
      color: { field: 'value', type: 'quantitative', title: null, scale: { scheme: o.scheme ?? 'blueorange', domainMid: 0 } },
    },
    config: { view: { stroke: null } },
  } as unknown as TopLevelSpec;
  return renderSpec(spec);
}
