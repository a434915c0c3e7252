/** Wiring behaviour beyond the fixtures: build state, serialization, ncps configs, Random's counts. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AutoNCP, FullyConnected, NCP, Random, Wiring, type WiringJSON } from './index.js';
import { recordRngCalls } from './numpy-rng.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/ncps/${name}`, import.meta.url), 'utf8'));

const NCP_OPTIONS = {
  interNeurons: 6,
  commandNeurons: 4,
  motorNeurons: 2,
  sensoryFanout: 3,
  interFanout: 2,
  recurrentCommandSynapses: 3,
  motorFanin: 2,
  seed: 7,
};

/** One unbuilt wiring of every kind, made fresh per call. */
const makers: Record<string, () => Wiring> = {
  FullyConnected: () => new FullyConnected(6, { outputDim: 2, erevInitSeed: 5, selfConnections: false }),
  Random: () => new Random(7, { outputDim: 3, sparsityLevel: 0.4, randomSeed: 9 }),
  NCP: () => new NCP(NCP_OPTIONS),
  AutoNCP: () => new AutoNCP(16, 4, { sparsityLevel: 0.5, seed: 1 }),
  Wiring: () => new Wiring(5, { outputDim: 2 }),
};

describe('build', () => {
  it.each(Object.keys(makers))('%s: building twice with the same size changes nothing and draws nothing', (kind) => {
    const wiring = makers[kind]().build(3);
    const adjacency = wiring.adjacencyMatrix.toArray();
    const sensory = wiring.sensoryAdjacencyMatrix.toArray();
    const { result, calls } = recordRngCalls(() => wiring.build(3));
    expect(result).toBe(wiring);
    expect(calls).toEqual([]);
    expect(wiring.adjacencyMatrix.toArray()).toEqual(adjacency);
    expect(wiring.sensoryAdjacencyMatrix.toArray()).toEqual(sensory);
  });

  it.each(Object.keys(makers))('%s: a different size throws a RangeError naming the built size', (kind) => {
    const wiring = makers[kind]().build(3);
    const build = () => wiring.build(4);
    expect(build).toThrow(RangeError);
    expect(build).toThrow(
      `${kind}.build: expected 3 (the input dimension this wiring was built with) for inputDim, received number 4.`,
    );
    expect(build).toThrow(expect.objectContaining({ code: 'NCP_INVALID_RANGE' }));
    expect(wiring.inputDim).toBe(3);
  });

  it.each(Object.keys(makers))('%s: S-dependent members need build first', (kind) => {
    const wiring = makers[kind]();
    expect(wiring.isBuilt).toBe(false);
    expect(wiring.inputDim).toBeUndefined();
    for (const read of [() => wiring.sensoryAdjacencyMatrix, () => wiring.sensorySynapseCount, () => wiring.toSVG()]) {
      expect(read).toThrow(RangeError);
      expect(read).toThrow(new RegExp(`^${kind}\\.\\w+: expected a built wiring \\(call build\\(inputDim\\) first`));
      expect(read).toThrow(expect.objectContaining({ code: 'NCP_INVALID_RANGE' }));
    }
    wiring.build(2);
    expect(wiring.isBuilt).toBe(true);
    expect(wiring.sensoryAdjacencyMatrix.rows).toBe(2);
  });

  it('rejects a non-integer or non-positive input dimension', () => {
    expect(() => new FullyConnected(3).build(0)).toThrow(/^FullyConnected\.build: expected a positive integer for inputDim, received number 0\.$/);
    expect(() => new FullyConnected(3).build(2.5)).toThrow(RangeError);
    expect(() => new FullyConnected(3).build('2' as unknown as number)).toThrow(TypeError);
  });
});

