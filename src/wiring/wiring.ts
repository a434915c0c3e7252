/**
 * The `Wiring` base class (SPEC §1): N units, M motor (output) neurons, S inputs fixed by `build(S)`, and two
 * polarity matrices indexed [source, destination]. Subclasses draw synapses; this class owns the build state,
 * neuron types, layers, counts, serialization and drawing, so all kinds behave the same there.
 *
 * Import wirings through `wiring/index.ts`: subclasses register themselves for `Wiring.fromJSON` when their
 * module loads (a registry, because the base class cannot import its subclasses without an import cycle).
 */
import { argumentError, argumentErrorRendered } from '../errors.js';
import { expectInteger, expectOptions, expectPlainObject } from '../validate.js';
import { expectSize } from '../limits.js';
import { drawWiringSVG, type WiringSVGOptions } from './draw-svg.js';
import type { NeuronType } from './neuron-type.js';
import { PolarityMatrix } from './polarity-matrix.js';

export type { NeuronType } from './neuron-type.js';
export type WiringKind = 'Wiring' | 'FullyConnected' | 'Random' | 'NCP' | 'AutoNCP';

export interface WiringOptions {
  /** Number of motor (output) neurons M; default N. */
  outputDim?: number;
  /** Neuron ids per layer (a partition of 0..N-1); default one layer of all ids. */
  layers?: number[][];
}

/** What `toJSON()` returns; `Wiring.fromJSON` reads it back (built or not). */
export interface WiringJSON {
  format: 'ncp-silicon/wiring';
  version: 1;
  kind: WiringKind;
  /** The constructor arguments (camelCase, as the class takes them). */
  config: Record<string, unknown>;
  units: number;
  outputDim: number;
  inputDim: number | null;
  layers: number[][];
  adjacencyMatrix: number[][];
  sensoryAdjacencyMatrix: number[][] | null;
}

/** ncps's base `Wiring.get_config()` (plus the `layers` the fixtures add); `Wiring.fromJSON` reads it too. */
export interface NcpsWiringConfig {
  units: number;
  input_dim: number | null;
  output_dim: number;
  adjacency_matrix: number[][];
  sensory_adjacency_matrix: number[][] | null;
  layers?: number[][];
}

const RESTORE_MATRICES = Symbol('restoreMatrices');

type WiringFactory = (config: Record<string, unknown>) => Wiring;
const factories = new Map<WiringKind, WiringFactory>();

/** Lets a subclass module tell `Wiring.fromJSON` how to rebuild its kind from `toJSON().config`. */
export function registerWiringKind(kind: WiringKind, factory: WiringFactory): void {
  factories.set(kind, factory);
}

/** An integer check whose message can say where the bounds come from (e.g. "at most commandNeurons"). */
export function expectIntegerIn(
  api: string,
  name: string,
  value: unknown,
  min: number,
  max: number,
  note?: string,
): number {
  const expected = `an integer from ${min} to ${max}${note ? ` (${note})` : ''}`;
  if (typeof value !== 'number') throw argumentError(TypeError, api, name, expected, value);
  if (!Number.isInteger(value) || value < min || value > max) throw argumentError(RangeError, api, name, expected, value);
  return value;
}

/** An option's value, or its default when it is absent; null is not absent (it is then rejected as a wrong type). */
export function optionOr(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}

