/**
 * The native CfC kernels (native/core/cfc.cpp, wired_cfc.cpp) through the public API:
 *  - every CfC fixture (fully connected, wired, mixed memory) against ncps, all four runs;
 *  - against the TS reference on cells the fixtures do not cover (every activation, deeper or no backbone,
 *    backbone dropout with the same dropoutSeed, which must give the same masks on both backends);
 *  - the native config parser (native/addon/cfc_binding.cpp) refusing malformed configs by itself.
 */
import { describe, expect, it } from 'vitest';
import { AutoNCP, CfC } from '../../src/index.js';
import { fromNcps } from '../../src/io/from-ncps.js';
import { loadNative } from '../../src/backend/load.js';
import type { CfCOptions } from '../../src/models/cfc.js';
import type { ForwardBackwardResult, State } from '../../src/models/sequence-model.js';
import { arrayTypeOf, type Dtype, type Tensor } from '../../src/models/tensor.js';
import { flat, loadModelFixture, relativeError, RUN_NAMES, type Nested } from '../helpers/fixtures.js';
import { thrown } from '../helpers/thrown.js';

const CFC_FIXTURES: Record<string, CfCOptions> = {
  cfc_fc8_default: { mode: 'default' },
  cfc_fc8_no_gate: { mode: 'no_gate' },
  cfc_fc8_pure: { mode: 'pure' },
  cfc_fc8_mixedmemory_tanh: { mixedMemory: true, backboneUnits: 32, activation: 'tanh' },
  cfc_wired_autoncp16_4_default: { mode: 'default' },
  cfc_wired_autoncp16_4_no_gate: { mode: 'no_gate' },
  cfc_wired_autoncp16_4_pure: { mode: 'pure' },
};

function splitState(state: State): { h: Tensor; c?: Tensor } {
  return 'h' in state ? state : { h: state };
}

/** loss = Σ output², so dL/d output = 2·output. */
function lossAndGrads(model: CfC, input: Tensor, timespans: Tensor | undefined, dropoutSeed?: number): ForwardBackwardResult {
  const forward = model.forward(input, { timespans });
  const dOutput = { data: forward.output.data.map((v) => 2 * v), shape: forward.output.shape };
  return model.forwardBackward(input, dOutput, { timespans, dropoutSeed });
}

