/** The wirings reproduce ncps 1.0.1 exactly: matrices, layers, types, counts, sizes and every RNG call. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AutoNCP, FullyConnected, Wiring, autoNCPSizes } from './index.js';
import { recordRngCalls } from './numpy-rng.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/ncps/${name}`, import.meta.url), 'utf8'));

interface WiringFixture {
  class: string;
  units: number;
  input_dim: number;
  output_dim: number;
  num_layers: number;
  layers: number[][];
  neuron_types: string[];
  adjacency_matrix: number[][];
  sensory_adjacency_matrix: number[][];
  synapse_count: number;
  sensory_synapse_count: number;
  erev_init: number[][];
  sensory_erev_init: number[][];
  ncp_params?: Record<string, number>;
  motor_neuron_ids?: number[];
  command_neuron_ids?: number[];
  inter_neuron_ids?: number[];
  rng_trace: unknown[];
}

function expectSameWiring(w: Wiring, fx: WiringFixture): void {
  expect(w.kind).toBe(fx.class);
  expect(w.units).toBe(fx.units);
  expect(w.inputDim).toBe(fx.input_dim);
  expect(w.outputDim).toBe(fx.output_dim);
  expect(w.numLayers).toBe(fx.num_layers);
  expect(w.layers).toEqual(fx.layers);
  expect(Array.from({ length: w.units }, (_, i) => w.neuronType(i))).toEqual(fx.neuron_types);
  expect(w.adjacencyMatrix.toArray()).toEqual(fx.adjacency_matrix);
  expect(w.sensoryAdjacencyMatrix.toArray()).toEqual(fx.sensory_adjacency_matrix);
  // erev_init / sensory_erev_init are copies of the matrices in ncps (the LTC erev initial values).
  expect(w.adjacencyMatrix.toArray()).toEqual(fx.erev_init);
  expect(w.sensoryAdjacencyMatrix.toArray()).toEqual(fx.sensory_erev_init);
  expect(w.synapseCount).toBe(fx.synapse_count);
  expect(w.sensorySynapseCount).toBe(fx.sensory_synapse_count);
}

describe('AutoNCP(16, 4, sparsity 0.5, seed 1).build(3) (wiring_autoncp_16_4_seed1.json)', () => {
  const fx = fixture('wiring_autoncp_16_4_seed1.json').wiring as WiringFixture;
  const { result: wiring, calls } = recordRngCalls(() => new AutoNCP(16, 4, { sparsityLevel: 0.5, seed: 1 }).build(3));

  it('has the same matrices, layers, types and counts', () => expectSameWiring(wiring, fx));

  it('has the same NCP sizes and neuron id lists', () => {
    const p = fx.ncp_params!;
    expect(wiring.ncpParams).toEqual({
      interNeurons: p.inter_neurons,
      commandNeurons: p.command_neurons,
      motorNeurons: p.motor_neurons,
      sensoryFanout: p.sensory_fanout,
      interFanout: p.inter_fanout,
      recurrentCommandSynapses: p.recurrent_command_synapses,
      motorFanin: p.motor_fanin,
      seed: 1,
    });
    expect(wiring.motorNeuronIds).toEqual(fx.motor_neuron_ids);
    expect(wiring.commandNeuronIds).toEqual(fx.command_neuron_ids);
    expect(wiring.interNeuronIds).toEqual(fx.inter_neuron_ids);
  });

  it('makes exactly the RNG calls of ncps, in order', () => {
    expect(calls).toHaveLength(fx.rng_trace.length);
    expect(calls).toEqual(fx.rng_trace);
  });

  it('draws nothing in the constructor (NCP draws at build)', () => {
    expect(recordRngCalls(() => new AutoNCP(16, 4, { seed: 1 })).calls).toEqual([]);
  });
});

describe('FullyConnected(8, outputDim 2, seed 1111).build(3) (wiring_fullyconnected_8_2.json)', () => {
  const fx = fixture('wiring_fullyconnected_8_2.json').wiring as WiringFixture;
  const { result: wiring, calls } = recordRngCalls(() =>
    new FullyConnected(8, { outputDim: 2, erevInitSeed: 1111, selfConnections: true }).build(3),
  );

  it('has the same matrices, layers, types and counts', () => expectSameWiring(wiring, fx));

  it('makes exactly the RNG calls of ncps, in order (N² in the constructor, S·N at build)', () => {
    expect(calls).toEqual(fx.rng_trace);
    expect(calls).toHaveLength(8 * 8 + 3 * 8);
  });

  it('motor ids are 0..M-1 and the rest are inter', () => {
    expect(wiring.motorNeuronIds).toEqual([0, 1]);
    expect(wiring.commandNeuronIds).toEqual([]);
    expect(wiring.interNeuronIds).toEqual([2, 3, 4, 5, 6, 7]);
  });
});

describe('AutoNCP sizing (wiring_autoncp_sizing.json)', () => {
  const sizing = fixture('wiring_autoncp_sizing.json') as {
    rows: Record<string, number>[];
    constructor_errors: { args: [number, number, number]; raises: string; message: string }[];
  };

  it.each(sizing.rows)('AutoNCP($units, $output_size, $sparsity_level) derives ncps’s sizes', (row) => {
    const expected = {
      interNeurons: row.inter_neurons,
      commandNeurons: row.command_neurons,
      motorNeurons: row.motor_neurons,
      sensoryFanout: row.sensory_fanout,
      interFanout: row.inter_fanout,
      recurrentCommandSynapses: row.recurrent_command_synapses,
      motorFanin: row.motor_fanin,
    };
    expect(autoNCPSizes(row.units, row.output_size, row.sparsity_level)).toEqual(expected);
    const wiring = new AutoNCP(row.units, row.output_size, { sparsityLevel: row.sparsity_level });
    expect(wiring.ncpParams).toEqual({ ...expected, seed: 22222 });
    expect(wiring.units).toBe(row.units);
    expect(wiring.outputDim).toBe(row.output_size);
    expect(wiring.layers.map((l) => l.length)).toEqual([row.inter_neurons, row.command_neurons, row.motor_neurons]);
  });

  // ncps raises ValueError; we raise RangeError with our message shape and the range ncps actually enforces
  // (its sparsity message says "between 0.0 and 0.9" but it checks [0.1, 1.0]).
  const ourMessage: Record<string, RegExp> = {
    'Output size': /^AutoNCP: expected an integer from 1 to \d+ \(less than units − 2 = \d+\) for outputSize, received number \d+\.$/,
    'Sparsity level': /^AutoNCP: expected a number in \[0\.1, 1\.0\] for options\.sparsityLevel, received number [\d.]+\.$/,
  };
  it.each(sizing.constructor_errors)('AutoNCP($args) throws like ncps ($message)', ({ args, raises, message }) => {
    expect(raises).toBe('ValueError');
    const [units, outputSize, sparsityLevel] = args;
    const pattern = Object.entries(ourMessage).find(([prefix]) => message.startsWith(prefix))![1];
    const make = () => new AutoNCP(units, outputSize, { sparsityLevel });
    expect(make).toThrow(RangeError);
    expect(make).toThrow(pattern);
    expect(make).toThrow(expect.objectContaining({ code: 'NCP_INVALID_RANGE' }));
    if (message.startsWith('Output size')) expect(make).toThrow(`to ${units - 3} (less than units − 2 = ${units - 2})`);
    else expect(make).toThrow(`received number ${sparsityLevel}.`);
  });
});