/** Round half to even, as `np.round` does for the Random wiring's synapse counts. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

export class Wiring {
  /** Number of neurons N. */
  readonly units: number;
  /** Number of motor neurons M (the outputs: neuron ids 0..M-1 in ncps wirings). */
  readonly outputDim: number;
  protected adjacency: PolarityMatrix;
  protected sensory: PolarityMatrix | undefined;
  private builtInputDim: number | undefined;
  private readonly layerIds: number[][];
  private readonly layerIndex: Int32Array;

  constructor(units: number, options?: WiringOptions) {
    const api = this.kind;
    this.units = expectSize(api, 'units', units, 'maxUnits');
    const opts = expectOptions(api, options, ['outputDim', 'layers']);
    this.outputDim =
      opts.outputDim === undefined ? units : expectIntegerIn(api, 'options.outputDim', opts.outputDim, 1, units);
    this.layerIds = opts.layers === undefined ? [range(0, units)] : checkLayers(api, opts.layers, units, this.outputDim, 'options.layers');
    this.layerIndex = new Int32Array(units);
    this.layerIds.forEach((ids, l) => ids.forEach((id) => (this.layerIndex[id] = l)));
    this.adjacency = new PolarityMatrix(units, units);
  }

  /** Which class this is; `toJSON` records it so `fromJSON` restores the same class. */
  get kind(): WiringKind {
    return 'Wiring';
  }

  /** Number of input features S, or undefined before `build`. */
  get inputDim(): number | undefined {
    return this.builtInputDim;
  }

  get isBuilt(): boolean {
    return this.builtInputDim !== undefined;
  }

  /**
   * Fixes the number of input features S and draws the sensory synapses. Calling it again with the same S
   * changes nothing (ncps would draw again and add synapses; SPEC **fix**); a different S is a RangeError.
   */
  build(inputDim: number): this {
    const api = `${this.kind}.build`;
    if (this.builtInputDim !== undefined) {
      if (inputDim === this.builtInputDim) return this;
      const expected = `${this.builtInputDim} (the input dimension this wiring was built with)`;
      throw argumentError(typeof inputDim === 'number' ? RangeError : TypeError, api, 'inputDim', expected, inputDim);
    }
    expectSize(api, 'inputDim', inputDim, 'maxInputs');
    this.sensory = new PolarityMatrix(inputDim, this.units);
    this.builtInputDim = inputDim;
    this.drawSensorySynapses(inputDim);
    return this;
  }

  /** Subclasses draw their sensory synapses here (the base wiring has none). */
  protected drawSensorySynapses(_inputDim: number): void {}

  /** Synapses between neurons, N×N, indexed [source, destination]. */
  get adjacencyMatrix(): PolarityMatrix {
    return this.adjacency;
  }

  /** Synapses from the inputs, S×N, indexed [input feature, destination]; needs `build` first. */
  get sensoryAdjacencyMatrix(): PolarityMatrix {
    return this.requireSensory('sensoryAdjacencyMatrix');
  }

  /** Σ|adjacency|. */
  get synapseCount(): number {
    return this.adjacency.count();
  }

  /** Σ|sensoryAdjacency| (ncps's cells report the wrong matrix here; SPEC **fix**); needs `build` first. */
  get sensorySynapseCount(): number {
    return this.requireSensory('sensorySynapseCount').count();
  }

  /** Neuron ids per layer: [inter, command, motor] for NCP wirings, one layer of all ids otherwise. */
  get layers(): number[][] {
    return this.layerIds.map((ids) => [...ids]);
  }

  get numLayers(): number {
    return this.layerIds.length;
  }

  /** Index of the layer that holds neuron `neuronId`. */
  layerOf(neuronId: number): number {
    expectInteger(`${this.kind}.layerOf`, 'neuronId', neuronId, { min: 0, max: this.units - 1 });
    return this.layerIndex[neuronId];
  }

  /**
   * ncps `get_type_of_neuron`: with one layer, motor if id < M else inter; with several layers (NCP), the last
   * layer is motor, the first inter, and any layer between command.
   */
  neuronType(neuronId: number): NeuronType {
    expectInteger(`${this.kind}.neuronType`, 'neuronId', neuronId, { min: 0, max: this.units - 1 });
    return this.typeOf(neuronId);
  }

  private typeOf(id: number): NeuronType {
    const last = this.layerIds.length - 1;
    if (last === 0) return id < this.outputDim ? 'motor' : 'inter';
    const layer = this.layerIndex[id];
    return layer === last ? 'motor' : layer === 0 ? 'inter' : 'command';
  }

  get motorNeuronIds(): number[] {
    return this.idsOfType('motor');
  }

  get commandNeuronIds(): number[] {
    return this.idsOfType('command');
  }

  get interNeuronIds(): number[] {
    return this.idsOfType('inter');
  }

  private idsOfType(type: NeuronType): number[] {
    return range(0, this.units).filter((id) => this.typeOf(id) === type);
  }

  private requireSensory(member: string): PolarityMatrix {
    if (this.sensory === undefined) {
      throw argumentErrorRendered(
        RangeError,
        `${this.kind}.${member}`,
        `this ${this.kind}`,
        'a built wiring (call build(inputDim) first, with inputDim = the number of input features S)',
        'an unbuilt wiring (inputDim is undefined)',
      );
    }
    return this.sensory;
  }

  /** Constructor arguments for `toJSON().config`; subclasses return theirs. */
  protected config(): Record<string, unknown> {
    return { units: this.units, outputDim: this.outputDim, layers: this.layers };
  }

  /** A plain-JSON snapshot (built state and matrices included) that `Wiring.fromJSON` restores exactly. */
  toJSON(): WiringJSON {
    return {
      format: 'ncp-silicon/wiring',
      version: 1,
      kind: this.kind,
      config: this.config(),
      units: this.units,
      outputDim: this.outputDim,
      inputDim: this.builtInputDim ?? null,
      layers: this.layers,
      adjacencyMatrix: this.adjacency.toArray(),
      sensoryAdjacencyMatrix: this.sensory ? this.sensory.toArray() : null,
    };
  }

  /** The shape of ncps's base `Wiring.get_config()` (+ `layers`), for handing a wiring to Python. */
  toNcpsConfig(): NcpsWiringConfig {
    return {
      units: this.units,
      input_dim: this.builtInputDim ?? null,
      output_dim: this.outputDim,
      adjacency_matrix: this.adjacency.toArray(),
      sensory_adjacency_matrix: this.sensory ? this.sensory.toArray() : null,
      layers: this.layers,
    };
  }

  /** A standalone SVG drawing: inputs → inter → command → motor columns, synapses coloured by polarity. */
  toSVG(options?: WiringSVGOptions): string {
    this.requireSensory('toSVG');
    return drawWiringSVG(this, options, `${this.kind}.toSVG`);
  }

  /**
   * Restores a wiring from `toJSON()` output (same class, same build state, same matrices), or builds a plain
   * `Wiring` from ncps's config shape `{units, input_dim, output_dim, adjacency_matrix, sensory_adjacency_matrix,
   * layers?}`, e.g. the `wiring` object of a model saved from Python.
   */
  static fromJSON(json: unknown): Wiring {
    const api = 'Wiring.fromJSON';
    const obj = expectPlainObject(api, 'json', json);
    if ('format' in obj || 'kind' in obj) return fromOwnJSON(api, obj);
    if ('adjacency_matrix' in obj) return fromNcpsConfig(api, obj);
    throw argumentError(TypeError, api, 'json', 'the output of toJSON() or an ncps wiring config', json);
  }

  /** Puts restored matrices in place (for `fromJSON` only: the key is a module-private symbol). */
  [RESTORE_MATRICES](adjacency: PolarityMatrix, sensory: PolarityMatrix | undefined): void {
    this.adjacency = adjacency;
    if (sensory) this.sensory = sensory;
  }
}

