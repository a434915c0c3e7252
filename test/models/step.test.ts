/**
 * model.step is the low-latency path (a pooled result, a registered native I/O block): a chain of steps must give
 * exactly what forward gives over the same sequence, and every result must stay intact after later steps.
 */
import { describe, expect, it } from 'vitest';
import { AutoNCP, CfC, LTC, type SequenceModel, type Tensor } from '../../src/index.js';

type Backend = 'cpu' | 'reference';
const S = 4;
const L = 5;

function models(backend: Backend): [string, SequenceModel][] {
  return [
    ['LTC float32', new LTC(S, new AutoNCP(12, 3, { seed: 4 }), { backend, seed: 1 })],
    ['LTC float64, mixed memory', new LTC(S, new AutoNCP(10, 2, { seed: 5 }), { backend, seed: 2, dtype: 'float64', mixedMemory: true })],
    ['CfC float32, projection', new CfC(S, 8, { backend, seed: 3, projSize: 3 })],
    ['wired CfC float64', new CfC(S, new AutoNCP(10, 2, { seed: 6 }), { backend, seed: 4, dtype: 'float64' })],
  ];
}

function filled(model: SequenceModel, length: number, seed: number, lo: number, hi: number): Float32Array | Float64Array {
  const data = model.dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) data[i] = lo + (hi - lo) * (0.5 + 0.5 * Math.sin(seed * 7.3 + i * 1.7));
  return data;
}

function hOf(state: Tensor | { h: Tensor; c: Tensor }): Tensor {
  return 'h' in state ? state.h : state;
}

describe.each(['cpu', 'reference'] as const)('model.step on the %s backend', (backend) => {
  for (const [name, model] of models(backend)) {
    it(`${name}: a chain of steps equals forward, for B = 1 (unbatched) and B = 3, dt as a number and a tensor`, () => {
      // The native kernels keep the state in the model's dtype between steps as within a sequence: bit for bit.
      // The float32 reference computes in doubles inside a call and rounds the state only between calls.
      const exact = backend === 'cpu' || model.dtype === 'float64';
      for (const B of [1, 3, 1]) {
        const input = filled(model, B * L * S, B, -1, 1);
        const timespans = filled(model, B * L, B + 1, 0.25, 1.5);
        const full = model.forward({ data: input, shape: [B, L, S] }, { timespans: { data: timespans, shape: [B, L] } });
        let state: Tensor | { h: Tensor; c: Tensor } | undefined;
        const outputs: Tensor[] = [];
        for (let t = 0; t < L; t++) {
          const x = new (input.constructor as Float32ArrayConstructor)(B * S);
          const dt = new (input.constructor as Float32ArrayConstructor)(B);
          for (let b = 0; b < B; b++) {
            x.set(input.subarray((b * L + t) * S, (b * L + t + 1) * S), b * S);
            dt[b] = timespans[b * L + t];
          }
          const result = B === 1 && t % 2 === 0
            ? model.step({ data: x, shape: [S] }, state && (('h' in state) ? { h: { data: state.h.data, shape: [model.stateSize] }, c: { data: state.c.data, shape: [model.stateSize] } } : { data: state.data, shape: [model.stateSize] }), dt[0])
            : model.step({ data: x, shape: [B, S] }, state && (('h' in state) ? { h: { data: state.h.data, shape: [B, model.stateSize] }, c: { data: state.c.data, shape: [B, model.stateSize] } } : { data: state.data, shape: [B, model.stateSize] }), { data: dt, shape: [B] });
          outputs.push(result.output);
          state = result.state;
        }
        const P = model.outputSize;
        for (let t = 0; t < L; t++) {
          for (let b = 0; b < B; b++) {
            const expected = Array.from(full.output.data.subarray((b * L + t) * P, (b * L + t + 1) * P));
            // Every earlier result is still intact: later steps never reuse its memory.
            const actual = Array.from(outputs[t].data.subarray(b * P, (b + 1) * P));
            if (exact) expect(actual).toEqual(expected);
            else actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
          }
        }
        const h = Array.from(hOf(state!).data);
        const hExpected = Array.from(hOf(full.state).data);
        if (exact) expect(h).toEqual(hExpected);
        else h.forEach((v, i) => expect(v).toBeCloseTo(hExpected[i], 6));
      }
    });
  }

  it('a long chain crosses many result slabs and every result stays intact', () => {
    // 64 units, 8 outputs: 72 floats of results per step, so 400 steps span several 4096-element slabs; with
    // mixed memory and B = 2, 272 per step.
    for (const [model, B] of [
      [new LTC(S, new AutoNCP(64, 8, { seed: 7 }), { backend, seed: 5 }), 1],
      [new LTC(S, new AutoNCP(20, 4, { seed: 8 }), { backend, seed: 6, dtype: 'float64', mixedMemory: true }), 2],
    ] as const) {
      const steps = 400;
      const input = filled(model, B * steps * S, 3, -1, 1);
      const full = model.forward({ data: input, shape: [B, steps, S] }, { state: undefined });
      const results: ReturnType<SequenceModel['step']>[] = [];
      let state: ReturnType<SequenceModel['step']>['state'] | undefined;
      for (let t = 0; t < steps; t++) {
        const x = new (input.constructor as Float32ArrayConstructor)(B * S);
        for (let b = 0; b < B; b++) x.set(input.subarray((b * steps + t) * S, (b * steps + t + 1) * S), b * S);
        const result = model.step({ data: x, shape: [B, S] }, state);
        results.push(result);
        state = result.state;
      }
      const P = model.outputSize;
      const close = (actual: ArrayLike<number>, expected: ArrayLike<number>) =>
        backend === 'cpu' || model.dtype === 'float64'
          ? expect(Array.from(actual)).toEqual(Array.from(expected))
          : Array.from(actual).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
      for (let t = 0; t < steps; t++) {
        for (let b = 0; b < B; b++) {
          close(results[t].output.data.subarray(b * P, (b + 1) * P), full.output.data.subarray((b * steps + t) * P, (b * steps + t + 1) * P));
        }
      }
      close(hOf(results[steps - 1].state).data, hOf(full.state).data);
      if ('c' in full.state) close((results[steps - 1].state as { c: Tensor }).c.data, full.state.c.data);
    }
  });

  it('results never share memory, and writing into one leaves the model and the others alone', () => {
    const model = new LTC(S, new AutoNCP(12, 3, { seed: 4 }), { backend, seed: 1 });
    const x = { data: new Float32Array([0.1, -0.2, 0.3, 0.4]), shape: [S] };
    const first = model.step(x);
    const second = model.step(x, first.state);
    const snapshot = Array.from(second.output.data);
    first.output.data.fill(99);
    (first.state as Tensor).data.fill(99);
    expect(Array.from(second.output.data)).toEqual(snapshot);
    const again = model.step(x, model.step(x).state);
    expect(Array.from(again.output.data)).toEqual(snapshot);
  });
});
