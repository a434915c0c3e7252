/**
 * Draws a built wiring as a standalone SVG: columns left to right for sensory inputs, inter, command and motor
 * neurons (empty columns are left out), synapses green (excitatory, arrow) or red (inhibitory, bar), and a
 * legend. ncps draws a networkx "shell" layout; columns read better for a feed-forward circuit.
 *
 * Every node and synapse is one element that tools can find: `<circle class="neuron inter" data-id="5">`,
 * `<rect class="input" data-input="0">`, `<path class="synapse excitatory" data-from="s0" data-to="5">`
 * (`s<i>` for input i). Legend parts only use `legend-*` classes. Presentation is in attributes, not CSS, so
 * every renderer (browsers, notebooks, converters) shows the same picture.
 */
import { argumentError } from '../errors.js';
import { expectBoolean, expectNumber, expectOptions } from '../validate.js';
import type { PolarityMatrix } from './polarity-matrix.js';
import type { NeuronType } from './neuron-type.js';

export interface WiringSVGOptions {
  /** Write neuron ids in the nodes; default true while nodes are big enough to hold them. */
  labels?: boolean;
  /** Rendered width in px; the drawing scales to it (default: its natural size). */
  width?: number;
  /** Rendered height in px; the drawing scales to it (default: its natural size). */
  height?: number;
  /** A heading drawn above the circuit (also the SVG's accessible title). */
  title?: string;
}

/** What the drawing needs from a wiring (structural, so this file does not import the Wiring class). */
export interface DrawableWiring {
  readonly kind: string;
  readonly units: number;
  readonly sensoryAdjacencyMatrix: PolarityMatrix;
  readonly adjacencyMatrix: PolarityMatrix;
  neuronType(id: number): NeuronType;
}

const COLORS = {
  input: '#bcbd22',
  inter: '#1f77b4',
  command: '#9467bd',
  motor: '#ff7f0e',
  excitatory: '#2ca02c',
  inhibitory: '#d62728',
  text: '#222222',
} as const;

const COLUMN_TITLES = { input: 'Sensory inputs', inter: 'Inter neurons', command: 'Command neurons', motor: 'Motor neurons' };
type Column = keyof typeof COLUMN_TITLES;

const COLUMN_GAP = 190;
const MARGIN = 36;
const LEGEND_MIN_WIDTH = 480;
const TITLE_HALF_WIDTH = 70;
const FONT = 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif';

interface Node {
  key: string;
  x: number;
  y: number;
  column: number;
}