registerWiringKind('Wiring', (config) => {
  const { units, ...options } = config;
  return new Wiring(units as number, options as WiringOptions);
});

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

function checkLayers(api: string, value: unknown, units: number, outputDim: number, name: string): number[][] {
  const expected = `an array of neuron-id arrays that together hold each id 0..${units - 1} once`;
  if (!Array.isArray(value) || value.length === 0) {
    throw argumentError(Array.isArray(value) ? RangeError : TypeError, api, name, expected, value);
  }
  const seen = new Uint8Array(units);
  const layers = value.map((layer: unknown, l) => {
    if (!Array.isArray(layer)) throw argumentError(TypeError, api, `${name}[${l}]`, 'an array of neuron ids', layer);
    if (layer.length === 0) throw argumentError(RangeError, api, `${name}[${l}]`, 'a non-empty array of neuron ids', layer);
    return layer.map((id: unknown, k) => {
      const at = `${name}[${l}][${k}]`;
      expectIntegerIn(api, at, id, 0, units - 1);
      if (seen[id as number]) throw argumentError(RangeError, api, at, 'a neuron id not already in a layer', id);
      seen[id as number] = 1;
      return id as number;
    });
  });
  if (seen.includes(0)) throw argumentError(RangeError, api, name, expected, value);
  if (layers.length > 1 && layers[layers.length - 1].length !== outputDim) {
    const expected = `a last (motor) layer of outputDim = ${outputDim} ids`;
    throw argumentError(RangeError, api, `${name}[${layers.length - 1}]`, expected, layers[layers.length - 1]);
  }
  return layers;
}

