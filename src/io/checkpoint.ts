/**
 * Model checkpoints: the weights as a safetensors file (ncps state-dict names, the model's dtype) with the
 * model's configuration in `__metadata__`, so `loadModel(path)` rebuilds the same model with no other input.
 *
 *   __metadata__.format         "ncp-silicon/model" (or "ncp-silicon/trainer": the same plus optimizer state)
 *   __metadata__.formatVersion  "1"
 *   __metadata__.kind           "LTC" | "CfC"
 *   __metadata__.config         JSON {kind, inputSize, units | wiring (Wiring#toJSON), options}
 *
 * Files are replaced atomically (saveSafetensors → writeFileAtomic): a crash mid-save leaves the old file.
 * Loading checks the file (safetensors framing), then the metadata, then every tensor against the model the
 * config describes, and refuses anything off with a CheckpointError that says what is wrong.
 */
import { CheckpointError, argumentError } from '../errors.js';
import { expectOptions } from '../validate.js';
import { expectBackend } from '../backend/select.js';
import { LTC } from '../models/ltc.js';
import { CfC } from '../models/cfc.js';
import { SequenceModel, type Backend } from '../models/sequence-model.js';
import { Wiring, type WiringJSON } from '../wiring/index.js';
import { requireFiniteForSave } from './finite.js';
import { describeMaskMismatch, findMaskMismatch, MASK_RULE } from '../models/sparsity-masks.js';
import { checkConfigAgainstTensors } from './checkpoint-layout.js';
import { loadSafetensors, saveSafetensors, type SafetensorsContents, type SafetensorsInput } from './safetensors.js';

export type CheckpointModel = LTC | CfC;

export const MODEL_FORMAT = 'ncp-silicon/model';
export const TRAINER_FORMAT = 'ncp-silicon/trainer';
const FORMAT_VERSION = 1;
/** Tensors under this prefix belong to the trainer's state (src/train/trainer-state.ts), not to the model. */
export const TRAINER_TENSOR_PREFIX = 'trainer.';

/** Everything needed to construct the model again (its weights come from the tensors). */
export interface ModelConfig {
  kind: 'LTC' | 'CfC';
  inputSize: number;
  /** A fully connected CfC's units … */
  units?: number;
  /** … or the wiring (every LTC, a wired CfC). */
  wiring?: WiringJSON;
  /** Every constructor option but `seed` (it only draws the initial weights, which the file replaces). */
  options: Record<string, unknown>;
}

export interface LoadModelOptions {
  /** Run the loaded model on this backend instead of the one it was saved from. */
  backend?: Backend;
}

/** Writes the model's weights and configuration to `path` (atomically); refuses non-finite weights. */
export async function saveModel(model: CheckpointModel, path: string): Promise<void> {
  const api = 'saveModel';
  checkPath(api, path);
  const { tensors, metadata } = modelPayload(api, model, MODEL_FORMAT);
  requireFiniteForSave(api, path, [{ holder: "the model's parameters", data: model.parameters, entries: model.layout.entries }]);
  await saveSafetensors(tensors, path, { metadata });
}

/** Reads a checkpoint written by saveModel (or Trainer#save) and rebuilds the model it describes. */
export async function loadModel(path: string, options?: LoadModelOptions): Promise<CheckpointModel> {
  const api = 'loadModel';
  checkPath(api, path);
  const opts = resolveLoadOptions(api, options);
  const contents = await readCheckpoint(api, path);
  return modelFromContents(api, `"${path}"`, contents, opts);
}

// ---- shared with the trainer's checkpoints ---------------------------------------------------------------

export function checkPath(api: string, path: unknown): asserts path is string {
  if (typeof path !== 'string') throw argumentError(TypeError, api, 'path', 'a file path string', path);
  if (path.length === 0) throw argumentError(RangeError, api, 'path', 'a non-empty file path', path);
}

export function resolveLoadOptions(api: string, options: unknown): LoadModelOptions {
  const o = expectOptions(api, options, ['backend']);
  return { backend: o.backend === undefined ? undefined : expectBackend(api, 'options.backend', o.backend) };
}

