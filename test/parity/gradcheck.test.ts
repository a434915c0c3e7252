/**
 * Finite-difference checks of whole models in float64 on both backends: every kind (LTC, fully connected
 * CfC in each mode, wired CfC), with mixed memory and projection, for parameters, input, timespans and the
 * initial state. Loss = Σ a·output + Σ b·h_final with fixed random a, b, so every output and the final state
 * receive a cotangent.
 */
import { describe, expect, it } from 'vitest';
import { CfC } from '../../src/models/cfc.js';
import { LTC } from '../../src/models/ltc.js';
import type { SequenceModel, State } from '../../src/models/sequence-model.js';
import type { Tensor } from '../../src/models/tensor.js';
import { NCP } from '../../src/wiring/index.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const B = 2;
const L = 3;
const S = 3;

function smallWiring(): NCP {
  return new NCP({ interNeurons: 3, commandNeurons: 2, motorNeurons: 2, sensoryFanout: 2, interFanout: 2, recurrentCommandSynapses: 2, motorFanin: 2, seed: 7 });
}

const MODELS: Record<string, (backend: 'cpu' | 'reference') => SequenceModel> = {
  'LTC fully connected, affine maps': (backend) => new LTC(S, 4, { dtype: 'float64', backend, seed: 3, odeUnfolds: 3 }),
  'LTC wired, mixed memory, linear maps, no implicit constraints': (backend) =>
    new LTC(S, smallWiring(), { dtype: 'float64', backend, seed: 4, mixedMemory: true, inputMapping: 'linear', outputMapping: 'none', implicitParamConstraints: false }),
  'CfC default, silu, 2 backbone layers, projection': (backend) =>
    new CfC(S, 4, { dtype: 'float64', backend, seed: 5, activation: 'silu', backboneUnits: 6, backboneLayers: 2, projSize: 2 }),
  'CfC no_gate, gelu, mixed memory': (backend) => new CfC(S, 4, { dtype: 'float64', backend, seed: 6, mode: 'no_gate', activation: 'gelu', backboneUnits: 5, mixedMemory: true }),
  'CfC pure, relu': (backend) => new CfC(S, 4, { dtype: 'float64', backend, seed: 7, mode: 'pure', activation: 'relu', backboneUnits: 5 }),
  'CfC wired default, mixed memory, projection': (backend) => new CfC(S, smallWiring(), { dtype: 'float64', backend, seed: 8, mixedMemory: true, projSize: 3 }),
  'CfC wired pure, time-major': (backend) => new CfC(S, smallWiring(), { dtype: 'float64', backend, seed: 9, mode: 'pure', batchFirst: false }),
};

function randomTensor(rand: () => number, shape: number[], low = -1, high = 1): Tensor<Float64Array> {
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: Float64Array.from({ length: n }, () => low + (high - low) * rand()), shape };
}

function stateOf(model: SequenceModel, rand: () => number): State {
  const h = randomTensor(rand, [B, model.stateSize], -0.5, 0.5);
  return model.hasMixedMemory ? { h, c: randomTensor(rand, [B, model.stateSize], -0.5, 0.5) } : h;
}

function hOf(state: State): Float64Array {
  return ('h' in state ? state.h.data : state.data) as Float64Array;
}

for (const [label, make] of Object.entries(MODELS)) {
  for (const backend of ['cpu', 'reference'] as const) {
    it(`${label} (${backend}): analytic gradients equal central differences`, () => {
      const model = make(backend);
      const rand = lcg(label.length * 7919);
      const inputShape = model.batchFirst ? [B, L, S] : [L, B, S];
      const input = randomTensor(rand, inputShape);
      const timespans = randomTensor(rand, model.batchFirst ? [B, L] : [L, B], 0.3, 1.5);
      const state = stateOf(model, rand);
      const outLength = B * L * model.outputSize;
      const a = Float64Array.from({ length: outLength }, () => rand() - 0.5);
      const b = Float64Array.from({ length: B * model.stateSize }, () => rand() - 0.5);

      const loss = (): number => {
        const { output, state: final } = model.forward(input, { timespans, state });
        let sum = 0;
        for (let i = 0; i < outLength; i++) sum += a[i] * output.data[i];
        const h = hOf(final);
        for (let i = 0; i < h.length; i++) sum += b[i] * h[i];
        return sum;
      };
      const dState: State = model.hasMixedMemory
        ? { h: { data: b, shape: [B, model.stateSize] }, c: { data: new Float64Array(B * model.stateSize), shape: [B, model.stateSize] } }
        : { data: b, shape: [B, model.stateSize] };
      const { grads } = model.forwardBackward(input, { data: a, shape: model.forward(input).output.shape }, { timespans, state, dState });

      const check = (what: string, values: Float64Array, analytic: ArrayLike<number>, indices: number[], afterChange = (): void => {}): void => {
        for (const i of indices) {
          const h = 1e-6 * Math.max(1, Math.abs(values[i]));
          const saved = values[i];
          values[i] = saved + h;
          afterChange();
          const up = loss();
          values[i] = saved - h;
          afterChange();
          const down = loss();
          values[i] = saved;
          afterChange();
          const numeric = (up - down) / (2 * h);
          expect(Math.abs(analytic[i] - numeric), `${what}[${i}]: analytic ${analytic[i]}, numeric ${numeric}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
        }
      };
      const pick = (n: number, k: number): number[] => Array.from({ length: Math.min(n, k) }, (_, j) => Math.floor((j * n) / Math.min(n, k)));

      const params = model.parameters as Float64Array;
      const trainable = model.layout.entries.filter((e) => e.trainable);
      for (const e of trainable) {
        const idx = pick(e.size, 4).map((j) => e.offset + j);
        check(e.name, params, grads.flat, idx, () => model.markParametersChanged());
      }
      check('input', input.data, grads.input.data, pick(input.data.length, 8));
      check('timespans', timespans.data, grads.timespans!.data, pick(timespans.data.length, 6));
      check('state.h', hOf(state), hOf(grads.state), pick(B * model.stateSize, 6));
      if ('c' in state && 'c' in grads.state) check('state.c', state.c.data as Float64Array, grads.state.c.data, pick(B * model.stateSize, 6));
    });
  }
}

describe('gradient buffers', () => {
  it('masked (non-trainable) buffers get no gradient entry', () => {
    const model = new CfC(S, smallWiring(), { dtype: 'float64', seed: 1 });
    const input = randomTensor(lcg(1), [B, L, S]);
    const { grads } = model.forwardBackward(input, model.forward(input).output);
    const masks = model.layout.entries.filter((e) => !e.trainable);
    expect(masks.length).toBeGreaterThan(0);
    for (const e of masks) {
      expect(grads.params[e.name]).toBeUndefined();
      expect(Array.from(grads.flat.subarray(e.offset, e.offset + e.size)).every((v) => v === 0)).toBe(true);
    }
  });
});