describe('counts and neuron types', () => {
  it('synapse counts are Σ|matrix| (the sensory count counts the sensory matrix, SPEC fix)', () => {
    const wiring = new AutoNCP(20, 3, { seed: 4 }).build(5);
    const sum = (m: number[][]) => m.flat().reduce((a, v) => a + Math.abs(v), 0);
    expect(wiring.synapseCount).toBe(sum(wiring.adjacencyMatrix.toArray()));
    expect(wiring.sensorySynapseCount).toBe(sum(wiring.sensoryAdjacencyMatrix.toArray()));
    expect(wiring.sensorySynapseCount).not.toBe(wiring.synapseCount);
  });

  it('NCP ids, layers and layerOf agree', () => {
    const wiring = new NCP(NCP_OPTIONS);
    expect(wiring.layers).toEqual([[6, 7, 8, 9, 10, 11], [2, 3, 4, 5], [0, 1]]);
    expect(wiring.motorNeuronIds).toEqual([0, 1]);
    expect(wiring.commandNeuronIds).toEqual([2, 3, 4, 5]);
    expect(wiring.interNeuronIds).toEqual([6, 7, 8, 9, 10, 11]);
    expect([0, 2, 6, 11].map((i) => wiring.layerOf(i))).toEqual([2, 1, 0, 0]);
    expect([0, 2, 6].map((i) => wiring.neuronType(i))).toEqual(['motor', 'command', 'inter']);
  });

  it('layers is a copy', () => {
    const wiring = new FullyConnected(3);
    wiring.layers[0].push(99);
    expect(wiring.layers).toEqual([[0, 1, 2]]);
  });

  it('neuronType and layerOf validate the id', () => {
    const wiring = new FullyConnected(4, { outputDim: 1 });
    expect(() => wiring.neuronType(4)).toThrow(/^FullyConnected\.neuronType: expected an integer from 0 to 3 for neuronId, received number 4\.$/);
    expect(() => wiring.layerOf(-1)).toThrow(RangeError);
    expect(() => wiring.neuronType('1' as unknown as number)).toThrow(TypeError);
  });
});

describe('Random', () => {
  const roundHalfEven = (x: number) => (x - Math.floor(x) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x));
  it.each([
    [1, 0, 1],
    [9, 0.5, 4],
    [10, 0.25, 3],
    [12, 0.9, 2],
    [5, 0.7, 6],
  ])('Random(%i, sparsity %f).build(%i) has round-half-even(N²(1 − s)) synapses of polarity ±1', (units, sparsityLevel, inputs) => {
    const wiring = new Random(units, { sparsityLevel }).build(inputs);
    expect(wiring.synapseCount).toBe(roundHalfEven(units * units * (1 - sparsityLevel)));
    expect(wiring.sensorySynapseCount).toBe(roundHalfEven(inputs * units * (1 - sparsityLevel)));
    const entries = [...wiring.adjacencyMatrix.data, ...wiring.sensoryAdjacencyMatrix.data];
    expect(entries.every((v) => v === -1 || v === 0 || v === 1)).toBe(true);
  });

  it('draws the sensory polarity twice per pair and keeps the second (as ncps)', () => {
    const { calls } = recordRngCalls(() => new Random(4, { sparsityLevel: 0.5 }).build(2));
    const sensoryPairs = 4; // round(2 · 4 · 0.5)
    const afterConstruction = 1 + 8; // choice(pairs) + one polarity per neuron synapse
    expect(calls).toHaveLength(afterConstruction + 1 + 2 * sensoryPairs);
  });

  // Expected values from ncps's Random code run with numpy 2.4.6 (Generator.choice is unchanged since 1.17).
  it('matches ncps Random(6, outputDim 2, sparsity 0.5, seed 1111).build(3)', () => {
    const wiring = new Random(6, { outputDim: 2, sparsityLevel: 0.5, randomSeed: 1111 }).build(3);
    expect(wiring.adjacencyMatrix.toArray()).toEqual([
      [0, -1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1], [0, 0, 1, 1, 0, 1],
      [0, 1, 1, 0, 0, 0], [-1, -1, 1, 1, -1, 0], [1, 1, 1, 0, -1, 1],
    ]);
    expect(wiring.sensoryAdjacencyMatrix.toArray()).toEqual([[-1, 0, 1, 1, 1, 1], [0, 0, 1, 1, 1, 0], [0, 0, 0, 0, 1, 0]]);
  });

  const checksum = (rows: number[][]) => rows.flat().reduce((acc, v, k) => (acc + (k + 1) * v) % 1000000007, 0);
  it.each([
    // N² > 10000 and n > N²/50: numpy shuffles the tail of an index range.
    { units: 110, outputDim: 10, sparsityLevel: 0.5, randomSeed: 7, inputs: 4, first: [[108, 67], [16, 2], [65, 88], [52, 53], [77, 37]], count: 6050, sum: 1922, check: 11759836, sensoryCount: 220, sensoryCheck: 8212 },
    // N² > 10000 but n ≤ N²/50: Floyd's algorithm on a large population.
    { units: 120, outputDim: 120, sparsityLevel: 0.99, randomSeed: 3, inputs: 5, first: [[15, 53], [87, 45], [20, 32], [37, 51], [116, 0]], count: 144, sum: undefined, check: 321652, sensoryCount: 6, sensoryCheck: 273 },
  ])('matches ncps on large populations (units $units, sparsity $sparsityLevel)', (c) => {
    const { result: wiring, calls } = recordRngCalls(() =>
      new Random(c.units, { outputDim: c.outputDim, sparsityLevel: c.sparsityLevel, randomSeed: c.randomSeed }).build(c.inputs),
    );
    expect((calls[0].result as number[][]).slice(0, 5)).toEqual(c.first);
    const adjacency = wiring.adjacencyMatrix.toArray();
    expect(wiring.synapseCount).toBe(c.count);
    if (c.sum !== undefined) expect(adjacency.flat().reduce((a, v) => a + v, 0)).toBe(c.sum);
    expect(checksum(adjacency)).toBe(c.check);
    expect(wiring.sensorySynapseCount).toBe(c.sensoryCount);
    expect(checksum(wiring.sensoryAdjacencyMatrix.toArray())).toBe(c.sensoryCheck);
  });
});

