/**
 * A wiring drawn with its neurons coloured by activity (e.g. the hidden state at one step, or its mean over a
 * sequence): columns of sensory inputs, inter, command and motor neurons, synapses green (excitatory) or red
 * (inhibitory). The static drawing with arrows and ids is `wiring.toSVG()`; this one is for data.
 */
import type { TopLevelSpec } from 'vega-lite';
import { argumentError } from '../errors.js';
import { renderSpec } from '../monitor/charts.js';
import type { Wiring } from '../wiring/index.js';
import type { ChartOptions } from './charts.js';

export interface WiringActivityOptions extends ChartOptions {
  /** One value per input feature, colouring the sensory column (default: grey). */
  inputs?: ArrayLike<number>;
  /** Colour scheme (default 'blueorange', centred on 0). */
  scheme?: string;
}

const COLUMNS = ['sensory', 'inter', 'command', 'motor'] as const;

export async function wiringActivity(wiring: Wiring, activity: ArrayLike<number>, options?: WiringActivityOptions): Promise<string> {
  const api = 'plot.wiringActivity';
  if (typeof wiring?.neuronType !== 'function' || !wiring.isBuilt) throw argumentError(TypeError, api, 'wiring', 'a built Wiring', wiring);
  const N = wiring.units;
  const S = wiring.inputDim!;
  if (!(ArrayBuffer.isView(activity) || Array.isArray(activity)) || activity.length !== N) throw argumentError(RangeError, api, 'activity', `${N} values (one per neuron, by id)`, activity);
  const o = options ?? {};
  if (o.inputs !== undefined && o.inputs.length !== S) throw argumentError(RangeError, api, 'options.inputs', `${S} values (one per input feature)`, o.inputs);

  const members: Record<(typeof COLUMNS)[number], string[]> = { sensory: [], inter: [], command: [], motor: [] };
  for (let s = 0; s < S; s++) members.sensory.push(`s${s}`);
  for (let id = 0; id < N; id++) members[wiring.neuronType(id)].push(String(id));
  const columns = COLUMNS.filter((c) => members[c].length > 0);
  const tallest = Math.max(...columns.map((c) => members[c].length));
  const position = new Map<string, { x: number; y: number }>();
  columns.forEach((column, c) => {
    const list = members[column];
    list.forEach((key, k) => position.set(key, { x: c, y: (tallest - list.length) / 2 + k }));
  });

  const nodes = [...position.entries()].map(([key, p]) => {
    const isInput = key.startsWith('s');
    const index = Number(isInput ? key.slice(1) : key);
    const value = isInput ? o.inputs?.[index] : activity[index];
    return { key, ...p, kind: isInput ? 'sensory' : wiring.neuronType(index), value: value !== undefined && Number.isFinite(value) ? value : null };
  });
  const edges: { x: number; y: number; x2: number; y2: number; polarity: string }[] = [];
  const addEdge = (from: string, to: string, p: number): void => {
    if (p === 0) return;
    const a = position.get(from)!;
    const b = position.get(to)!;
    edges.push({ x: a.x, y: a.y, x2: b.x, y2: b.y, polarity: p > 0 ? 'excitatory' : 'inhibitory' });
  };
  for (let s = 0; s < S; s++) for (let j = 0; j < N; j++) addEdge(`s${s}`, String(j), wiring.sensoryAdjacencyMatrix.get(s, j));
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) addEdge(String(i), String(j), wiring.adjacencyMatrix.get(i, j));

  const x = { field: 'x', type: 'quantitative', axis: null, scale: { domain: [-0.4, columns.length - 0.6] } } as const;
  const y = { field: 'y', type: 'quantitative', axis: null, scale: { domain: [tallest - 0.5, -0.5] } } as const;
  const opacity = Math.max(0.08, Math.min(0.6, 0.6 * Math.sqrt(60 / Math.max(edges.length, 1))));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title ?? `${wiring.kind} wiring coloured by activity`,
    width: o.width ?? 420,
    height: o.height ?? Math.max(160, Math.min(520, tallest * 22)),
    layer: [
      {
        data: { values: edges },
        mark: { type: 'rule', opacity },
        encoding: { x, y, x2: { field: 'x2' }, y2: { field: 'y2' }, color: { field: 'polarity', type: 'nominal', title: 'synapse', scale: { domain: ['excitatory', 'inhibitory'], range: ['#2ca02c', '#d62728'] } } },
      },
      {
        data: { values: nodes.filter((n) => n.value === null) },
        mark: { type: 'point', filled: true, size: 160, color: '#d1d5db', stroke: '#4b5563', strokeWidth: 0.8 },
        encoding: { x, y, shape: { field: 'kind', type: 'nominal', title: 'neuron', scale: { domain: ['sensory', 'inter', 'command', 'motor'], range: ['square', 'circle', 'diamond', 'triangle-up'] } } },
      },
      {
        data: { values: nodes.filter((n) => n.value !== null) },
        mark: { type: 'point', filled: true, size: 160, stroke: '#4b5563', strokeWidth: 0.8 },
        encoding: {
          x,
          y,
          fill: { field: 'value', type: 'quantitative', title: 'activity', scale: { scheme: o.scheme ?? 'blueorange', domainMid: 0 } },
          shape: { field: 'kind', type: 'nominal', title: 'neuron', scale: { domain: ['sensory', 'inter', 'command', 'motor'], range: ['square', 'circle', 'diamond', 'triangle-up'] } },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
    config: { view: { stroke: null } },
  } as unknown as TopLevelSpec;
  return renderSpec(spec);
}
