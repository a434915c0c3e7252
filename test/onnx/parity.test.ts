/**
 * Parity of exported graphs with the native backend: every model kind (LTC fully connected and wired, every
 * input/output mapping, mixed memory; CfC in all three modes with every activation, backbone depths, projSize and
 * mixed memory; wired CfC in all three modes), in 'step' and 'sequence' graphs, run on onnxruntime's CPU
 * provider. float32 graphs must match the native float32 model within 1e-5 relative (2-norm).
 * Sequence graphs are exported with target 'coreml' and a fixed batch, so the Core ML-bound graph is the one checked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AutoNCP, CfC, LTC, NCP } from '../../src/index.js';
import type { SequenceModel, State } from '../../src/models/sequence-model.js';
import type { Tensor } from '../../src/models/tensor.js';
import { exportOnnx, OnnxPolicy } from '../../src/onnx/index.js';
import { relativeError } from '../helpers/fixtures.js';

const S = 5;
const B = 3;
const L = 6;
const TOLERANCE = 1e-5;
/**
 * float16 graphs (weights and arithmetic in float16, float32 at the edges) against the native float32 model.
 * Measured with onnxruntime 1.30's CPU provider: on this matrix (L 6, B 3) the worst tensor is 6.8e-4 (LTC on an
 * NCP wiring with mixed memory, output); sweeps over AutoNCP(64, 8) LTC / CfC models and 32-unit CfCs at L 8 and
 * 64 stay at 1.7e-4 to 7.4e-4, not growing with L; the worst seen anywhere is 2.6e-3 (LTC AutoNCP(12, 3), whose
 * 3 outputs are small). The bound keeps about 2× headroom over that. docs/neural-engine.md reports the same.
 */
const FLOAT16_TOLERANCE = 5e-3;
const float16Errors: { name: string; error: number }[] = [];
afterAll(() => {
  const worst = float16Errors.reduce((a, b) => (b.error > a.error ? b : a), { name: '', error: 0 });
  console.log(`float16 parity: worst relative error ${worst.error.toExponential(2)} (${worst.name}) over ${float16Errors.length} tensors`);
});

type ModelCase = [name: string, make: () => LTC | CfC];

const CASES: ModelCase[] = [
  ['LTC FC(8), affine → affine', () => new LTC(S, 8, { seed: 3 })],
  ['LTC FC(7), linear → none, 3 unfolds', () => new LTC(S, 7, { inputMapping: 'linear', outputMapping: 'none', odeUnfolds: 3, seed: 4 })],
  ['LTC FC(6), none → linear, no implicit constraints', () => new LTC(S, 6, { inputMapping: 'none', outputMapping: 'linear', implicitParamConstraints: false, seed: 5 })],
  ['LTC AutoNCP(12, 3)', () => new LTC(S, new AutoNCP(12, 3, { seed: 7 }), { seed: 6 })],
  ['LTC NCP wiring, mixed memory', () => new LTC(S, new NCP({ interNeurons: 4, commandNeurons: 3, motorNeurons: 2, sensoryFanout: 2, interFanout: 2, recurrentCommandSynapses: 1, motorFanin: 2, seed: 9 }), { mixedMemory: true, seed: 8 })],
  ['LTC FC(6), mixed memory', () => new LTC(S, 6, { mixedMemory: true, seed: 10 })],
  ['CfC FC(8) default, lecun_tanh', () => new CfC(S, 8, { backboneUnits: 16, seed: 11 })],
  ['CfC FC(8) default, silu, 2 backbone layers', () => new CfC(S, 8, { activation: 'silu', backboneUnits: 12, backboneLayers: 2, seed: 12 })],
  ['CfC FC(8) default, no backbone', () => new CfC(S, 8, { backboneLayers: 0, seed: 13 })],
  ['CfC FC(8) no_gate, relu', () => new CfC(S, 8, { mode: 'no_gate', activation: 'relu', backboneUnits: 16, seed: 14 })],
  ['CfC FC(8) no_gate, tanh, projSize 3', () => new CfC(S, 8, { mode: 'no_gate', activation: 'tanh', backboneUnits: 16, projSize: 3, seed: 15 })],
  ['CfC FC(8) pure, gelu', () => new CfC(S, 8, { mode: 'pure', activation: 'gelu', backboneUnits: 16, seed: 16 })],
  ['CfC FC(8) pure, lecun_tanh, 2 layers + dropout (inert at inference)', () => new CfC(S, 8, { mode: 'pure', backboneUnits: 10, backboneLayers: 2, backboneDropout: 0.3, seed: 17 })],
  ['CfC FC(6) default, mixed memory, projSize 2', () => new CfC(S, 6, { mixedMemory: true, projSize: 2, backboneUnits: 8, seed: 18 })],
  ['CfC FC(6) pure, silu, mixed memory', () => new CfC(S, 6, { mode: 'pure', activation: 'silu', mixedMemory: true, backboneUnits: 8, seed: 19 })],
  ['wired CfC AutoNCP(12, 3) default', () => new CfC(S, new AutoNCP(12, 3, { seed: 20 }), { seed: 21 })],
  ['wired CfC AutoNCP(12, 3) no_gate', () => new CfC(S, new AutoNCP(12, 3, { seed: 22 }), { mode: 'no_gate', seed: 23 })],
  ['wired CfC AutoNCP(12, 3) pure', () => new CfC(S, new AutoNCP(12, 3, { seed: 24 }), { mode: 'pure', seed: 25 })],
  ['wired CfC AutoNCP(10, 2) default, mixed memory, projSize 4', () => new CfC(S, new AutoNCP(10, 2, { seed: 26 }), { mixedMemory: true, projSize: 4, seed: 27 })],
];