export function drawWiringSVG(wiring: DrawableWiring, options: WiringSVGOptions | undefined, api: string): string {
  const opts = expectOptions(api, options, ['labels', 'width', 'height', 'title']);
  const title = opts.title === undefined ? undefined : expectString(api, 'options.title', opts.title);
  const width = opts.width === undefined ? undefined : expectNumber(api, 'options.width', opts.width, { greaterThan: 0 });
  const height = opts.height === undefined ? undefined : expectNumber(api, 'options.height', opts.height, { greaterThan: 0 });

  const sensory = wiring.sensoryAdjacencyMatrix;
  const adjacency = wiring.adjacencyMatrix;
  const inputs = sensory.rows;
  const N = wiring.units;

  // Columns in circuit order; a neuron's column is its type.
  const members: Record<Column, string[]> = { input: [], inter: [], command: [], motor: [] };
  for (let s = 0; s < inputs; s++) members.input.push(`s${s}`);
  for (let id = 0; id < N; id++) members[wiring.neuronType(id)].push(String(id));
  const columns = (Object.keys(members) as Column[]).filter((c) => members[c].length > 0);
  const tallest = Math.max(...columns.map((c) => members[c].length));

  // Big circuits shrink their spacing so the picture stays a readable size.
  const spacing = Math.min(36, Math.max(8, 900 / tallest));
  const radius = Math.min(11, spacing * 0.32);
  const labels = opts.labels === undefined ? radius >= 8 : expectBoolean(api, 'options.labels', opts.labels);
  const top = MARGIN + (title ? 34 : 0) + 26;
  // Columns are padded by half a column title on each side (titles never run off the canvas) and centred in a
  // width that also fits the legend.
  const contentWidth = 2 * TITLE_HALF_WIDTH + (columns.length - 1) * COLUMN_GAP;
  const naturalWidth = Math.max(2 * MARGIN + contentWidth, LEGEND_MIN_WIDTH);
  const left = (naturalWidth - contentWidth) / 2 + TITLE_HALF_WIDTH;
  const legendTop = top + tallest * spacing + 28;
  const naturalHeight = legendTop + 24 + MARGIN;

  const nodes = new Map<string, Node>();
  columns.forEach((column, c) => {
    const list = members[column];
    const y0 = top + ((tallest - list.length) * spacing) / 2 + spacing / 2;
    const x = left + c * COLUMN_GAP;
    list.forEach((key, k) => nodes.set(key, { key, x, y: y0 + k * spacing, column: c }));
  });

  const edgeCount = sensory.count() + adjacency.count();
  const opacity = Math.max(0.12, Math.min(0.85, 0.85 * Math.sqrt(60 / Math.max(edgeCount, 1)))).toFixed(2);
  const out: string[] = [];
  // One given dimension scales the other, keeping the aspect ratio.
  const scale = width !== undefined ? width / naturalWidth : height !== undefined ? height / naturalHeight : 1;
  const w = width ?? naturalWidth * scale;
  const h = height ?? naturalHeight * scale;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(w)}" height="${fmt(h)}" ` +
      `viewBox="0 0 ${fmt(naturalWidth)} ${fmt(naturalHeight)}" font-family='${FONT}' role="img">`,
    `<title>${escapeXml(title ?? `${wiring.kind} wiring: ${count(N, 'neuron')}, ${count(inputs, 'input')}, ${count(edgeCount, 'synapse')}`)}</title>`,
    markerDefs(radius),
    `<rect class="background" x="0" y="0" width="${fmt(naturalWidth)}" height="${fmt(naturalHeight)}" fill="#ffffff"/>`,
  );
  if (title) {
    out.push(`<text class="title" x="${fmt(naturalWidth / 2)}" y="${MARGIN + 10}" text-anchor="middle" ` +
      `font-size="18" font-weight="600" fill="${COLORS.text}">${escapeXml(title)}</text>`);
  }
  columns.forEach((column, c) => {
    const x = left + c * COLUMN_GAP;
    out.push(`<text class="column-title" x="${fmt(x)}" y="${fmt(top - 12)}" text-anchor="middle" font-size="13" ` +
      `fill="${COLORS.text}">${COLUMN_TITLES[column]} (${members[column].length})</text>`);
  });

  out.push(`<g class="synapses" fill="none" stroke-width="1.3" stroke-opacity="${opacity}">`);
  const edge = (from: string, to: string, polarity: number) => {
    const kind = polarity > 0 ? 'excitatory' : 'inhibitory';
    const d = edgePath(nodes.get(from)!, nodes.get(to)!, radius);
    out.push(`<path class="synapse ${kind}" data-from="${from}" data-to="${to}" d="${d}" stroke="${COLORS[kind]}" ` +
      `marker-end="url(#ncp-wiring-${kind})"><title>${from} → ${to} (${kind})</title></path>`);
  };
  for (let s = 0; s < inputs; s++) {
    for (let j = 0; j < N; j++) if (sensory.data[s * N + j] !== 0) edge(`s${s}`, String(j), sensory.data[s * N + j]);
  }
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) if (adjacency.data[i * N + j] !== 0) edge(String(i), String(j), adjacency.data[i * N + j]);
  }
  out.push('</g>');

  out.push('<g class="nodes" stroke="#ffffff" stroke-width="1.5">');
  for (let s = 0; s < inputs; s++) {
    const { x, y } = nodes.get(`s${s}`)!;
    out.push(`<rect class="input" data-input="${s}" x="${fmt(x - radius)}" y="${fmt(y - radius)}" width="${fmt(2 * radius)}" ` +
      `height="${fmt(2 * radius)}" rx="${fmt(radius * 0.3)}" fill="${COLORS.input}"><title>input ${s}</title></rect>`);
  }
  for (let id = 0; id < N; id++) {
    const { x, y } = nodes.get(String(id))!;
    const type = wiring.neuronType(id);
    out.push(`<circle class="neuron ${type}" data-id="${id}" cx="${fmt(x)}" cy="${fmt(y)}" r="${fmt(radius)}" ` +
      `fill="${COLORS[type]}"><title>neuron ${id} (${type})</title></circle>`);
  }
  out.push('</g>');

  if (labels) {
    const size = fmt(Math.max(5, radius * 0.9));
    out.push(`<g class="node-labels" font-size="${size}" fill="#ffffff" text-anchor="middle" pointer-events="none">`);
    // dy rather than dominant-baseline: the latter is ignored by several renderers.
    for (const node of nodes.values()) out.push(`<text x="${fmt(node.x)}" y="${fmt(node.y)}" dy="0.35em">${node.key}</text>`);
    out.push('</g>');
  }

  out.push(legend(columns, legendTop));
  out.push('</svg>');
  return out.join('\n');
}

