/**
 * The TS reference CfC cells against ncps (fixtures) and against finite differences.
 * A plain per-sample loop in this file plays the sequence runner: loss = Σ outputs², BPTT over time.
 */
import { describe, expect, it } from 'vitest';
import type { ReferenceCell, Vec } from '../../src/backend/reference/cell.js';
import { backboneLinearIndex } from '../../src/backend/ncps-names.js';
import {
  CFC_ACTIVATIONS,
  CFC_MODES,
  dropoutBits,
  dropoutScale,
  ReferenceCfcCell,
  type CfcCellConfig,
  type CfcMode,
} from '../../src/backend/reference/cfc-cell.js';
import { ReferenceWiredCfcCell, type WiredCfcCellConfig } from '../../src/backend/reference/wired-cfc-cell.js';
import { buildParamLayout, type ParamLayout, type ParamSpec } from '../../src/backend/param-layout.js';
import {
  fixtureParams,
  flat,
  loadModelFixture,
  relativeError,
  RUN_NAMES,
  type ModelFixture,
} from '../helpers/fixtures.js';
import { mulberry32 } from '../../src/random/mulberry32.js';

// ---------------------------------------------------------------------------------------------------------
// A minimal sequence runner over one cell

interface SequenceResult {
  outputs: Float64Array; // B × L × O
  hidden: Float64Array; // B × L × H
  finalHidden: Float64Array; // B × H
  loss: number;
  grad: Float64Array;
  gradInput: Float64Array; // B × L × S
  gradTimespans: Float64Array; // B × L
}

function runSequence(
  cell: ReferenceCell,
  paramCount: number,
  input: readonly number[],
  timespans: readonly number[] | null,
  B: number,
  L: number,
): SequenceResult {
  const { inputSize: S, stateSize: H, outputSize: O } = cell;
  const outputs = new Float64Array(B * L * O);
  const hidden = new Float64Array(B * L * H);
  const finalHidden = new Float64Array(B * H);
  const grad = new Float64Array(paramCount);
  const gradInput = new Float64Array(B * L * S);
  const gradTimespans = new Float64Array(B * L);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const states: Vec[] = [new Float64Array(H)];
    const tapes: unknown[] = [];
    const x = (t: number) => input.slice((b * L + t) * S, (b * L + t + 1) * S);
    const dt = (t: number) => (timespans ? timespans[b * L + t] : 1);
    for (let t = 0; t < L; t++) {
      const hNext = new Float64Array(H);
      const y = new Float64Array(O);
      tapes.push(cell.forward(x(t), states[t], dt(t), hNext, y));
      states.push(hNext);
      outputs.set(y, (b * L + t) * O);
      hidden.set(hNext, (b * L + t) * H);
      for (const v of y) loss += v * v;
    }
    finalHidden.set(states[L], b * H);
    let dhNext: Vec = new Float64Array(H);
    for (let t = L - 1; t >= 0; t--) {
      const dy = outputs.slice((b * L + t) * O, (b * L + t + 1) * O).map((v) => 2 * v);
      const dx = new Float64Array(S);
      const dh = new Float64Array(H);
      gradTimespans[b * L + t] = cell.backward(x(t), states[t], dt(t), tapes[t], dhNext, dy, dx, dh, grad);
      gradInput.set(dx, (b * L + t) * S);
      dhNext = dh;
    }
  }
  return { outputs, hidden, finalHidden, loss, grad, gradInput, gradTimespans };
}

// ---------------------------------------------------------------------------------------------------------
// Fixtures

const FC_CASES = ['cfc_fc8_default', 'cfc_fc8_no_gate', 'cfc_fc8_pure'] as const;
const WIRED_CASES = [
  'cfc_wired_autoncp16_4_default',
  'cfc_wired_autoncp16_4_no_gate',
  'cfc_wired_autoncp16_4_pure',
] as const;

function modeOf(name: string): CfcMode {
  if (name.endsWith('no_gate')) return 'no_gate';
  if (name.endsWith('pure')) return 'pure';
  return 'default';
}