/** The tensors (ncps names, copies) and metadata of a model checkpoint; `format` names the file kind. */
export function modelPayload(api: string, model: unknown, format: string): { tensors: Record<string, SafetensorsInput>; metadata: Record<string, string> } {
  if (!(model instanceof LTC) && !(model instanceof CfC)) throw argumentError(TypeError, api, 'model', 'an LTC or CfC model', model);
  const config = modelConfig(model);
  return {
    tensors: model.stateDict(),
    metadata: { format, formatVersion: String(FORMAT_VERSION), kind: config.kind, config: JSON.stringify(config) },
  };
}

export function modelConfig(model: CheckpointModel): ModelConfig {
  const common = { returnSequences: model.returnSequences, batchFirst: model.batchFirst, mixedMemory: model.hasMixedMemory, dtype: model.dtype, backend: model.backend };
  if (model instanceof LTC) {
    return {
      kind: 'LTC',
      inputSize: model.inputSize,
      wiring: model.wiring.toJSON(),
      options: {
        ...common,
        inputMapping: model.inputMapping,
        outputMapping: model.outputMapping,
        odeUnfolds: model.odeUnfolds,
        epsilon: model.epsilon,
        implicitParamConstraints: model.implicitParamConstraints,
      },
    };
  }
  const options: Record<string, unknown> = { ...common, mode: model.mode, activation: model.activation };
  // A wired CfC refuses backbone options (it has no backbone), so they are stored only without a wiring.
  if (!model.wiring) Object.assign(options, { backboneUnits: model.backboneUnits, backboneLayers: model.backboneLayers, backboneDropout: model.backboneDropout });
  if (model.projSize !== undefined) options.projSize = model.projSize;
  return model.wiring
    ? { kind: 'CfC', inputSize: model.inputSize, wiring: model.wiring.toJSON(), options }
    : { kind: 'CfC', inputSize: model.inputSize, units: model.units, options };
}

/** loadSafetensors, with its errors restated under `api` (the caller's name is what the user called). */
export async function readCheckpoint(api: string, path: string): Promise<SafetensorsContents> {
  try {
    return await loadSafetensors(path);
  } catch (error) {
    if (error instanceof CheckpointError) throw new CheckpointError(error.message.replace(/^loadSafetensors: /, `${api}: `), { cause: error });
    throw error;
  }
}

/** Builds the model a checkpoint's metadata describes and fills it with the checkpoint's tensors. */
export function modelFromContents(api: string, source: string, contents: SafetensorsContents, options: LoadModelOptions = {}): CheckpointModel {
  const fail = (problem: string): never => {
    throw new CheckpointError(`${api}: ${source} ${problem}.`);
  };
  const { metadata } = contents;
  if (metadata.format === undefined) {
    fail('is not an ncp-silicon checkpoint: its safetensors __metadata__ has no "format" entry (weights saved by Python ncps load with loadSafetensors and fromNcps)');
  }
  if (metadata.format !== MODEL_FORMAT && metadata.format !== TRAINER_FORMAT) {
    fail(`is not an ncp-silicon checkpoint: __metadata__.format is ${JSON.stringify(metadata.format)}, expected "${MODEL_FORMAT}" or "${TRAINER_FORMAT}"`);
  }
  if (metadata.formatVersion !== String(FORMAT_VERSION)) {
    fail(`has checkpoint format version ${JSON.stringify(metadata.formatVersion)}; this version of ncp-silicon reads version ${FORMAT_VERSION}`);
  }
  let config: ModelConfig;
  try {
    config = JSON.parse(metadata.config ?? 'null') as ModelConfig;
  } catch {
    return fail('has a __metadata__.config that is not valid JSON');
  }
  if (typeof config !== 'object' || config === null || (config.kind !== 'LTC' && config.kind !== 'CfC') || typeof config.options !== 'object' || config.options === null) {
    fail('has no model configuration: __metadata__.config must be a JSON object {kind: "LTC" | "CfC", inputSize, units | wiring, options}');
  }
  if (metadata.kind !== undefined && metadata.kind !== config.kind) fail(`says kind ${JSON.stringify(metadata.kind)} but its config says ${JSON.stringify(config.kind)}`);
  const what = `the ${describeConfig(config)} its config describes`;
  // Before anything is built: every size the config claims must match a stored tensor's shape.
  checkConfigAgainstTensors(config, contents, metadata.format === TRAINER_FORMAT ? TRAINER_TENSOR_PREFIX : undefined, what, fail);
  let model: CheckpointModel;
  try {
    model = buildModel(config, options);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) return fail(`has a config that does not describe a valid model (${error.message.replace(/\.$/, '')})`);
    throw error;
  }
  fillModel(api, source, model, contents, what);
  return model;
}

