/**
 * LTC: the liquid time-constant network of ncps (SPEC.md §2, §4). Parameters are initialised with ncps's
 * distributions (`_init_ranges` in ncps/torch/ltc_cell.py) from our own seeded generator.
 */
import { expectBoolean, expectInteger, expectNumber, expectOneOf, expectOptions } from '../validate.js';
import type { CellSpec } from '../backend/cell-spec.js';
import { ltcParamSpecs, lstmParamSpecs } from '../backend/ncps-names.js';
import type { Wiring } from '../wiring/index.js';
import { expectSize } from '../limits.js';
import { COMMON_OPTION_KEYS, resolveCommonOptions, resolveWiring, sequenceOptions, wiringShape, type CommonModelOptions } from './common-options.js';
import { initLstm } from './init.js';
import { InitRng } from './init-rng.js';
import { buildParamLayout, checkParameterBytes } from '../backend/param-layout.js';
import { arrayTypeOf } from './tensor.js';
import { SequenceModel, type ParameterConstraints, type StepWork } from './sequence-model.js';

export interface LTCOptions extends CommonModelOptions {
  /** 'affine' (default): x·input_w + input_b; 'linear': x·input_w; 'none': x. */
  inputMapping?: 'affine' | 'linear' | 'none';
  /** Same choices for the motor outputs. */
  outputMapping?: 'affine' | 'linear' | 'none';
  /** ODE solver unfolds per step (default 6). */
  odeUnfolds?: number;
  /** Added to the denominator (default 1e-8). */
  epsilon?: number;
  /** Softplus on w, sensory_w, cm, gleak (default true); false: identity, and the trainer clips them at 0. */
  implicitParamConstraints?: boolean;
}

const LTC_OPTION_KEYS = [...COMMON_OPTION_KEYS, 'inputMapping', 'outputMapping', 'odeUnfolds', 'epsilon', 'implicitParamConstraints'];
const MAPPINGS = ['affine', 'linear', 'none'] as const;
/** The parameters f (softplus) keeps positive; clipped instead when implicitParamConstraints is false. */
const LTC_NON_NEGATIVE = ['w', 'sensory_w', 'cm', 'gleak'];

/** ncps's initial ranges, U[low, high) (ncps/torch/ltc_cell.py, `_init_ranges`). */
const INIT_RANGES = {
  gleak: [0.001, 1.0],
  vleak: [-0.2, 0.2],
  cm: [0.4, 0.6],
  w: [0.001, 1.0],
  sigma: [3, 8],
  mu: [0.3, 0.8],
  sensory_w: [0.001, 1.0],
  sensory_sigma: [3, 8],
  sensory_mu: [0.3, 0.8],
} as const;

export class LTC extends SequenceModel {
  readonly wiring: Wiring;
  readonly odeUnfolds: number;
  readonly epsilon: number;
  readonly inputMapping: 'affine' | 'linear' | 'none';
  readonly outputMapping: 'affine' | 'linear' | 'none';
  readonly implicitParamConstraints: boolean;

  constructor(inputSize: number, unitsOrWiring: number | Wiring, options?: LTCOptions) {
    const api = 'LTC';
    expectSize(api, 'inputSize', inputSize, 'maxInputs');
    const opts = expectOptions(api, options, LTC_OPTION_KEYS);
    const common = resolveCommonOptions(api, opts);
    const shape = wiringShape(api, inputSize, unitsOrWiring);
    const inputMapping = opts.inputMapping === undefined ? 'affine' : expectOneOf(api, 'options.inputMapping', opts.inputMapping, MAPPINGS);
    const outputMapping = opts.outputMapping === undefined ? 'affine' : expectOneOf(api, 'options.outputMapping', opts.outputMapping, MAPPINGS);
    const odeUnfolds = opts.odeUnfolds === undefined ? 6 : expectInteger(api, 'options.odeUnfolds', opts.odeUnfolds, { min: 1, max: 1000 });
    const epsilon = opts.epsilon === undefined ? 1e-8 : expectNumber(api, 'options.epsilon', opts.epsilon, { min: 0 });
    const implicit = opts.implicitParamConstraints === undefined ? true : expectBoolean(api, 'options.implicitParamConstraints', opts.implicitParamConstraints);
    const N = shape.units;
    const M = shape.outputDim;
    const S = inputSize;
    const specs = ltcParamSpecs(S, N, M, inputMapping, outputMapping);
    if (common.mixedMemory) specs.push(...lstmParamSpecs(S, N));
    const layout = buildParamLayout(specs);
    // Before the wiring is drawn: a FullyConnected(N) alone is N² draws.
    checkParameterBytes(api, layout, arrayTypeOf(common.dtype).BYTES_PER_ELEMENT, `inputSize ${S}, units ${N}, ${common.dtype}`);
    const wiring = resolveWiring(api, inputSize, unitsOrWiring, true)!;
    super({
      api,
      ...sequenceOptions(common),
      inputSize: S,
      stateSize: N,
      outputSize: M,
      layout,
    });
    this.wiring = wiring;
    this.odeUnfolds = odeUnfolds;
    this.epsilon = epsilon;
    this.inputMapping = inputMapping;
    this.outputMapping = outputMapping;
    this.implicitParamConstraints = implicit;
    this.initialise(common.seed);
    this.initBackend();
  }

