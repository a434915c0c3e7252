/**
 * The tensors a checkpoint's config describes, worked out from the config's numbers alone (no wiring, model or
 * array is built), and checked against the tensors the file holds BEFORE any constructor runs. Every size in
 * the config then has to be paid for in stored bytes, so a 3.5 KB file whose config says `units: 1e9` is
 * refused in microseconds instead of asking a constructor (or a wiring factory) for 10^18 synapses.
 *
 * Only what decides tensor names and shapes is read here; every other option is still validated by the
 * constructors that run afterwards.
 */
import { describe } from '../describe.js';
import type { ParamSpec } from '../backend/param-layout.js';
import type { SafetensorsContents } from './safetensors.js';
import { cfcParamSpecs, lstmParamSpecs, ltcParamSpecs, projectionParamSpecs, wiredCfcParamSpecs, type Mapping } from '../backend/ncps-names.js';

type Fail = (problem: string) => never;

/** Sizes a wiring (our toJSON() form or ncps's config) claims, read without constructing it. */
interface WiringSizes {
  units: number;
  outputDim: number;
  layerSizes: number[];
}

/**
 * Refuses (through `fail`) a config whose tensors do not match the file's exactly: the same names, shapes and
 * dtype; nothing missing; nothing extra (trainer state is allowed only in trainer checkpoints). `what` names
 * the model for messages.
 */
export function checkConfigAgainstTensors(
  config: { kind: 'LTC' | 'CfC'; inputSize?: unknown; units?: unknown; wiring?: unknown; options: Record<string, unknown> },
  contents: SafetensorsContents,
  trainerTensorPrefix: string | undefined,
  what: string,
  fail: Fail,
): void {
  const invalid = (problem: string): never => fail(`has a config that does not describe a valid model (${problem})`);
  const o = config.options;
  const S = count(config.inputSize, 'config.inputSize', 1, invalid);
  const dtype = (o.dtype ?? 'float32') as string;
  if (dtype !== 'float32' && dtype !== 'float64') invalid(`config.options.dtype must be "float32" or "float64", not ${describe(dtype)}`);
  const mixedMemory = flag(o.mixedMemory, 'config.options.mixedMemory', invalid);
  if ((config.units === undefined) === (config.wiring === undefined)) invalid('config needs exactly one of units and wiring');
  const wiring = config.wiring !== undefined ? wiringSizes(config.wiring, S, invalid) : undefined;
  const N = wiring ? wiring.units : count(config.units, 'config.units', 1, invalid);

  const specs: ParamSpec[] = [];
  let outputs = N;
  if (config.kind === 'LTC') {
    const M = wiring ? wiring.outputDim : N;
    specs.push(...ltcParamSpecs(S, N, M, mapping(o.inputMapping, 'inputMapping', invalid), mapping(o.outputMapping, 'outputMapping', invalid)));
  } else {
    const mode = o.mode ?? 'default';
    if (mode !== 'default' && mode !== 'no_gate' && mode !== 'pure') invalid(`config.options.mode must be "default", "no_gate" or "pure", not ${describe(mode)}`);
    if (wiring) {
      specs.push(...wiredCfcParamSpecs(S, wiring.layerSizes, mode === 'pure'));
      outputs = wiring.layerSizes[wiring.layerSizes.length - 1]!;
    } else {
      const backboneUnits = o.backboneUnits === undefined ? 128 : count(o.backboneUnits, 'config.options.backboneUnits', 1, invalid);
      const backboneLayers = o.backboneLayers === undefined ? 1 : count(o.backboneLayers, 'config.options.backboneLayers', 0, invalid);
      const dropout = o.backboneDropout ?? 0;
      if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) invalid(`config.options.backboneDropout must be a number in [0, 1), not ${describe(dropout)}`);
      // Each backbone layer stores two tensors: more layers than the file could hold is refused before the
      // specs (one object per layer) are made.
      const stored = Object.keys(contents.tensors).length;
      if (2 * backboneLayers > stored) fail(`has a config with ${backboneLayers} backbone layers, which need ${2 * backboneLayers} backbone tensors, but the file holds ${stored} tensors in all`);
      specs.push(...cfcParamSpecs(S, N, mode === 'pure', backboneUnits, backboneLayers, dropout as number));
    }
  }
  if (mixedMemory) specs.push(...lstmParamSpecs(S, N));
  if (config.kind === 'CfC' && o.projSize !== undefined) specs.push(...projectionParamSpecs(outputs, count(o.projSize, 'config.options.projSize', 1, invalid)));
  compare(specs, contents, dtype === 'float64' ? 'F64' : 'F32', dtype, trainerTensorPrefix, what, fail);
}