function cellFor(name: string, fixture: ModelFixture, params: ArrayLike<number>, layout: ParamLayout): ReferenceCell {
  const S = fixture.input.shape[2];
  if (fixture.wiring) {
    const config: WiredCfcCellConfig = {
      inputSize: S,
      mode: modeOf(name),
      layerSizes: fixture.wiring.layers.map((ids) => ids.length),
    };
    return new ReferenceWiredCfcCell(config, params, layout.offsets);
  }
  const backbone = fixture.parameters.find((p) => p.name === 'rnn_cell.backbone.0.weight')!;
  const config: CfcCellConfig = {
    inputSize: S,
    units: fixture.state_size,
    mode: modeOf(name),
    activation: 'lecun_tanh',
    backboneUnits: backbone.shape[0],
    backboneLayers: 1,
    backboneDropout: 0,
  };
  return new ReferenceCfcCell(config, params, layout.offsets);
}

describe.each([...FC_CASES, ...WIRED_CASES])('reference %s against ncps', (name) => {
  const fixture = loadModelFixture(name);
  const { layout, params } = fixtureParams(fixture, Float64Array);
  const cell = cellFor(name, fixture, params, layout);
  const [B, L] = fixture.input.shape;
  expect(fixture.batch_first).toBe(true);
  expect(fixture.initial_hx).toBeNull();
  const input = flat(fixture.input.values);
  const timespans = flat(fixture.timespans.values);

  it.each(RUN_NAMES)('%s', (runName) => {
    const run = fixture.runs[runName];
    const tol = run.dtype === 'float64' ? 1e-10 : 1e-5;
    const result = runSequence(cell, layout.length, input, run.uses_timespans ? timespans : null, B, L);
    expect(relativeError(result.outputs, flat(run.outputs))).toBeLessThan(tol);
    expect(relativeError(result.finalHidden, flat(run.final_hidden as number[][]))).toBeLessThan(tol);
    expect(relativeError(result.hidden, flat(run.hidden_sequence_BLH))).toBeLessThan(tol);
    expect(Math.abs(result.loss - run.loss_sum_outputs_sq) / Math.abs(run.loss_sum_outputs_sq)).toBeLessThan(tol);
    let checked = 0;
    for (const entry of layout.entries) {
      const expected = run.grad_params[entry.name];
      if (expected === null) {
        expect(entry.trainable).toBe(false);
        expect(entry.name).toMatch(/sparsity_mask$/);
        continue;
      }
      const actual = result.grad.subarray(entry.offset, entry.offset + entry.size);
      expect(relativeError(actual, flat(expected)), entry.name).toBeLessThan(tol);
      checked++;
    }
    expect(checked).toBe(Object.values(run.grad_params).filter((g) => g !== null).length);
    expect(relativeError(result.gradInput, flat(run.grad_input))).toBeLessThan(tol);
    if (run.uses_timespans) {
      expect(relativeError(result.gradTimespans, flat(run.grad_timespans!))).toBeLessThan(tol);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Finite differences on small random cells

function fcSpecs(c: CfcCellConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  const linear = (prefix: string, inF: number, outF: number) => {
    specs.push({ name: `${prefix}.weight`, shape: [outF, inF], trainable: true });
    specs.push({ name: `${prefix}.bias`, shape: [outF], trainable: true });
  };
  const N = c.units;
  if (c.mode === 'pure') {
    specs.push({ name: 'rnn_cell.w_tau', shape: [1, N], trainable: true });
    specs.push({ name: 'rnn_cell.A', shape: [1, N], trainable: true });
  }
  for (let l = 0; l < c.backboneLayers; l++) {
    const inF = l === 0 ? c.inputSize + N : c.backboneUnits;
    linear(`rnn_cell.backbone.${backboneLinearIndex(l, c.backboneDropout)}`, inF, c.backboneUnits);
  }
  const features = c.backboneLayers > 0 ? c.backboneUnits : c.inputSize + N;
  for (const head of c.mode === 'pure' ? ['ff1'] : ['ff1', 'ff2', 'time_a', 'time_b']) {
    linear(`rnn_cell.${head}`, features, N);
  }
  return specs;
}

function wiredSpecs(c: WiredCfcCellConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  let inF = c.inputSize;
  c.layerSizes.forEach((n, l) => {
    const p = `rnn_cell.layer_${l}`;
    specs.push({ name: `${p}.sparsity_mask`, shape: [n, inF + n], trainable: false });
    if (c.mode === 'pure') {
      specs.push({ name: `${p}.w_tau`, shape: [1, n], trainable: true });
      specs.push({ name: `${p}.A`, shape: [1, n], trainable: true });
    }
    for (const head of c.mode === 'pure' ? ['ff1'] : ['ff1', 'ff2', 'time_a', 'time_b']) {
      specs.push({ name: `${p}.${head}.weight`, shape: [n, inF + n], trainable: true });
      specs.push({ name: `${p}.${head}.bias`, shape: [n], trainable: true });
    }
    inF = n;
  });
  return specs;
}

/**
 * Random params (scale ~1 so activations leave their linear range); masks random 0/1 with ~50% zeros in the
 * input block and ones in the recurrent block, as a wiring gives.
 */
function randomParams(layout: ParamLayout, rand: () => number): Float64Array {
  const params = new Float64Array(layout.length);
  for (const e of layout.entries) {
    if (e.name.endsWith('sparsity_mask')) {
      const [n, cols] = e.shape;
      const inF = cols - n;
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < cols; k++) params[e.offset + j * cols + k] = k >= inF || rand() < 0.5 ? 1 : 0;
      }
    } else {
      for (let k = 0; k < e.size; k++) params[e.offset + k] = (rand() * 2 - 1) * 0.9;
    }
  }
  return params;
}

interface StepProbe {
  x: Float64Array;
  h: Float64Array;
  dt: number;
  cHidden: Float64Array;
  cOutput: Float64Array;
}

/** loss = cHidden·h' + cOutput·y for one step. */
function stepLoss(cell: ReferenceCell, probe: StepProbe, key: number): number {
  const hNext = new Float64Array(cell.stateSize);
  const y = new Float64Array(cell.outputSize);
  cell.forward(probe.x, probe.h, probe.dt, hNext, y, key);
  let loss = 0;
  hNext.forEach((v, j) => (loss += v * probe.cHidden[j]));
  y.forEach((v, j) => (loss += v * probe.cOutput[j]));
  return loss;
}

/** Checks every analytic derivative (params, x, h, dt) of one step against central differences. */
function checkGradients(
  make: (params: Float64Array) => ReferenceCell,
  layout: ParamLayout,
  seed: number,
  key = 0,
): void {
  const rand = mulberry32(seed);
  const params = randomParams(layout, rand);
  const cell = make(params);
  const vec = (n: number, scale = 1) => Float64Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const probe: StepProbe = {
    x: vec(cell.inputSize, 1.5),
    h: vec(cell.stateSize),
    dt: 0.3 + rand() * 1.5,
    cHidden: vec(cell.stateSize),
    cOutput: vec(cell.outputSize),
  };
  const hNext = new Float64Array(cell.stateSize);
  const y = new Float64Array(cell.outputSize);
  const tape = cell.forward(probe.x, probe.h, probe.dt, hNext, y, key);
  const grad = new Float64Array(layout.length);
  const dx = new Float64Array(cell.inputSize);
  const dh = new Float64Array(cell.stateSize).fill(NaN); // must be overwritten
  const ddt = cell.backward(probe.x, probe.h, probe.dt, tape, probe.cHidden, probe.cOutput, dx, dh, grad);

  const eps = 1e-6;
  const numeric = (bump: (delta: number) => void, reset: () => void): number => {
    bump(eps);
    const up = stepLoss(make(params), probe, key);
    reset();
    bump(-eps);
    const down = stepLoss(make(params), probe, key);
    reset();
    return (up - down) / (2 * eps);
  };
  const compare = (what: string, analytic: ArrayLike<number>, fd: ArrayLike<number>) => {
    for (let k = 0; k < fd.length; k++) {
      expect(Math.abs(analytic[k] - fd[k]), `${what}[${k}]: ${analytic[k]} vs ${fd[k]}`).toBeLessThan(
        2e-7 * Math.max(1, Math.abs(fd[k])),
      );
    }
  };

  for (const e of layout.entries) {
    const fd = new Float64Array(e.size);
    for (let k = 0; k < e.size; k++) {
      const i = e.offset + k;
      const saved = params[i];
      fd[k] = e.trainable
        ? numeric(
            (d) => (params[i] = saved + d),
            () => (params[i] = saved),
          )
        : 0;
    }
    const analytic = grad.subarray(e.offset, e.offset + e.size);
    if (!e.trainable) {
      expect(Array.from(analytic).every((v) => v === 0), `${e.name} gets no gradient`).toBe(true);
      continue;
    }
    compare(e.name, analytic, fd);
    const mask = layout.entries.find((m) => m.name === e.name.replace(/(ff1|ff2)\.weight$/, 'sparsity_mask'));
    if (mask && mask !== e) {
      for (let k = 0; k < e.size; k++) {
        if (params[mask.offset + k] === 0) expect(analytic[k], `${e.name}[${k}] masked`).toBe(0);
      }
    }
  }
  for (const [name, v, d] of [
    ['x', probe.x, dx],
    ['h', probe.h, dh],
  ] as const) {
    const fd = Array.from(v, (_, k) => {
      const saved = v[k];
      return numeric(
        (delta) => (v[k] = saved + delta),
        () => (v[k] = saved),
      );
    });
    compare(name, d, fd);
  }
  const savedDt = probe.dt;
  const fdDt = numeric(
    (delta) => (probe.dt = savedDt + delta),
    () => (probe.dt = savedDt),
  );
  compare('dt', [ddt], [fdDt]);
}

describe('reference CfcCell gradients (finite differences, float64)', () => {
  const cases: [CfcMode, (typeof CFC_ACTIVATIONS)[number], number][] = [];
  CFC_MODES.forEach((mode, i) => CFC_ACTIVATIONS.forEach((act, j) => cases.push([mode, act, 100 + 10 * i + j])));
  it.each(cases)('mode %s, activation %s', (mode, activation, seed) => {
    const config: CfcCellConfig = {
      inputSize: 3,
      units: 4,
      mode,
      activation,
      backboneUnits: 5,
      backboneLayers: 1,
      backboneDropout: 0,
    };
    const layout = buildParamLayout(fcSpecs(config));
    checkGradients((p) => new ReferenceCfcCell(config, p, layout.offsets), layout, seed);
  });

  it.each(CFC_MODES)('mode %s with 2 backbone layers (silu) and 3 (gelu)', (mode) => {
    for (const [backboneLayers, activation] of [
      [2, 'silu'],
      [3, 'gelu'],
    ] as const) {
      const config: CfcCellConfig = {
        inputSize: 2,
        units: 3,
        mode,
        activation,
        backboneUnits: 4,
        backboneLayers,
        backboneDropout: 0,
      };
      const layout = buildParamLayout(fcSpecs(config));
      checkGradients((p) => new ReferenceCfcCell(config, p, layout.offsets), layout, 7 + backboneLayers);
    }
  });

  it.each(CFC_MODES)('mode %s without backbone (backboneLayers 0)', (mode) => {
    const config: CfcCellConfig = {
      inputSize: 3,
      units: 4,
      mode,
      activation: 'lecun_tanh',
      backboneUnits: 0,
      backboneLayers: 0,
      backboneDropout: 0,
    };
    const layout = buildParamLayout(fcSpecs(config));
    checkGradients((p) => new ReferenceCfcCell(config, p, layout.offsets), layout, 31);
  });

  it.each(CFC_MODES)('mode %s with backbone dropout in training (fixed key)', (mode) => {
    const config: CfcCellConfig = {
      inputSize: 3,
      units: 4,
      mode,
      activation: 'relu',
      backboneUnits: 16,
      backboneLayers: 3,
      backboneDropout: 0.4,
    };
    const layout = buildParamLayout(fcSpecs(config));
    checkGradients((p) => new ReferenceCfcCell(config, p, layout.offsets), layout, 55, 0x1234_5678_9abc);
  });
});

describe('reference WiredCfcCell gradients (finite differences, float64)', () => {
  it.each(CFC_MODES)('mode %s, random masks', (mode) => {
    const config: WiredCfcCellConfig = { inputSize: 4, mode, layerSizes: [5, 3, 2] };
    const layout = buildParamLayout(wiredSpecs(config));
    checkGradients((p) => new ReferenceWiredCfcCell(config, p, layout.offsets), layout, 77);
  });
  it('a single layer', () => {
    const config: WiredCfcCellConfig = { inputSize: 2, mode: 'default', layerSizes: [3] };
    const layout = buildParamLayout(wiredSpecs(config));
    checkGradients((p) => new ReferenceWiredCfcCell(config, p, layout.offsets), layout, 78);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Dropout

describe('backbone dropout', () => {
  it('the hash is SplitMix64 (pinned values shared with native/core/cfc.h)', () => {
    // SplitMix64 seeded with 0: outputs 1, 2, 3 (counter = layer·2³² + unit, output number counter + 1).
    expect(dropoutBits(0, 0, 0)).toBe(0xe220a8397b1dcdafn);
    expect(dropoutBits(0, 0, 1)).toBe(0x6e789e6aa1b965f4n);
    expect(dropoutBits(0, 0, 2)).toBe(0x06c45d188009454fn);
    // Values the native harness printed for the same (key, layer, unit).
    expect(dropoutBits(0x1234_5678_9abc, 1, 7)).toBe(NATIVE_BITS_KEY_1_7);
    expect(dropoutBits(2n ** 64n - 1n, 2, 127)).toBe(NATIVE_BITS_MAX_2_127);
  });

  it('keeps a fraction ≈ 1 − p with inverted scaling, and only when a key is given', () => {
    const p = 0.3;
    let kept = 0;
    for (let unit = 0; unit < 20000; unit++) {
      const s = dropoutScale(987654321, 1, unit, p);
      expect(s === 0 || s === 1 / (1 - p)).toBe(true);
      if (s > 0) kept++;
    }
    expect(Math.abs(kept / 20000 - (1 - p))).toBeLessThan(0.015);

    const config: CfcCellConfig = {
      inputSize: 3,
      units: 4,
      mode: 'default',
      activation: 'tanh',
      backboneUnits: 32,
      backboneLayers: 2,
      backboneDropout: p,
    };
    const noDropout = { ...config, backboneDropout: 0 };
    const layout = buildParamLayout(fcSpecs(config)); // same names as without dropout for 2 layers
    const params = randomParams(layout, mulberry32(5));
    const cell = new ReferenceCfcCell(config, params, layout.offsets);
    const plain = new ReferenceCfcCell(noDropout, params, layout.offsets);
    const x = [0.3, -0.2, 0.9];
    const h = [0.1, 0.2, -0.3, 0.4];
    const run = (c: ReferenceCfcCell, key: number) => {
      const hNext = new Float64Array(4);
      c.forward(x, h, 0.7, hNext, new Float64Array(4), key);
      return hNext;
    };
    expect(run(cell, 0)).toEqual(run(plain, 0));
    expect(run(cell, 42)).toEqual(run(cell, 42));
    expect(run(cell, 42)).not.toEqual(run(cell, 43));
    expect(run(cell, 42)).not.toEqual(run(plain, 42));
    // Never after layer 1: with one backbone layer a key changes nothing.
    const oneLayer = { ...config, backboneLayers: 1 };
    const layout1 = buildParamLayout(fcSpecs(oneLayer));
    const params1 = randomParams(layout1, mulberry32(6));
    const c1 = new ReferenceCfcCell(oneLayer, params1, layout1.offsets);
    expect(run(c1, 42)).toEqual(run(c1, 0));
  });
});

// Printed by the native dropout_bits (native/core/cfc.h) for the same arguments.
const NATIVE_BITS_KEY_1_7 = 8728014960158690805n;
const NATIVE_BITS_MAX_2_127 = 2260873809472477041n;