describe('toJSON / fromJSON', () => {
  it.each(Object.keys(makers))('%s round-trips unbuilt and built, as the same class', (kind) => {
    for (const built of [false, true]) {
      const wiring = makers[kind]();
      if (built) wiring.build(3);
      const json = JSON.parse(JSON.stringify(wiring)) as WiringJSON;
      expect(json.kind).toBe(kind);
      const back = Wiring.fromJSON(json);
      expect(back.constructor).toBe(wiring.constructor);
      expect(back).toStrictEqual(wiring);
      expect(back.toJSON()).toEqual(wiring.toJSON());
      expect(back.isBuilt).toBe(built);
      expect(back.layers).toEqual(wiring.layers);
      expect(back.synapseCount).toBe(wiring.synapseCount);
      expect(Array.from({ length: back.units }, (_, i) => back.neuronType(i))).toEqual(
        Array.from({ length: wiring.units }, (_, i) => wiring.neuronType(i)),
      );
    }
  });

  it.each(Object.keys(makers))('%s restored unbuilt builds to the same matrices as the original', (kind) => {
    const restored = Wiring.fromJSON(makers[kind]().toJSON()).build(4);
    const original = makers[kind]().build(4);
    expect(restored.adjacencyMatrix.toArray()).toEqual(original.adjacencyMatrix.toArray());
    expect(restored.sensoryAdjacencyMatrix.toArray()).toEqual(original.sensoryAdjacencyMatrix.toArray());
  });

  it('the stored matrices win over a re-run of the construction (an edited wiring survives)', () => {
    const wiring = new FullyConnected(3).build(2);
    wiring.adjacencyMatrix.data[0] = 0;
    const back = Wiring.fromJSON(wiring.toJSON());
    expect(back.adjacencyMatrix.get(0, 0)).toBe(0);
    expect(back.synapseCount).toBe(8);
  });

  it('reads ncps’s wiring config shape (the LTC fixture’s wiring)', () => {
    const config = fixture('ltc_autoncp16_4.json').wiring;
    const wiring = Wiring.fromJSON(config);
    expect(wiring.kind).toBe('Wiring');
    expect(wiring.units).toBe(16);
    expect(wiring.inputDim).toBe(3);
    expect(wiring.outputDim).toBe(4);
    expect(wiring.adjacencyMatrix.toArray()).toEqual(config.adjacency_matrix);
    expect(wiring.sensoryAdjacencyMatrix.toArray()).toEqual(config.sensory_adjacency_matrix);
    expect(wiring.layers).toEqual(config.layers);
    const reference = new AutoNCP(16, 4, { seed: 1 }).build(3);
    for (let i = 0; i < 16; i++) expect(wiring.neuronType(i)).toBe(reference.neuronType(i));
    expect(wiring.toNcpsConfig()).toEqual(config);
    expect(Wiring.fromJSON(wiring.toJSON())).toStrictEqual(wiring);
  });

  it('an ncps config without layers has one layer, motor if id < output_dim', () => {
    const { layers: _layers, ...config } = fixture('ltc_autoncp16_4.json').wiring;
    const wiring = Wiring.fromJSON({ ...config, input_dim: null, sensory_adjacency_matrix: null });
    expect(wiring.layers).toEqual([Array.from({ length: 16 }, (_, i) => i)]);
    expect(wiring.motorNeuronIds).toEqual([0, 1, 2, 3]);
    expect(wiring.isBuilt).toBe(false);
    expect(wiring.build(2).sensorySynapseCount).toBe(0);
  });

  describe('validation', () => {
    const good = () => new FullyConnected(2).build(1).toJSON() as unknown as Record<string, unknown>;
    const ncps = () => ({ ...fixture('ltc_autoncp16_4.json').wiring }) as Record<string, unknown>;
    it.each([
      ['not an object', () => 'x', TypeError, /^Wiring\.fromJSON: expected a plain object for json, received string "x"\.$/],
      ['unknown shape', () => ({ units: 3 }), TypeError, /for json, received object \{units\}\.$/],
      ['unknown key', () => ({ ...good(), extra: 1 }), TypeError, /for json\.extra/],
      ['wrong format', () => ({ ...good(), format: 'other' }), TypeError, /for json\.format/],
      ['wrong version', () => ({ ...good(), version: 2 }), RangeError, /expected 1 for json\.version, received number 2/],
      ['unknown kind', () => ({ ...good(), kind: 'Grid' }), RangeError, /expected one of .*'AutoNCP'.* for json\.kind, received string "Grid"/],
      ['inconsistent units', () => ({ ...good(), units: 3 }), RangeError, /expected 2 \(from json\.config\) for json\.units/],
      ['bad polarity', () => ({ ...good(), adjacencyMatrix: [[1, 2], [0, 0]] }), RangeError, /expected a polarity -1, 0 or 1 for json\.adjacencyMatrix\[0\]\[1\], received number 2/],
      ['string polarity', () => ({ ...good(), adjacencyMatrix: [[1, '1'], [0, 0]] }), TypeError, /json\.adjacencyMatrix\[0\]\[1\]/],
      ['short row', () => ({ ...good(), adjacencyMatrix: [[1], [0, 0]] }), RangeError, /expected an array of 2 polarities for json\.adjacencyMatrix\[0\]/],
      ['sensory rows ≠ inputDim', () => ({ ...good(), inputDim: 2 }), RangeError, /expected an array of 2 rows for json\.sensoryAdjacencyMatrix/],
      ['ncps: bad output_dim', () => ({ ...ncps(), output_dim: 17 }), RangeError, /expected an integer from 1 to 16 for json\.output_dim, received number 17/],
      ['ncps: non-matrix', () => ({ ...ncps(), adjacency_matrix: 'x' }), TypeError, /for json\.adjacency_matrix/],
      ['ncps: sensory without input_dim', () => ({ ...ncps(), input_dim: null }), TypeError, /expected null when json\.input_dim is null for json\.sensory_adjacency_matrix/],
      ['ncps: layers miss an id', () => ({ ...ncps(), layers: [[4, 5], [0, 1, 2, 3]] }), RangeError, /for json\.layers/],
      ['ncps: duplicate id', () => ({ ...ncps(), layers: [[0, 0]] }), RangeError, /expected a neuron id not already in a layer for json\.layers\[0\]\[1\]/],
    ])('%s', (_name, make, ErrorClass, message) => {
      const read = () => Wiring.fromJSON(make());
      expect(read).toThrow(ErrorClass);
      expect(read).toThrow(message);
      expect(read).toThrow(expect.objectContaining({ code: ErrorClass === TypeError ? 'NCP_INVALID_TYPE' : 'NCP_INVALID_RANGE' }));
    });
  });
});