function compare(specs: ParamSpec[], contents: SafetensorsContents, type: string, dtype: string, trainerPrefix: string | undefined, what: string, fail: Fail): void {
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(contents.tensors)) {
    if (known.has(name) || (trainerPrefix !== undefined && name.startsWith(trainerPrefix))) continue;
    fail(`holds tensor "${name}", which ${what} does not have`);
  }
  for (const spec of specs) {
    const t = contents.tensors[spec.name];
    if (t === undefined) fail(`has no tensor "${spec.name}", which ${what} needs`);
    if (t.dtype !== type) fail(`stores tensor "${spec.name}" as ${t.dtype}, but ${what} is ${dtype} (${type})`);
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      fail(`has tensor "${spec.name}" of shape [${t.shape.join(', ')}], but ${what} needs shape [${spec.shape.join(', ')}]`);
    }
  }
}

/**
 * units, outputDim and the layer sizes of a stored wiring; the numbers its factory would build from (config.units,
 * or NCP's three neuron counts) must equal the stored units, since the factory runs before the stored header is
 * compared with what it built.
 */
function wiringSizes(value: unknown, S: number, invalid: Fail): WiringSizes {
  if (!isObject(value)) return invalid(`config.wiring must be an object, not ${describe(value)}`);
  const own = 'format' in value || 'kind' in value;
  const units = count(value.units, 'config.wiring.units', 1, invalid);
  const outputDim = count(own ? value.outputDim : value.output_dim, own ? 'config.wiring.outputDim' : 'config.wiring.output_dim', 1, invalid);
  if (outputDim > units) invalid(`the wiring has ${outputDim} outputs but only ${units} units`);
  const inputDim = own ? value.inputDim : value.input_dim;
  if (inputDim !== null && inputDim !== undefined && inputDim !== S) {
    invalid(`the wiring was built for ${typeof inputDim === 'number' ? inputDim : describe(inputDim)} inputs, but config.inputSize is ${S}`);
  }
  if (own) {
    if (!isObject(value.config)) invalid(`config.wiring.config must be an object, not ${describe(value.config)}`);
    const c = value.config as Record<string, unknown>;
    const built = value.kind === 'NCP'
      ? ['interNeurons', 'commandNeurons', 'motorNeurons'].reduce((sum, key) => sum + count(c[key], `config.wiring.config.${key}`, 1, invalid), 0)
      : count(c.units, 'config.wiring.config.units', 1, invalid);
    if (built !== units) invalid(`config.wiring.config builds a wiring of ${built} units, but config.wiring.units is ${units}`);
  }
  // ncps's config may leave out layers (one layer of every unit); ours always stores them as id lists.
  let layerSizes = [units];
  if (own || value.layers !== undefined) {
    const layers = value.layers;
    if (!Array.isArray(layers) || layers.length === 0) return invalid(`config.wiring.layers must be a non-empty array of neuron-id arrays, not ${describe(layers)}`);
    layerSizes = layers.map((layer: unknown, l) => {
      if (!Array.isArray(layer) || layer.length === 0) return invalid(`config.wiring.layers[${l}] must be a non-empty array of neuron ids, not ${describe(layer)}`);
      return layer.length;
    });
  }
  const total = layerSizes.reduce((a, b) => a + b, 0);
  if (total !== units) invalid(`config.wiring.layers hold ${total} neurons, but config.wiring.units is ${units}`);
  return { units, outputDim, layerSizes };
}

function count(value: unknown, name: string, min: number, invalid: Fail): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    return invalid(`${name} must be an integer ≥ ${min}, not ${describe(value)}`);
  }
  return value;
}

function flag(value: unknown, name: string, invalid: Fail): boolean {
  if (value !== undefined && typeof value !== 'boolean') invalid(`${name} must be true or false, not ${describe(value)}`);
  return value === true;
}

function mapping(value: unknown, name: string, invalid: Fail): Mapping {
  if (value === undefined || value === 'affine') return 'affine';
  if (value === 'linear') return 'linear';
  if (value === 'none') return 'none';
  return invalid(`config.options.${name} must be "affine", "linear" or "none", not ${describe(value)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
