/**
 * CfC: closed-form continuous-time networks (SPEC.md §3–4), fully connected with a backbone, or wired
 * (one CfC cell per wiring layer). Initialised as ncps does: PyTorch Linear defaults, then Xavier-uniform on
 * every 2-D trainable parameter (ncps/torch/cfc_cell.py, init_weights).
 */
import { argumentError } from '../errors.js';
import { expectNumber, expectOneOf, expectOptions } from '../validate.js';
import type { CfcActivation, CfcMode } from '../backend/reference/cfc-cell.js';
import type { CellSpec } from '../backend/cell-spec.js';
import { cfcParamSpecs, lstmParamSpecs, projectionParamSpecs, wiredCfcParamSpecs } from '../backend/ncps-names.js';
import type { Wiring } from '../wiring/index.js';
import { expectSize } from '../limits.js';
import { COMMON_OPTION_KEYS, resolveCommonOptions, resolveWiring, sequenceOptions, wiringShape, type CommonModelOptions } from './common-options.js';
import { initLinearDefault, initLstm } from './init.js';
import { InitRng, xavierUniform } from './init-rng.js';
import { buildParamLayout, checkParameterBytes, type ParamSpec } from '../backend/param-layout.js';
import { arrayTypeOf } from './tensor.js';
import { SequenceModel, type StepWork } from './sequence-model.js';

export interface CfCOptions extends CommonModelOptions {
  /** 'default' (gated), 'no_gate' or 'pure' (closed-form solution only). */
  mode?: CfcMode;
  /** Backbone activation: 'lecun_tanh' (default), 'tanh', 'relu', 'gelu', 'silu'. */
  activation?: CfcActivation;
  /** Backbone width (default 128; not with a wiring). */
  backboneUnits?: number;
  /** Backbone depth (default 1; not with a wiring). */
  backboneLayers?: number;
  /** Dropout after backbone layers 2+ during training (default 0; not with a wiring). */
  backboneDropout?: number;
  /** Adds a Linear(outputs → projSize) on every output. */
  projSize?: number;
}

const CFC_OPTION_KEYS = [...COMMON_OPTION_KEYS, 'mode', 'activation', 'backboneUnits', 'backboneLayers', 'backboneDropout', 'projSize'];
const MODES: readonly CfcMode[] = ['default', 'no_gate', 'pure'];
const ACTIVATIONS: readonly CfcActivation[] = ['lecun_tanh', 'tanh', 'relu', 'gelu', 'silu'];

export class CfC extends SequenceModel {
  /** The wiring, for a wired CfC. */
  readonly wiring: Wiring | undefined;
  readonly units: number;
  readonly mode: CfcMode;
  readonly activation: CfcActivation;
  readonly backboneUnits: number;
  readonly backboneLayers: number;
  readonly backboneDropout: number;
  readonly projSize: number | undefined;
  /** Neurons per wiring layer (wired CfC). */
  readonly layerSizes: number[] | undefined;

  constructor(inputSize: number, unitsOrWiring: number | Wiring, options?: CfCOptions) {
    const api = 'CfC';
    expectSize(api, 'inputSize', inputSize, 'maxInputs');
    const opts = expectOptions(api, options, CFC_OPTION_KEYS);
    const common = resolveCommonOptions(api, opts);
    const shape = wiringShape(api, inputSize, unitsOrWiring);
    if (shape.layerSizes) {
      for (const key of ['backboneUnits', 'backboneLayers', 'backboneDropout'] as const) {
        if (opts[key] !== undefined) {
          throw argumentError(TypeError, api, `options.${key}`, 'no backbone option with a wiring (a wired CfC has no backbone)', opts[key]);
        }
      }
    }
    const mode = opts.mode === undefined ? 'default' : expectOneOf(api, 'options.mode', opts.mode, MODES);
    const activation = opts.activation === undefined ? 'lecun_tanh' : expectOneOf(api, 'options.activation', opts.activation, ACTIVATIONS);
    const backboneUnits = opts.backboneUnits === undefined ? 128 : expectSize(api, 'options.backboneUnits', opts.backboneUnits, 'maxBackboneUnits');
    const backboneLayers = opts.backboneLayers === undefined ? 1 : expectSize(api, 'options.backboneLayers', opts.backboneLayers, 'maxBackboneLayers', 0);
    const backboneDropout = opts.backboneDropout === undefined ? 0 : expectNumber(api, 'options.backboneDropout', opts.backboneDropout, { min: 0, lessThan: 1 });
    const projSize = opts.projSize === undefined ? undefined : expectSize(api, 'options.projSize', opts.projSize, 'maxProjSize');

    const S = inputSize;
    const pure = mode === 'pure';
    let N: number;
    let outputs: number;
    let layerSizes: number[] | undefined;
    const specs: ParamSpec[] = [];
    if (shape.layerSizes) {
      N = shape.units;
      layerSizes = shape.layerSizes;
      outputs = layerSizes[layerSizes.length - 1];
      specs.push(...wiredCfcParamSpecs(S, layerSizes, pure));
    } else {
      N = shape.units;
      outputs = N;
      specs.push(...cfcParamSpecs(S, N, pure, backboneUnits, backboneLayers, backboneDropout));
    }
    if (common.mixedMemory) specs.push(...lstmParamSpecs(S, N));
    if (projSize !== undefined) specs.push(...projectionParamSpecs(outputs, projSize));
    const layout = buildParamLayout(specs);
    const sizes = shape.layerSizes ? `inputSize ${S}, units ${N}` : `inputSize ${S}, units ${N}, backboneUnits ${backboneUnits}, backboneLayers ${backboneLayers}`;
    checkParameterBytes(api, layout, arrayTypeOf(common.dtype).BYTES_PER_ELEMENT, `${sizes}${projSize === undefined ? '' : `, projSize ${projSize}`}, ${common.dtype}`);
    const wiring = resolveWiring(api, inputSize, unitsOrWiring, false);
    super({
      api,
      ...sequenceOptions(common),
      inputSize: S,
      stateSize: N,
      outputSize: projSize ?? outputs,
      layout,
    });
    this.wiring = wiring;
    this.units = N;
    this.mode = mode;
    this.activation = activation;
    this.backboneUnits = wiring ? 0 : backboneUnits;
    this.backboneLayers = wiring ? 0 : backboneLayers;
    this.backboneDropout = wiring ? 0 : backboneDropout;
    this.projSize = projSize;
    this.layerSizes = layerSizes;
    this.initialise(common.seed);
    this.initBackend();
  }