/**
 * One synapse as a path ending on the target's boundary. Forward edges are S-curves between columns; backward
 * edges sag below the straight line so they do not hide forward ones; edges within a column bow right when going
 * down and left when going up (so a pair in both directions stays two curves); self synapses are loops on top.
 */
function edgePath(a: Node, b: Node, r: number): string {
  if (a === b) {
    const dx = r * Math.sin(Math.PI / 5);
    const dy = r * Math.cos(Math.PI / 5);
    return `M${fmt(a.x - dx)},${fmt(a.y - dy)} C${fmt(a.x - 1.5 * r)},${fmt(a.y - 2.5 * r)} ` +
      `${fmt(a.x + 1.5 * r)},${fmt(a.y - 2.5 * r)} ${fmt(a.x + dx)},${fmt(a.y - dy)}`;
  }
  if (a.column === b.column) {
    const side = b.y > a.y ? 1 : -1;
    const bulge = Math.min(COLUMN_GAP * 0.4, 10 + 0.35 * Math.abs(b.y - a.y));
    const x = a.x + side * r;
    return `M${fmt(x)},${fmt(a.y)} C${fmt(x + side * bulge)},${fmt(a.y)} ${fmt(x + side * bulge)},${fmt(b.y)} ${fmt(x)},${fmt(b.y)}`;
  }
  if (a.column < b.column) {
    const x1 = a.x + r;
    const x2 = b.x - r;
    const mid = (x2 - x1) / 2;
    return `M${fmt(x1)},${fmt(a.y)} C${fmt(x1 + mid)},${fmt(a.y)} ${fmt(x2 - mid)},${fmt(b.y)} ${fmt(x2)},${fmt(b.y)}`;
  }
  const x1 = a.x - r;
  const x2 = b.x + r;
  const sag = 20 + 0.25 * (x1 - x2);
  return `M${fmt(x1)},${fmt(a.y)} C${fmt(x1 - 40)},${fmt(a.y + sag)} ${fmt(x2 + 40)},${fmt(b.y + sag)} ${fmt(x2)},${fmt(b.y)}`;
}

/** Arrowhead for excitatory, flat bar ("⊣", the neuroscience convention) for inhibitory synapses. */
function markerDefs(r: number): string {
  const s = fmt(Math.max(4, r * 0.6));
  return [
    '<defs>',
    `<marker id="ncp-wiring-excitatory" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" ` +
      `markerWidth="${s}" markerHeight="${s}" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${COLORS.excitatory}"/></marker>`,
    `<marker id="ncp-wiring-inhibitory" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" ` +
      `markerWidth="${s}" markerHeight="${s}" orient="auto"><rect x="6" y="0" width="3" height="10" fill="${COLORS.inhibitory}"/></marker>`,
    '</defs>',
  ].join('\n');
}

/** Two rows: the node kinds drawn, then both synapse kinds (always, since they explain the edge colours). */
function legend(columns: Column[], top: number): string {
  const items: string[] = [];
  let x = MARGIN;
  let y = top;
  const label = (text: string) => {
    items.push(`<text class="legend-label" x="${fmt(x)}" y="${fmt(y + 4)}" font-size="12" fill="${COLORS.text}" ` +
      `dy="0.35em">${text}</text>`);
    x += 6.8 * text.length + 28;
  };
  for (const column of columns) {
    const shape = column === 'input'
      ? `<rect class="legend-swatch" x="${fmt(x)}" y="${fmt(y - 2)}" width="12" height="12" rx="3" fill="${COLORS.input}"/>`
      : `<circle class="legend-swatch" cx="${fmt(x + 6)}" cy="${fmt(y + 4)}" r="6" fill="${COLORS[column]}"/>`;
    items.push(shape);
    x += 18;
    label(column === 'input' ? 'sensory input' : `${column} neuron`);
  }
  x = MARGIN;
  y += 24;
  for (const kind of ['excitatory', 'inhibitory'] as const) {
    items.push(`<line class="legend-line" x1="${fmt(x)}" y1="${fmt(y + 4)}" x2="${fmt(x + 26)}" y2="${fmt(y + 4)}" ` +
      `stroke="${COLORS[kind]}" stroke-width="2" marker-end="url(#ncp-wiring-${kind})"/>`);
    x += 32;
    label(`${kind} synapse`);
  }
  return `<g class="legend">\n${items.join('\n')}\n</g>`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function expectString(api: string, name: string, value: unknown): string {
  if (typeof value !== 'string') throw argumentError(TypeError, api, name, 'a string', value);
  return value;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Coordinates with at most two decimals keep files small and output stable. */
function fmt(value: number): string {
  return String(Math.round(value * 100) / 100);
}
