/**
 * NcpCell: an LTC or CfC cell (every option, wirings and mixed memory included) as a `tf.layers` RNN cell, and
 * NcpRNN, the `tf.layers.RNN` that runs it. The cell is described by the same ModelConfig a checkpoint stores
 * (io/checkpoint.ts), so it serialises with tfjs's `model.save()` and converts back with fromTfjs.
 *
 * Per-step elapsed time: with `timespans: true` the cell reads Δ from the last input feature (inputs are
 * S + 1 wide); otherwise Δ = 1, as the native models without timespans.
 */
import * as tf from '@tensorflow/tfjs';
import { argumentError, argumentErrorRendered } from '../errors.js';
import { expectBoolean, expectOptions } from '../validate.js';
import { LTC } from '../models/ltc.js';
import { CfC } from '../models/cfc.js';
import { modelConfig, type CheckpointModel, type ModelConfig } from '../io/checkpoint.js';
import { backboneLinearIndex } from '../backend/ncps-names.js';
import { Wiring } from '../wiring/index.js';
import { cellStep, linear, lstmStep, type CellMath, type ParamTensors } from './ops.js';

export interface NcpCellArgs {
  /** The model to mirror: an LTC / CfC (its weights are copied) or its ModelConfig (weights from its seed). */
  model: CheckpointModel | ModelConfig;
  /** Read the elapsed time Δ from the last input feature (default false: Δ = 1). */
  timespans?: boolean;
  name?: string;
  trainable?: boolean;
}

const API = 'NcpCell';

/** A float32 twin on the reference backend: the parameter layout, the cell options and initial weights. */
function templateOf(config: ModelConfig): CheckpointModel {
  const unitsOrWiring = config.wiring !== undefined ? Wiring.fromJSON(config.wiring) : config.units;
  if (typeof unitsOrWiring !== 'number' && !(unitsOrWiring instanceof Wiring)) {
    throw argumentError(TypeError, API, 'args.model', 'a ModelConfig with units or a wiring', config);
  }
  const options = { ...config.options, dtype: 'float32' as const, backend: 'reference' as const };
  if (config.kind === 'LTC') return new LTC(config.inputSize, unitsOrWiring, options);
  if (config.kind === 'CfC') return new CfC(config.inputSize, unitsOrWiring, options);
  throw argumentError(TypeError, API, 'args.model.kind', "'LTC' or 'CfC'", config.kind);
}

function mathOf(model: CheckpointModel): CellMath {
  if (model instanceof LTC) {
    return {
      kind: 'ltc',
      motors: model.wiring.outputDim,
      unfolds: model.odeUnfolds,
      epsilon: model.epsilon,
      inputMapping: model.inputMapping,
      outputMapping: model.outputMapping,
      implicitParamConstraints: model.implicitParamConstraints,
    };
  }
  if (model.layerSizes) return { kind: 'wired_cfc', mode: model.mode, layerSizes: model.layerSizes };
  const backboneIndices = Array.from({ length: model.backboneLayers }, (_, l) => backboneLinearIndex(l, model.backboneDropout));
  return { kind: 'cfc', mode: model.mode, activation: model.activation, backboneLayers: model.backboneLayers, backboneDropout: model.backboneDropout, backboneIndices };
}

export class NcpCell extends tf.layers.RNNCell {
  static className = 'NcpCell';
  /** [N] or [N, N] with mixed memory (h, then the LSTM's c). */
  readonly stateSize: number[];
  /** Features per step the cell reads: the model's inputs, plus one for Δ with `timespans`. */
  readonly inputFeatures: number;
  /** Features per step the cell returns (after the projection, if any). */
  readonly outputSize: number;
  readonly modelConfig: ModelConfig;
  readonly timespans: boolean;
  private readonly template: CheckpointModel;
  private readonly math: CellMath;
  private readonly variables: Record<string, tf.LayerVariable> = {};