/** Deterministic values in [low, high). */
function values(length: number, seed: number, low = -1, high = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return low + ((high - low) * s) / 2 ** 32;
  });
}

function parts(state: State): Tensor[] {
  return 'h' in state ? [state.h, state.c] : [state];
}

function expectClose(actual: State | Tensor, expected: State | Tensor, label: string): void {
  const a = 'data' in actual ? [actual] : parts(actual);
  const e = 'data' in expected ? [expected] : parts(expected);
  expect(a.length, label).toBe(e.length);
  a.forEach((t, i) => {
    expect(t.shape, `${label} shape`).toEqual(e[i].shape);
    expect(relativeError(t.data, e[i].data), `${label} relative error`).toBeLessThan(TOLERANCE);
  });
}

/** A non-zero initial state, so the state inputs are exercised. */
function initialState(model: SequenceModel, batch: number): State {
  const h = { data: values(batch * model.stateSize, 99, -0.5, 0.5), shape: [batch, model.stateSize] };
  return model.hasMixedMemory ? { h, c: { data: values(batch * model.stateSize, 98, -0.5, 0.5), shape: [batch, model.stateSize] } } : h;
}

describe.each(CASES)('%s', (name, make) => {
  const model = make();
  const input = { data: values(B * L * S, 1), shape: [B, L, S] };
  const timespans = { data: values(B * L, 2, 0.3, 1.7), shape: [B, L] };
  const state = initialState(model, B);

  it('sequence graph (target coreml, batch fixed) matches forward', async () => {
    const expected = model.forward(input, { timespans, state });
    const policy = await OnnxPolicy.create(exportOnnx(model, { mode: 'sequence', sequenceLength: L, batch: B, target: 'coreml' }), { executionProviders: 'cpu' });
    try {
      const actual = await policy.run(input, { timespans, state });
      expectClose(actual.output, expected.output, 'output');
      expectClose(actual.state, expected.state, 'state');
    } finally {
      await policy.dispose();
    }
  });

  it('step graph (dynamic batch) matches step, event by event, and forward when looped', async () => {
    const policy = await OnnxPolicy.create(exportOnnx(model, { mode: 'step' }), { executionProviders: 'cpu' });
    try {
      let nativeState = state;
      let onnxState = state;
      for (let t = 0; t < 3; t++) {
        const x = { data: values(B * S, 10 + t), shape: [B, S] };
        const dt = { data: values(B, 20 + t, 0.2, 2), shape: [B] };
        const expected = model.step(x, nativeState, dt);
        const actual = await policy.step(x, onnxState, dt);
        expectClose(actual.output, expected.output, `step ${t} output`);
        expectClose(actual.state, expected.state, `step ${t} state`);
        nativeState = expected.state;
        onnxState = actual.state;
      }
      const expected = model.forward(input, { timespans, state });
      const actual = await policy.run(input, { timespans, state });
      expectClose(actual.output, expected.output, 'looped output');
      expectClose(actual.state, expected.state, 'looped state');
    } finally {
      await policy.dispose();
    }
  });

  it('float16 sequence graph stays within the measured float16 tolerance', async () => {
    const expected = model.forward(input, { timespans, state });
    const policy = await OnnxPolicy.create(exportOnnx(model, { mode: 'sequence', sequenceLength: L, batch: B, dtype: 'float16', target: 'coreml' }), { executionProviders: 'cpu' });
    try {
      const actual = await policy.run(input, { timespans, state });
      const pairs: [Tensor, Tensor, string][] = [[actual.output, expected.output, 'output'], ...parts(actual.state).map((t, i): [Tensor, Tensor, string] => [t, parts(expected.state)[i], `state ${i}`])];
      for (const [a, e, label] of pairs) {
        expect(a.data).toBeInstanceOf(Float32Array);
        const error = relativeError(a.data, e.data);
        float16Errors.push({ name: `${name} ${label}`, error });
        expect(error, label).toBeLessThan(FLOAT16_TOLERANCE);
        expect(error, `${label} (a float16 graph is not a float32 one)`).toBeGreaterThan(1e-6);
      }
    } finally {
      await policy.dispose();
    }
  });
});
