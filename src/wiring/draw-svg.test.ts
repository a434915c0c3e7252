/** The SVG drawing: one element per node and per synapse, colours by polarity, a legend, valid XML. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { AutoNCP, FullyConnected, Random, Wiring } from './index.js';

interface Element {
  tag: string;
  attrs: Record<string, string>;
  text: string;
  children: Element[];
}

/** Parses with preserveOrder and turns fast-xml-parser's nodes into a plain element tree. */
function parseSVG(svg: string): Element {
  expect(XMLValidator.validate(svg)).toBe(true);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true });
  const convert = (node: Record<string, unknown>): Element | undefined => {
    const tag = Object.keys(node).find((k) => k !== ':@');
    if (!tag || tag === '#text') return undefined;
    const body = node[tag] as Record<string, unknown>[];
    const text = body.filter((c) => '#text' in c).map((c) => String(c['#text'])).join('');
    const children = body.map(convert).filter((c): c is Element => c !== undefined);
    return { tag, attrs: (node[':@'] ?? {}) as Record<string, string>, text, children };
  };
  const roots = (parser.parse(svg) as Record<string, unknown>[]).map(convert).filter(Boolean) as Element[];
  expect(roots).toHaveLength(1);
  return roots[0];
}

function all(root: Element): Element[] {
  return [root, ...root.children.flatMap(all)];
}

const classes = (e: Element) => (e.attrs.class ?? '').split(/\s+/).filter(Boolean);
const withClass = (root: Element, name: string) => all(root).filter((e) => classes(e).includes(name));

/** Start and end points of a path `M x,y C … x,y`. */
function endpoints(d: string): [number, number, number, number] {
  const numbers = d.match(/-?\d+(\.\d+)?/g)!.map(Number);
  return [numbers[0], numbers[1], numbers[numbers.length - 2], numbers[numbers.length - 1]];
}

function checkDrawing(wiring: Wiring): Element {
  const root = parseSVG(wiring.toSVG());
  expect(root.tag).toBe('svg');
  expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
  expect(Number(root.attrs.width)).toBeGreaterThan(0);
  expect(Number(root.attrs.height)).toBeGreaterThan(0);
  expect(root.attrs.viewBox).toMatch(/^0 0 \d+(\.\d+)? \d+(\.\d+)?$/);

  const neurons = withClass(root, 'neuron');
  expect(neurons).toHaveLength(wiring.units);
  expect(neurons.map((n) => Number(n.attrs['data-id'])).sort((a, b) => a - b)).toEqual(
    Array.from({ length: wiring.units }, (_, i) => i),
  );
  for (const n of neurons) expect(classes(n)).toContain(wiring.neuronType(Number(n.attrs['data-id'])));
  const inputs = withClass(root, 'input');
  expect(inputs.map((n) => Number(n.attrs['data-input']))).toEqual(Array.from({ length: wiring.inputDim! }, (_, i) => i));

  const synapses = withClass(root, 'synapse');
  expect(synapses).toHaveLength(wiring.synapseCount + wiring.sensorySynapseCount);
  const seen = new Set<string>();
  for (const s of synapses) {
    const { 'data-from': from, 'data-to': to } = s.attrs;
    seen.add(`${from}>${to}`);
    const polarity = from.startsWith('s')
      ? wiring.sensoryAdjacencyMatrix.get(Number(from.slice(1)), Number(to))
      : wiring.adjacencyMatrix.get(Number(from), Number(to));
    expect(classes(s)).toContain(polarity > 0 ? 'excitatory' : 'inhibitory');
    // Every synapse, self and same-column ones included, is a visible curve, not a zero-length line.
    const [x1, y1, x2, y2] = endpoints(s.attrs.d);
    expect(Math.hypot(x2 - x1, y2 - y1)).toBeGreaterThan(0);
  }
  expect(seen.size).toBe(synapses.length);

  const legend = withClass(root, 'legend');
  expect(legend).toHaveLength(1);
  const legendParts = all(legend[0]);
  expect(legendParts.some((e) => e.text.includes('excitatory'))).toBe(true);
  expect(legendParts.some((e) => e.text.includes('inhibitory'))).toBe(true);
  for (const part of legendParts) {
    expect(classes(part).some((c) => ['neuron', 'input', 'synapse'].includes(c))).toBe(false);
    expect(part.attrs['data-id'] ?? part.attrs['data-from']).toBeUndefined();
  }
  return root;
}

describe('toSVG', () => {
  it('draws AutoNCP(16, 4).build(3) node by node and synapse by synapse', () => {
    const wiring = new AutoNCP(16, 4, { seed: 1 }).build(3);
    const root = checkDrawing(wiring);
    const strokes = (kind: string) => new Set(withClass(root, kind).filter((e) => classes(e).includes('synapse')).map((e) => e.attrs.stroke));
    expect(strokes('excitatory').size).toBe(1);
    expect(strokes('inhibitory').size).toBe(1);
    expect([...strokes('excitatory')][0]).not.toBe([...strokes('inhibitory')][0]);
    // Columns left to right: inputs, inter, command, motor.
    const x = (type: string) => Number(withClass(root, type).find((e) => e.tag === 'circle' || e.tag === 'rect')!.attrs[type === 'input' ? 'x' : 'cx']);
    expect(x('input')).toBeLessThan(x('inter'));
    expect(x('inter')).toBeLessThan(x('command'));
    expect(x('command')).toBeLessThan(x('motor'));
    expect(all(root).filter((e) => e.tag === 'text' && /Command neurons \(4\)/.test(e.text))).toHaveLength(1);
  });

  it('draws FullyConnected with self synapses and same-column synapses', () => {
    const wiring = new FullyConnected(5, { outputDim: 2 }).build(2);
    const root = checkDrawing(wiring);
    const self = withClass(root, 'synapse').filter((s) => s.attrs['data-from'] === s.attrs['data-to']);
    expect(self).toHaveLength(5);
    expect(withClass(root, 'command')).toHaveLength(0);
  });

  it.each([
    ['Random', () => new Random(9, { outputDim: 3, sparsityLevel: 0.6 }).build(4)],
    ['a plain Wiring without synapses', () => new Wiring(3, { outputDim: 1 }).build(1)],
    ['a larger AutoNCP', () => new AutoNCP(64, 8, { seed: 3 }).build(10)],
  ])('draws %s', (_name, make) => {
    checkDrawing(make());
  });

  it('honours width, height, title and labels', () => {
    const wiring = new AutoNCP(8, 2).build(2);
    const root = parseSVG(wiring.toSVG({ width: 640, height: 480, title: 'Car & <driver>', labels: false }));
    expect(root.attrs.width).toBe('640');
    expect(root.attrs.height).toBe('480');
    expect(all(root).filter((e) => e.tag === 'title')[0].text).toContain('Car');
    expect(wiring.toSVG({ title: 'Car & <driver>' })).toContain('Car &#38; &#60;driver&#62;');
    expect(withClass(root, 'node-labels')).toHaveLength(0);
    const labelled = parseSVG(wiring.toSVG({ labels: true }));
    expect(withClass(labelled, 'node-labels')[0].children).toHaveLength(wiring.units + 2);
  });

  it('is deterministic', () => {
    expect(new AutoNCP(12, 3).build(2).toSVG()).toBe(new AutoNCP(12, 3).build(2).toSVG());
  });
});