const OWN_KEYS = ['format', 'version', 'kind', 'config', 'units', 'outputDim', 'inputDim', 'layers',
  'adjacencyMatrix', 'sensoryAdjacencyMatrix'] as const;

function fromOwnJSON(api: string, obj: Record<string, unknown>): Wiring {
  expectOptions(api, obj, OWN_KEYS, 'json');
  if (obj.format !== 'ncp-silicon/wiring') {
    throw argumentError(TypeError, api, 'json.format', "'ncp-silicon/wiring'", obj.format);
  }
  if (obj.version !== 1) throw argumentError(RangeError, api, 'json.version', '1', obj.version);
  const factory = factories.get(obj.kind as WiringKind);
  if (!factory) {
    const known = [...factories.keys()].map((k) => `'${k}'`).join(' | ');
    throw argumentError(RangeError, api, 'json.kind', `one of ${known} (import wirings from the package index)`, obj.kind);
  }
  const wiring = factory(expectPlainObject(api, 'json.config', obj.config));
  // The header must agree with what the config constructs, or the file was edited inconsistently.
  for (const [key, actual] of [['units', wiring.units], ['outputDim', wiring.outputDim]] as const) {
    if (obj[key] !== actual) throw argumentError(RangeError, api, `json.${key}`, `${actual} (from json.config)`, obj[key]);
  }
  if (JSON.stringify(obj.layers) !== JSON.stringify(wiring.layers)) {
    throw argumentError(RangeError, api, 'json.layers', 'the layers json.config constructs', obj.layers);
  }
  return restoreBuildState(api, wiring, obj, OWN_STATE);
}

function fromNcpsConfig(api: string, obj: Record<string, unknown>): Wiring {
  const keys = ['units', 'input_dim', 'output_dim', 'adjacency_matrix', 'sensory_adjacency_matrix', 'layers'];
  expectOptions(api, obj, keys, 'json');
  const units = expectSize(api, 'json.units', obj.units, 'maxUnits');
  const outputDim = expectIntegerIn(api, 'json.output_dim', obj.output_dim, 1, units);
  const layers = obj.layers === undefined ? undefined : checkLayers(api, obj.layers, units, outputDim, 'json.layers');
  const wiring = new Wiring(units, { outputDim, layers });
  return restoreBuildState(api, wiring, obj, NCPS_STATE);
}

/** Key names of the stored build state: ours are camelCase, ncps's snake_case. */
interface StateKeys {
  inputDim: string;
  adjacency: string;
  sensory: string;
}
const OWN_STATE: StateKeys = { inputDim: 'json.inputDim', adjacency: 'json.adjacencyMatrix', sensory: 'json.sensoryAdjacencyMatrix' };
const NCPS_STATE: StateKeys = {
  inputDim: 'json.input_dim',
  adjacency: 'json.adjacency_matrix',
  sensory: 'json.sensory_adjacency_matrix',
};

/**
 * Builds `wiring` to the stored input dimension (re-running a seeded construction, so a restored wiring equals
 * the original down to its generator state), then puts the stored matrices in place: the file is the truth.
 */
function restoreBuildState(api: string, wiring: Wiring, obj: Record<string, unknown>, keys: StateKeys): Wiring {
  const field = (name: string) => obj[name.slice('json.'.length)];
  const [inputDim, adjacency, sensory] = [field(keys.inputDim), field(keys.adjacency), field(keys.sensory)];
  const units = wiring.units;
  const adjacencyMatrix = PolarityMatrix.fromArray(adjacency, units, units, api, keys.adjacency);
  if (inputDim === null || inputDim === undefined) {
    if (sensory !== null && sensory !== undefined) {
      throw argumentError(TypeError, api, keys.sensory, `null when ${keys.inputDim} is null`, sensory);
    }
    wiring[RESTORE_MATRICES](adjacencyMatrix, undefined);
    return wiring;
  }
  const inputs = expectSize(api, keys.inputDim, inputDim, 'maxInputs');
  const sensoryMatrix = PolarityMatrix.fromArray(sensory, inputs, units, api, keys.sensory);
  wiring.build(inputs);
  wiring[RESTORE_MATRICES](adjacencyMatrix, sensoryMatrix);
  return wiring;
}