/** Checks every tensor of the checkpoint against `model`'s layout and copies them in. */
export function fillModel(api: string, source: string, model: SequenceModel, contents: SafetensorsContents, what: string): void {
  const fail = (problem: string): never => {
    throw new CheckpointError(`${api}: ${source} ${problem}.`);
  };
  const expectedType = model.dtype === 'float64' ? 'F64' : 'F32';
  const known = new Set(model.layout.entries.map((e) => e.name));
  for (const name of Object.keys(contents.tensors)) {
    if (!known.has(name) && !name.startsWith(TRAINER_TENSOR_PREFIX)) fail(`holds tensor "${name}", which ${what} does not have`);
  }
  for (const e of model.layout.entries) {
    const t = contents.tensors[e.name];
    if (t === undefined) fail(`has no tensor "${e.name}", which ${what} needs`);
    if (t.dtype !== expectedType) fail(`stores tensor "${e.name}" as ${t.dtype}, but ${what} is ${model.dtype} (${expectedType})`);
    if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      fail(`has tensor "${e.name}" of shape [${t.shape.join(', ')}], but ${what} needs shape [${e.shape.join(', ')}]`);
    }
  }
  // The model was built from its wiring, so its masks are |adjacency|; the stored ones must be exactly that.
  const mismatch = findMaskMismatch(model.layout.entries, model.parameters, (name) => contents.tensors[name].data as Float32Array | Float64Array);
  if (mismatch) fail(`has tensor "${mismatch.name}" that is not the sparsity mask of the wiring of ${what} (${MASK_RULE}): ${describeMaskMismatch(mismatch)}`);
  for (const e of model.layout.entries) model.parameters.set(contents.tensors[e.name].data as Float32Array | Float64Array, e.offset);
  model.markParametersChanged();
}

/**
 * Refuses a checkpoint whose config differs from `model`'s (the backend aside): same tensor shapes are not
 * enough, since e.g. odeUnfolds or the CfC mode change the function the weights compute.
 */
export function checkSameModel(api: string, source: string, model: SequenceModel, contents: SafetensorsContents): void {
  if (!(model instanceof LTC) && !(model instanceof CfC)) return;
  let stored: unknown;
  try {
    stored = JSON.parse(contents.metadata.config ?? 'null');
  } catch {
    stored = undefined;
  }
  const withoutBackend = (c: unknown) => {
    const { options, ...rest } = (c ?? {}) as { options?: Record<string, unknown> };
    const { backend: _backend, ...others } = options ?? {};
    return JSON.stringify({ ...rest, options: others });
  };
  if (withoutBackend(stored) !== withoutBackend(modelConfig(model))) {
    const theirs = typeof stored === 'object' && stored !== null ? describeConfig(stored as ModelConfig) : 'no valid model config';
    throw new CheckpointError(
      `${api}: ${source} was saved from a different model than this one: it holds ${theirs}, this model is ${describeConfig(modelConfig(model))} (or they differ in other options; stored config: ${contents.metadata.config})`,
    );
  }
}

/** "LTC (16 inputs, AutoNCP wiring of 64 units)". */
export function describeConfig(config: ModelConfig): string {
  const size = config.wiring ? `${config.wiring.kind ?? 'Wiring'} wiring of ${config.wiring.units} units` : `${config.units} units`;
  return `${config.kind} (${config.inputSize} inputs, ${size})`;
}

function buildModel(config: ModelConfig, overrides: LoadModelOptions): CheckpointModel {
  if (typeof config.inputSize !== 'number') throw argumentError(TypeError, 'config', 'inputSize', 'a positive integer', config.inputSize);
  const unitsOrWiring = config.wiring !== undefined ? Wiring.fromJSON(config.wiring) : config.units;
  const options = { ...config.options, ...(overrides.backend ? { backend: overrides.backend } : {}) };
  return config.kind === 'LTC'
    ? new LTC(config.inputSize, unitsOrWiring as number | Wiring, options)
    : new CfC(config.inputSize, unitsOrWiring as number | Wiring, options);
}