  private initialise(seed: number): void {
    const rng = new InitRng(seed);
    const params = this.namedParameters();
    const set = (name: string, fill: (i: number) => number): void => {
      const t = params[`rnn_cell.${name}`];
      if (t) for (let i = 0; i < t.data.length; i++) t.data[i] = fill(i);
    };
    for (const [name, [low, high]] of Object.entries(INIT_RANGES)) set(name, () => rng.uniform(low, high));
    const adjacency = this.wiring.adjacencyMatrix;
    const sensory = this.wiring.sensoryAdjacencyMatrix;
    const N = this.stateSize;
    set('erev', (i) => adjacency.get(Math.floor(i / N), i % N));
    set('sparsity_mask', (i) => Math.abs(adjacency.get(Math.floor(i / N), i % N)));
    set('sensory_erev', (i) => sensory.get(Math.floor(i / N), i % N));
    set('sensory_sparsity_mask', (i) => Math.abs(sensory.get(Math.floor(i / N), i % N)));
    set('input_w', () => 1);
    set('input_b', () => 0);
    set('output_w', () => 1);
    set('output_b', () => 0);
    if (this.hasMixedMemory) initLstm(rng, params, this.inputSize, N);
    this.markParametersChanged();
  }

  protected cellSummary() {
    const f = this.implicitParamConstraints ? 'softplus on w, sensory_w, cm, gleak' : 'no softplus (clipped at 0 in training)';
    return {
      kind: 'LTC' as const,
      cell: `liquid time-constant cell, ${this.odeUnfolds} ODE unfolds per step, ${f}`,
      options: { inputMapping: this.inputMapping, outputMapping: this.outputMapping, odeUnfolds: this.odeUnfolds, epsilon: this.epsilon, implicitParamConstraints: this.implicitParamConstraints },
      wiring: this.wiring,
    };
  }

  protected cellSpec(): { cell: CellSpec; projSize: number } {
    const cell: CellSpec = {
      kind: 'ltc',
      inputSize: this.inputSize,
      units: this.stateSize,
      motorSize: this.outputSize,
      odeUnfolds: this.odeUnfolds,
      epsilon: this.epsilon,
      inputMapping: this.inputMapping,
      outputMapping: this.outputMapping,
      implicitParamConstraints: this.implicitParamConstraints,
    };
    return { cell, projSize: 0 };
  }

  /** Without its softplus (implicitParamConstraints false) ncps clips w, sensory_w, cm and gleak at 0 after every step. */
  override parameterConstraints(): ParameterConstraints {
    if (this.implicitParamConstraints) return { nonNegative: [] };
    const names = new Set(LTC_NON_NEGATIVE.map((n) => `rnn_cell.${n}`));
    return { nonNegative: this.layout.entries.filter((e) => names.has(e.name)).map(({ name, offset, size }) => ({ name, offset, size })) };
  }

  /** native/core/ltc.{h,cpp}: two lane vectors per unfold on the tape; scratch ~7 slots per synapse (all counted). */
  protected stepWork(): StepWork {
    const S = this.inputSize;
    const N = this.stateSize;
    const lanes = Math.ceil(N / 8) * 8;
    return { tape: 2 * this.odeUnfolds * lanes, scratch: 7 * (N * N + S * N) + 24 * lanes + 2 * S };
  }
}