describe.each(Object.keys(CFC_FIXTURES))('native %s against ncps', (name) => {
  const fixture = loadModelFixture(name);
  const [B, L, S] = fixture.input.shape;

  it.each(RUN_NAMES)('%s: outputs, final state, loss, every gradient', (runName) => {
    const run = fixture.runs[runName];
    const tol = run.dtype === 'float64' ? 1e-10 : 1e-5;
    const stateDict = Object.fromEntries(fixture.parameters.map((p) => [p.name, { data: flat(p.values), shape: p.shape }]));
    const structure = fixture.wiring ? { wiring: fixture.wiring } : { units: fixture.state_size };
    const model = fromNcps('CfC', { inputSize: S, ...structure, ...CFC_FIXTURES[name], dtype: run.dtype, backend: 'cpu' }, stateDict) as CfC;
    const ArrayType = arrayTypeOf(run.dtype);
    const input = { data: ArrayType.from(flat(fixture.input.values)), shape: [B, L, S] };
    const timespans = run.uses_timespans ? { data: ArrayType.from(flat(fixture.timespans.values)), shape: [B, L] } : undefined;
    const result = lossAndGrads(model, input, timespans);

    expect(result.output.shape).toEqual(run.outputs_shape);
    expect(relativeError(result.output.data, flat(run.outputs))).toBeLessThan(tol);
    const finalState = splitState(result.state);
    const expectedFinal = run.final_hidden as Nested | { h: Nested; c: Nested };
    if (typeof expectedFinal === 'object' && !Array.isArray(expectedFinal)) {
      expect(relativeError(finalState.h.data, flat(expectedFinal.h))).toBeLessThan(tol);
      expect(relativeError(finalState.c!.data, flat(expectedFinal.c))).toBeLessThan(tol);
    } else {
      expect(relativeError(finalState.h.data, flat(expectedFinal))).toBeLessThan(tol);
    }
    let loss = 0;
    for (const v of result.output.data) loss += v * v;
    expect(Math.abs(loss - run.loss_sum_outputs_sq) / run.loss_sum_outputs_sq).toBeLessThan(tol);
    for (const [param, grad] of Object.entries(run.grad_params)) {
      if (grad === null) {
        expect(param).toMatch(/sparsity_mask$/);
        expect(result.grads.params[param]).toBeUndefined();
        continue;
      }
      expect(relativeError(result.grads.params[param].data, flat(grad)), param).toBeLessThan(tol);
    }
    expect(relativeError(result.grads.input.data, flat(run.grad_input))).toBeLessThan(tol);
    if (run.uses_timespans) {
      expect(relativeError(result.grads.timespans!.data, flat(run.grad_timespans!))).toBeLessThan(tol);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Native against the TS reference

const B = 3;
const L = 7;
const S = 4;

function inputs(dtype: Dtype): { input: Tensor; timespans: Tensor } {
  const ArrayType = arrayTypeOf(dtype);
  return {
    input: { data: ArrayType.from(Array.from({ length: B * L * S }, (_, i) => Math.sin(0.7 * i + 0.3) * 1.5)), shape: [B, L, S] },
    timespans: { data: ArrayType.from(Array.from({ length: B * L }, (_, i) => 0.25 + 1.5 * Math.abs(Math.cos(1.3 * i)))), shape: [B, L] },
  };
}

/** The same model on both backends (same seed, so the same parameters). */
function pair(units: number | (() => AutoNCP), options: CfCOptions): { native: CfC; reference: CfC } {
  const make = (backend: 'cpu' | 'reference') =>
    new CfC(S, typeof units === 'number' ? units : units(), { ...options, backend, seed: 11 });
  return { native: make('cpu'), reference: make('reference') };
}

function expectSame(a: ForwardBackwardResult, b: ForwardBackwardResult, tol: number): void {
  expect(relativeError(a.output.data, b.output.data)).toBeLessThan(tol);
  expect(relativeError(splitState(a.state).h.data, splitState(b.state).h.data)).toBeLessThan(tol);
  for (const [name, grad] of Object.entries(b.grads.params)) {
    expect(relativeError(a.grads.params[name].data, grad.data), name).toBeLessThan(tol);
  }
  expect(relativeError(a.grads.input.data, b.grads.input.data)).toBeLessThan(tol);
  expect(relativeError(a.grads.timespans!.data, b.grads.timespans!.data)).toBeLessThan(tol);
  expect(relativeError(splitState(a.grads.state).h.data, splitState(b.grads.state).h.data)).toBeLessThan(tol);
}

describe('native CfC against the TS reference', () => {
  const cases: [string, CfCOptions][] = [];
  for (const mode of ['default', 'no_gate', 'pure'] as const) {
    for (const activation of ['lecun_tanh', 'tanh', 'relu', 'gelu', 'silu'] as const) {
      cases.push([`${mode} ${activation}`, { mode, activation, backboneUnits: 13 }]);
    }
    cases.push([`${mode} backboneLayers 0`, { mode, backboneLayers: 0 }]);
    cases.push([`${mode} backboneLayers 3`, { mode, backboneLayers: 3, backboneUnits: 21, activation: 'silu' }]);
    cases.push([`${mode} mixed memory, projection`, { mode, mixedMemory: true, projSize: 2, backboneUnits: 9 }]);
  }
  for (const dtype of ['float64', 'float32'] as const) {
    it.each(cases)(`${dtype} %s`, (_, options) => {
      const { native, reference } = pair(6, { ...options, dtype });
      const { input, timespans } = inputs(dtype);
      expectSame(lossAndGrads(native, input, timespans), lossAndGrads(reference, input, timespans), dtype === 'float64' ? 1e-10 : 1e-5);
    });
  }

  it.each(['default', 'no_gate', 'pure'] as const)('wired AutoNCP(12, 3), mode %s', (mode) => {
    for (const dtype of ['float64', 'float32'] as const) {
      const { native, reference } = pair(() => new AutoNCP(12, 3, { seed: 5 }), { mode, dtype });
      const { input, timespans } = inputs(dtype);
      expectSame(lossAndGrads(native, input, timespans), lossAndGrads(reference, input, timespans), dtype === 'float64' ? 1e-10 : 1e-5);
    }
  });
});

describe('backbone dropout (training): both backends draw the same masks', () => {
  const options: CfCOptions = { backboneLayers: 3, backboneUnits: 24, backboneDropout: 0.3, activation: 'relu', dtype: 'float64' };
  const { input, timespans } = inputs('float64');

  it('the same dropoutSeed gives the same outputs and gradients', () => {
    const { native, reference } = pair(5, options);
    expectSame(lossAndGrads(native, input, timespans, 1234), lossAndGrads(reference, input, timespans, 1234), 1e-10);
  });

  it('dropout is active only with a seed, and depends on it', () => {
    const { native } = pair(5, options);
    const plain = native.forward(input, { timespans }).output.data;
    const dOutput = { data: plain.map(() => 1), shape: [B, L, 5] };
    const noSeed = native.forwardBackward(input, dOutput, { timespans }).output.data;
    const seeded = native.forwardBackward(input, dOutput, { timespans, dropoutSeed: 7 }).output.data;
    const again = native.forwardBackward(input, dOutput, { timespans, dropoutSeed: 7 }).output.data;
    const other = native.forwardBackward(input, dOutput, { timespans, dropoutSeed: 8 }).output.data;
    expect(Array.from(noSeed)).toEqual(Array.from(plain));
    expect(Array.from(again)).toEqual(Array.from(seeded));
    expect(relativeError(seeded, plain)).toBeGreaterThan(1e-3);
    expect(relativeError(other, seeded)).toBeGreaterThan(1e-3);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The native parser, reached directly (the public API validates first, so these are its second line)

describe('native CfC config parser', () => {
  const model = new CfC(3, 4, { backboneUnits: 5, dtype: 'float64' });
  const good = { inputSize: 3, units: 4, mode: 'default', activation: 'lecun_tanh', backboneUnits: 5, backboneLayers: 1, backboneDropout: 0 };
  const wiredModel = new CfC(3, new AutoNCP(8, 2, { seed: 1 }), { dtype: 'float64' });
  const goodWired = { inputSize: 3, mode: 'default', layerSizes: wiredModel.layerSizes! };

  function build(cell: 'cfc' | 'wired_cfc', cellConfig: object): unknown {
    const source = cell === 'cfc' ? model : wiredModel;
    const params = new Float64Array(source.layout.length);
    const { NativeModel } = loadNative();
    return new NativeModel({ api: 'CfC', cell, cellConfig, params, offsets: source.nativeModelConfig().offsets, mixedMemory: false, projSize: 0 });
  }

  function expectThrow(fn: () => unknown, cls: typeof TypeError | typeof RangeError, message: string): void {
    const caught = thrown(fn);
    expect(caught, 'expected a throw').toBeInstanceOf(cls);
    expect((caught as Error).message).toBe(message);
  }

  it('accepts well-formed configs', () => {
    expect(() => build('cfc', good)).not.toThrow();
    expect(() => build('wired_cfc', goodWired)).not.toThrow();
  });

  it.each([
    [{ mode: 'gated' }, RangeError, `CfC: expected one of 'default' | 'no_gate' | 'pure' for config.mode, received string "gated".`],
    [{ mode: 1 }, TypeError, `CfC: expected one of 'default' | 'no_gate' | 'pure' for config.mode, received number 1.`],
    [{ activation: 'elu' }, RangeError, `CfC: expected one of 'lecun_tanh' | 'tanh' | 'relu' | 'gelu' | 'silu' for config.activation, received string "elu".`],
    [{ units: 2.5 }, RangeError, 'CfC: expected an integer from 1 to 16384 (LIMITS.maxUnits) for config.units, received number 2.5.'],
    [{ units: '4' }, TypeError, 'CfC: expected an integer from 1 to 16384 (LIMITS.maxUnits) for config.units, received string "4".'],
    [{ inputSize: undefined }, TypeError, 'CfC: expected an integer from 1 to 65536 (LIMITS.maxInputs) for config.inputSize, received undefined.'],
    [{ backboneLayers: -1 }, RangeError, 'CfC: expected an integer from 0 to 64 (LIMITS.maxBackboneLayers) for config.backboneLayers, received number -1.'],
    [{ backboneUnits: 0 }, RangeError, 'CfC: expected an integer from 1 to 65536 (LIMITS.maxBackboneUnits) for config.backboneUnits, received number 0.'],
    [{ backboneDropout: 1 }, RangeError, 'CfC: expected a number in [0, 1) for config.backboneDropout, received number 1.'],
    [{ backboneDropout: NaN }, RangeError, 'CfC: expected a number in [0, 1) for config.backboneDropout, received number NaN.'],
    [{ backboneDropout: null }, TypeError, 'CfC: expected a number in [0, 1) for config.backboneDropout, received null.'],
  ] as const)('cfc %o', (change, cls, message) => {
    expectThrow(() => build('cfc', { ...good, ...change }), cls, message);
  });

  it.each([
    [{ layerSizes: 3 }, TypeError, 'CfC: expected a non-empty array of integers from 1 to 16384 (LIMITS.maxUnits) for config.layerSizes, received number 3.'],
    [{ layerSizes: [] }, RangeError, 'CfC: expected a non-empty array of integers from 1 to 16384 (LIMITS.maxUnits) for config.layerSizes, received Array(0).'],
    [{ layerSizes: [4, 0, 2] }, RangeError, 'CfC: expected an integer from 1 to 16384 (LIMITS.maxUnits) for config.layerSizes[1], received number 0.'],
    [{ layerSizes: [4, 'x'] }, TypeError, 'CfC: expected an integer from 1 to 16384 (LIMITS.maxUnits) for config.layerSizes[1], received string "x".'],
    [{ mode: 'gated' }, RangeError, `CfC: expected one of 'default' | 'no_gate' | 'pure' for config.mode, received string "gated".`],
  ] as const)('wired_cfc %o', (change, cls, message) => {
    expectThrow(() => build('wired_cfc', { ...goodWired, ...change }), cls, message);
  });

  it('a layout without the named parameters is a RangeError, not a crash', () => {
    const { NativeModel } = loadNative();
    expect(
      () => new NativeModel({ api: 'CfC', cell: 'cfc', cellConfig: good, params: new Float64Array(4), offsets: {}, mixedMemory: false, projSize: 0 }),
    ).toThrow(RangeError);
  });
});