  constructor(args: NcpCellArgs) {
    // name, trainable and dtype are what tfjs's Layer.getConfig adds (dtype is always float32 here).
    const opts = expectOptions(API, args, ['model', 'timespans', 'name', 'trainable', 'dtype']);
    super({ name: opts.name as string | undefined, trainable: opts.trainable as boolean | undefined, dtype: 'float32' });
    const model = opts.model;
    const isModel = model instanceof LTC || model instanceof CfC;
    if (!isModel && (typeof model !== 'object' || model === null)) throw argumentError(TypeError, API, 'args.model', 'an LTC, a CfC or a ModelConfig', model);
    this.modelConfig = isModel ? modelConfig(model) : (model as ModelConfig);
    this.template = templateOf(this.modelConfig);
    if (isModel) this.template.loadStateDict(model.stateDict());
    this.timespans = opts.timespans === undefined ? false : expectBoolean(API, 'args.timespans', opts.timespans);
    this.math = mathOf(this.template);
    const N = this.template.stateSize;
    this.stateSize = this.template.hasMixedMemory ? [N, N] : [N];
    this.inputFeatures = this.template.inputSize + (this.timespans ? 1 : 0);
    this.outputSize = this.template.outputSize;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const features = shape[shape.length - 1];
    if (features !== this.inputFeatures) {
      const why = this.timespans ? `${this.template.inputSize} input features + 1 for the elapsed time` : `${this.template.inputSize} input features`;
      throw argumentErrorRendered(RangeError, `${API}.build`, 'inputShape', `a last dimension of ${this.inputFeatures} (${why})`, `[${shape.join(', ')}]`);
    }
    if (this.built) return; // tfjs's RNN.build builds its cell again
    const params = this.template.namedParameters();
    for (const e of this.template.layout.entries) {
      const variable = this.addWeight(e.name, e.shape, 'float32', tf.initializers.zeros(), undefined, e.trainable);
      variable.write(tf.tensor(Float32Array.from(params[e.name].data), e.shape));
      this.variables[e.name] = variable;
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor[] {
    return tf.tidy(() => {
      const [input, h, c] = inputs as tf.Tensor2D[];
      const p: ParamTensors = {};
      for (const [name, variable] of Object.entries(this.variables)) p[name] = variable.read();
      const S = this.template.inputSize;
      const x = this.timespans ? tf.slice(input, [0, 0], [-1, S]) : input;
      const dt = this.timespans ? tf.slice(input, [0, S], [-1, 1]) : tf.onesLike(tf.slice(input, [0, 0], [-1, 1]));
      let hCell = h;
      let cNext: tf.Tensor2D | undefined;
      if (this.template.hasMixedMemory) [hCell, cNext] = lstmStep(p, x, h, c);
      const [y, hNext] = cellStep(this.math, p, x, hCell, dt, kwargs?.training === true);
      const out = 'fc.weight' in p ? linear(y, p['fc.weight'], p['fc.bias']) : y;
      return cNext ? [out, hNext, cNext] : [out, hNext];
    });
  }

  /** The cell's tfjs variables keyed by ncps name (to map tf.variableGrads results back); empty until built. */
  namedWeights(): Record<string, tf.LayerVariable> {
    return { ...this.variables };
  }

  /** Copies of the weights, keyed by ncps name (float32), as `model.stateDict()` gives them. */
  stateDict(): Record<string, { data: Float32Array; shape: number[] }> {
    if (!this.built) return this.template.stateDict() as Record<string, { data: Float32Array; shape: number[] }>;
    const out: Record<string, { data: Float32Array; shape: number[] }> = {};
    for (const [name, variable] of Object.entries(this.variables)) out[name] = { data: variable.read().dataSync() as Float32Array, shape: [...(variable.shape as number[])] };
    return out;
  }

  /** Writes weights keyed by ncps name (any float array); every weight of the cell must be given. */
  loadStateDict(dict: Record<string, { data: ArrayLike<number>; shape: number[] }>): void {
    this.template.loadStateDict(dict); // validates names and shapes; an unbuilt cell builds from the template
    if (!this.built) return;
    const params = this.template.namedParameters();
    for (const [name, variable] of Object.entries(this.variables)) variable.write(tf.tensor(Float32Array.from(params[name].data), variable.shape as number[]));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), modelJsonHex: encodeModelConfig(this.modelConfig), timespans: this.timespans };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    const { modelJsonHex, ...rest } = config;
    return new cls({ ...rest, model: decodeModelConfig(modelJsonHex) });
  }
}

/**
 * tfjs snake-cases and lower-cases every string of a layer config when it saves a model ('AutoNCP' comes back
 * as 'autoNcp'), so the ModelConfig travels as the hex digits of its JSON, which that conversion leaves alone.
 */
function encodeModelConfig(config: ModelConfig): string {
  // TextEncoder rather than Buffer: the layers also run in browsers.
  return Array.from(new TextEncoder().encode(JSON.stringify(config)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function decodeModelConfig(hex: unknown): ModelConfig {
  if (typeof hex !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(hex)) throw argumentError(TypeError, `${API}.fromConfig`, 'config.modelJsonHex', 'the hex-encoded JSON of a ModelConfig', hex);
  const bytes = Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  return JSON.parse(new TextDecoder().decode(bytes)) as ModelConfig;
}

/** tf.layers.RNN over an NcpCell, whose output width is the cell's outputSize (tfjs's RNN assumes the state size). */
export class NcpRNN extends tf.RNN {
  static override className = 'NcpRNN';

  /** tfjs's RNN.getConfig merges the cell's config into a subclass's own; rebuild the cell from it. */
  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    const { modelJsonHex, timespans, ...layerConfig } = config;
    const cell = new NcpCell({ model: decodeModelConfig(modelJsonHex), timespans: timespans as boolean });
    return new cls({ ...layerConfig, cell });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const shape = super.computeOutputShape(inputShape);
    const cell = this.cell as NcpCell;
    const fix = (s: tf.Shape): tf.Shape => [...s.slice(0, -1), cell.outputSize];
    if (this.returnState) {
      const [out, ...states] = shape as tf.Shape[];
      return [fix(out), ...states];
    }
    return fix(shape as tf.Shape);
  }
}

tf.serialization.registerClass(NcpCell);
tf.serialization.registerClass(NcpRNN);