  private initialise(seed: number): void {
    const rng = new InitRng(seed);
    const params = this.namedParameters();
    // Cell: PyTorch Linear defaults, then Xavier on every 2-D trainable tensor (w_tau and A included).
    for (const e of this.layout.entries) {
      if (!e.name.startsWith('rnn_cell.') || !e.trainable) continue;
      if (e.shape.length === 2) params[e.name].data.set(xavierUniform(rng, e.shape[0], e.shape[1]));
      else if (e.name.endsWith('.bias')) {
        const fanIn = params[e.name.replace(/\.bias$/, '.weight')].shape[1];
        const bound = 1 / Math.sqrt(fanIn);
        const data = params[e.name].data;
        for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-bound, bound);
      }
    }
    if (this.wiring && this.layerSizes) this.fillWiredMasks(params);
    if (this.hasMixedMemory) initLstm(rng, params, this.inputSize, this.units);
    if (this.projSize !== undefined) initLinearDefault(rng, params, 'fc');
    this.markParametersChanged();
  }

  /** mask_l = |polarities of the synapses into layer l| transposed, plus an all-ones recurrent block (SPEC §3). */
  private fillWiredMasks(params: Record<string, { data: Float32Array | Float64Array; shape: number[] }>): void {
    const wiring = this.wiring!;
    const layers = wiring.layers;
    layers.forEach((neurons, l) => {
      const mask = params[`rnn_cell.layer_${l}.sparsity_mask`];
      const inputs = l === 0 ? this.inputSize : layers[l - 1].length;
      const width = inputs + neurons.length;
      neurons.forEach((dest, j) => {
        for (let i = 0; i < width; i++) {
          let value = 1;
          if (i < inputs) {
            value = l === 0 ? Math.abs(wiring.sensoryAdjacencyMatrix.get(i, dest)) : Math.abs(wiring.adjacencyMatrix.get(layers[l - 1][i], dest));
          }
          mask.data[j * width + i] = value;
        }
      });
    });
  }

  protected cellSummary() {
    const options: Record<string, string | number | boolean> = { mode: this.mode };
    let cell: string;
    if (this.layerSizes) {
      cell = `wired closed-form continuous-time cell (${this.mode} mode), one CfC head per wiring layer [${this.layerSizes.join(', ')}], no backbone`;
    } else {
      Object.assign(options, { activation: this.activation, backboneUnits: this.backboneUnits, backboneLayers: this.backboneLayers, backboneDropout: this.backboneDropout });
      const backbone = this.backboneLayers > 0 ? `${this.backboneLayers}×${this.backboneUnits} ${this.activation} backbone` : 'no backbone';
      cell = `closed-form continuous-time cell (${this.mode} mode), ${backbone}`;
    }
    if (this.projSize !== undefined) {
      options.projSize = this.projSize;
      cell += `, projection to ${this.projSize}`;
    }
    return { kind: 'CfC' as const, cell, options, wiring: this.wiring };
  }

  protected cellSpec(): { cell: CellSpec; projSize: number } {
    const projSize = this.projSize ?? 0;
    if (this.layerSizes) return { cell: { kind: 'wired_cfc', inputSize: this.inputSize, mode: this.mode, layerSizes: this.layerSizes }, projSize };
    const { inputSize, units, mode, activation, backboneUnits, backboneLayers, backboneDropout } = this;
    return { cell: { kind: 'cfc', inputSize, units, mode, activation, backboneUnits, backboneLayers, backboneDropout }, projSize };
  }

  /** Backbone dropout makes a training forward differ from inference. */
  override get trainingUsesDropout(): boolean {
    return this.backboneDropout > 0;
  }

  /** native/core/cfc.cpp and wired_cfc.cpp: backbone pre-activations and the head's 2–4 vectors on the tape. */
  protected stepWork(): StepWork {
    const head = this.mode === 'pure' ? 2 : 4;
    if (this.layerSizes) {
      let inputs = this.inputSize;
      let tape = 0;
      let widest = 0;
      for (const n of this.layerSizes) {
        tape += head * n;
        widest = Math.max(widest, inputs + n);
        inputs = n;
      }
      const units = Math.max(...this.layerSizes);
      return { tape, scratch: 3 * widest + 3 * units + tape };
    }
    const S = this.inputSize;
    const N = this.units;
    const U = this.backboneUnits;
    const layers = this.backboneLayers;
    const tape = layers * U + head * N;
    return { tape, scratch: S + N + U * (1 + 2 * layers) + 2 * N + 2 * Math.max(U, S + N) + tape };
  }
}
