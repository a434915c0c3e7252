/**
 * model.summary() in the Keras sense: the cell and its options, the wiring by neuron type, synapses, and every
 * parameter tensor with its shape, count, bytes and whether it trains. Readable as text (toString) and as an
 * HTML table (toHTML, for notebooks: `tslab.display.html(model.summary().toHTML())`).
 */
import type { Wiring } from '../wiring/index.js';
import type { ParamLayout } from '../backend/param-layout.js';
import type { Backend } from './sequence-types.js';
import type { Dtype } from './tensor.js';

export interface SummaryParameter {
  /** ncps state-dict name. */
  name: string;
  shape: number[];
  count: number;
  bytes: number;
  trainable: boolean;
}

export interface SummaryWiring {
  kind: string;
  units: number;
  /** Neurons of each type; `sensory` is the number of input features. */
  neurons: { sensory: number; inter: number; command: number; motor: number };
  /** Neurons per layer, in the order the cell updates them. */
  layers: number[];
  synapses: { excitatory: number; inhibitory: number };
  sensorySynapses: { excitatory: number; inhibitory: number };
}

/** What a model says about itself (models/ltc.ts and models/cfc.ts fill `cell` and `options`). */
export interface SummarySource {
  kind: 'LTC' | 'CfC';
  /** One line: the cell and what makes it this cell. */
  cell: string;
  /** The constructor options that shape the computation. */
  options: Record<string, string | number | boolean>;
  wiring?: Wiring;
  inputSize: number;
  stateSize: number;
  outputSize: number;
  dtype: Dtype;
  backend: Backend;
  layout: ParamLayout;
}

function countPolarities(get: (i: number, j: number) => number, rows: number, cols: number): { excitatory: number; inhibitory: number } {
  let excitatory = 0;
  let inhibitory = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const p = get(i, j);
      if (p > 0) excitatory++;
      else if (p < 0) inhibitory++;
    }
  }
  return { excitatory, inhibitory };
}

function summariseWiring(wiring: Wiring): SummaryWiring {
  const N = wiring.units;
  const S = wiring.inputDim ?? 0;
  const neurons = { sensory: S, inter: 0, command: 0, motor: 0 };
  for (let i = 0; i < N; i++) neurons[wiring.neuronType(i)]++;
  const adjacency = wiring.adjacencyMatrix;
  const sensory = wiring.sensoryAdjacencyMatrix;
  return {
    kind: wiring.kind,
    units: N,
    neurons,
    layers: wiring.layers.map((ids) => ids.length),
    synapses: countPolarities((i, j) => adjacency.get(i, j), N, N),
    sensorySynapses: countPolarities((i, j) => sensory.get(i, j), S, N),
  };
}

const BYTES: Record<Dtype, number> = { float32: 4, float64: 8 };

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class ModelSummary {
  readonly kind: 'LTC' | 'CfC';
  readonly cell: string;
  readonly options: Record<string, string | number | boolean>;
  readonly inputSize: number;
  readonly stateSize: number;
  readonly outputSize: number;
  readonly dtype: Dtype;
  readonly backend: Backend;
  readonly wiring: SummaryWiring | undefined;
  readonly parameters: SummaryParameter[];
  readonly totals: { trainable: number; nonTrainable: number; bytes: number };

  constructor(source: SummarySource) {
    this.kind = source.kind;
    this.cell = source.cell;
    this.options = { ...source.options };
    this.inputSize = source.inputSize;
    this.stateSize = source.stateSize;
    this.outputSize = source.outputSize;
    this.dtype = source.dtype;
    this.backend = source.backend;
    this.wiring = source.wiring ? summariseWiring(source.wiring) : undefined;
    const elementBytes = BYTES[source.dtype];
    this.parameters = source.layout.entries.map((e) => ({ name: e.name, shape: [...e.shape], count: e.size, bytes: e.size * elementBytes, trainable: e.trainable }));
    const trainable = source.layout.trainableLength;
    this.totals = { trainable, nonTrainable: source.layout.length - trainable, bytes: source.layout.length * elementBytes };
  }

  /** The header lines: model, cell, options, wiring. */
  private headerLines(): string[] {
    const lines = [
      `${this.kind}: ${this.inputSize} inputs → ${this.stateSize} state → ${this.outputSize} outputs (${this.dtype}, backend '${this.backend}')`,
      `Cell: ${this.cell}`,
    ];
    const options = Object.entries(this.options).map(([k, v]) => `${k}=${v}`);
    if (options.length > 0) lines.push(`Options: ${options.join(', ')}`);
    const w = this.wiring;
    if (w) {
      const n = w.neurons;
      const syn = (s: { excitatory: number; inhibitory: number }): string => `${s.excitatory + s.inhibitory} (${s.excitatory} excitatory, ${s.inhibitory} inhibitory)`;
      lines.push(
        `Wiring: ${w.kind}, ${w.units} neurons: ${n.sensory} sensory (inputs), ${n.inter} inter, ${n.command} command, ${n.motor} motor; layers [${w.layers.join(', ')}]`,
        `Synapses: ${syn(w.synapses)}; sensory synapses: ${syn(w.sensorySynapses)}`,
      );
    }
    return lines;
  }

  private totalLine(): string {
    const { trainable, nonTrainable, bytes } = this.totals;
    return `Parameters: ${(trainable + nonTrainable).toLocaleString('en-US')} (${trainable.toLocaleString('en-US')} trainable, ${nonTrainable.toLocaleString('en-US')} non-trainable), ${formatBytes(bytes)}`;
  }

  toString(): string {
    const rows = this.parameters.map((p) => [p.name, `[${p.shape.join(', ')}]`, p.count.toLocaleString('en-US'), formatBytes(p.bytes), p.trainable ? 'yes' : 'no']);
    const header = ['Parameter', 'Shape', 'Count', 'Bytes', 'Trainable'];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (cells: string[]): string => cells.map((cell, c) => (c >= 2 && c <= 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
    const rule = '─'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
    return [...this.headerLines(), rule, line(header), rule, ...rows.map(line), rule, this.totalLine()].join('\n');
  }

  toHTML(): string {
    const head = this.headerLines().map((l) => `<div>${escapeHtml(l)}</div>`).join('');
    const cells = (tag: string, values: string[]): string => `<tr>${values.map((v, c) => `<${tag} style="text-align:${c >= 2 && c <= 3 ? 'right' : 'left'}">${escapeHtml(v)}</${tag}>`).join('')}</tr>`;
    const rows = this.parameters.map((p) => cells('td', [p.name, `[${p.shape.join(', ')}]`, p.count.toLocaleString('en-US'), formatBytes(p.bytes), p.trainable ? 'yes' : 'no'])).join('');
    return `<div class="ncp-summary" style="font-family:monospace">${head}<table>${cells('th', ['Parameter', 'Shape', 'Count', 'Bytes', 'Trainable'])}${rows}</table><div>${escapeHtml(this.totalLine())}</div></div>`;
  }
}
