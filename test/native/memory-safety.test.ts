/**
 * Nothing a caller does to its own memory or to the thread pool while native work runs may reach that work:
 * async calls compute on native copies made at the call, every layer copies the parameters it reads, the thread
 * pool outlives the calls that use it, and the addon re-checks what the TS layer would (offsets, swapped args).
 * Run under AddressSanitizer to see the defects these tests guard against (see docs/native.md).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoNCP, CfC, LTC, getNumThreads, setNumThreads } from '../../src/index.js';
import { loadNative } from '../../src/backend/load.js';
import type { NativeSequenceModel } from '../../src/backend/native-types.js';
import type { SequenceArgs } from '../../src/backend/sequence-args.js';
import { thrown } from '../helpers/thrown.js';

const S = 3;
type Model = LTC | CfC;

function nativeOf(model: Model): NativeSequenceModel {
  return (model.sequenceBackend as unknown as { native(): NativeSequenceModel }).native();
}

function sequence(B: number, L: number, seed = 1): { data: Float64Array; shape: number[] } {
  return { data: Float64Array.from({ length: B * L * S }, (_, i) => Math.sin(i * 0.37 + seed)), shape: [B, L, S] };
}

/** Bit-identical values; on failure names the first difference (a full diff of thousands of values is slow). */
function expectIdentical(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  let first = -1;
  for (let i = 0; i < actual.length && first < 0; i++) if (!Object.is(actual[i], expected[i])) first = i;
  expect(first < 0 ? 'identical' : `first difference at [${first}]: ${actual[first]}, expected ${expected[first]}`).toBe('identical');
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** ES2024 resizable ArrayBuffer (Node ≥ 20), typed here because the project's TS lib predates it. */
interface ResizableArrayBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
const ResizableBuffer = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableArrayBuffer;

function detach(buffer: ArrayBufferLike): ArrayBuffer {
  return structuredClone(buffer, { transfer: [buffer as ArrayBuffer] }) as ArrayBuffer;
}

/** The mixed-memory models: an LTC and a CfC with an output projection (the layers that used to alias params). */
function mixedModels(): Model[] {
  return [
    new LTC(S, new AutoNCP(12, 3, { seed: 2 }), { dtype: 'float64', seed: 3, mixedMemory: true }),
    new CfC(S, 10, { dtype: 'float64', seed: 4, mixedMemory: true, projSize: 2 }),
  ];
}

describe('setNumThreads while async work runs', () => {
  const initial = getNumThreads();
  afterAll(() => setNumThreads(initial));

  it('never frees the pool under running work, never hangs, and changes no result', async () => {
    const model = new LTC(S, new AutoNCP(16, 3, { seed: 1 }), { dtype: 'float64', seed: 1 });
    const x = sequence(24, 12);
    setNumThreads(1);
    const expected = model.forward(x).output.data;
    const expectedGrads = model.forwardBackward(x, model.forward(x).output).grads.flat;
    const calls: Promise<void>[] = [];
    let turn = 0;
    const resize = setInterval(() => setNumThreads(1 + (turn++ % 4)), 0);
    for (let i = 0; i < 60; i++) {
      setNumThreads(1 + (i % 3));
      if (i % 2) {
        calls.push(model.forwardAsync(x).then((r) => expectIdentical(r.output.data, expected)));
      } else {
        calls.push(
          model.forwardBackwardAsync(x, { data: expected, shape: [24, 12, model.outputSize] }).then((r) => {
            expectIdentical(r.output.data, expected);
            // Gradients are summed per chunk: equal within rounding whatever the thread count was.
            for (let k = 0; k < r.grads.flat.length; k++) expect(r.grads.flat[k]).toBeCloseTo(expectedGrads[k], 10);
          }),
        );
      }
      if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(calls);
    clearInterval(resize);
  }, 120_000);
});

describe('parameters: every layer computes on its own copy', () => {
  it('a detached parameter buffer changes nothing until the parameters are marked changed, then is refused', () => {
    for (const model of mixedModels()) {
      const x = sequence(2, 5);
      const before = model.forward(x).output.data;
      detach(model.parameters.buffer);
      gc();
      expectIdentical(model.forward(x).output.data, before);
      const step = model.step({ data: x.data.subarray(0, S), shape: [S] });
      expect(step.output.data.every(Number.isFinite)).toBe(true);
      model.markParametersChanged();
      const error = thrown(() => model.forward(x));
      expect(error).toBeInstanceOf(RangeError);
      expect((error as { code?: string }).code).toBe('NCP_INVALID_RANGE');
      expect((error as Error).message).toMatch(/expected the live parameter buffer of \d+ elements for params, received a detached or resized buffer/);
    }
  });

  it('writing parameters while a forwardAsync runs gives exactly the old-weights result', async () => {
    for (const model of mixedModels()) {
      const x = sequence(64, 40);
      const old = model.forward(x).output.data;
      const running = model.forwardAsync(x);
      for (let i = 0; i < model.parameters.length; i++) model.parameters[i] *= 0.5;
      model.markParametersChanged();
      const result = await running;
      expectIdentical(result.output.data, old);
      expect(model.forward(x).output.data.some((v, i) => v !== old[i])).toBe(true);
    }
  });
});

describe('async arguments are copied at the call', () => {
  const model = new CfC(S, new AutoNCP(12, 3, { seed: 5 }), { dtype: 'float64', seed: 6, mixedMemory: true });
  const B = 48;
  const L = 30;
  const P = model.outputSize;

  it('inputs, timespans, state and dOutput may be reused, detached or shrunk as soon as the call returns', async () => {
    const x = sequence(B, L);
    const timespans = { data: Float64Array.from({ length: B * L }, (_, i) => 0.5 + (i % 7) * 0.1), shape: [B, L] };
    const state = { h: { data: new Float64Array(B * model.stateSize).fill(0.1), shape: [B, model.stateSize] }, c: { data: new Float64Array(B * model.stateSize).fill(-0.1), shape: [B, model.stateSize] } };
    const dOutput = { data: Float64Array.from({ length: B * L * P }, (_, i) => Math.cos(i)), shape: [B, L, P] };
    const copy = <T extends { data: Float64Array }>(t: T): T => ({ ...t, data: t.data.slice() });
    const expected = model.forwardBackward(copy(x), copy(dOutput), { timespans: copy(timespans), state: { h: copy(state.h), c: copy(state.c) } });

    // Reuse: overwrite every argument right after the call.
    const reused = model.forwardBackwardAsync(x, dOutput, { timespans, state });
    for (const t of [x, timespans, state.h, state.c, dOutput]) t.data.fill(7);
    // Detach: transfer every argument's buffer right after the call, and drop it.
    const y = copy(sequence(B, L));
    const ts2 = copy(timespans);
    const d2 = { ...dOutput, data: expected.output.data.slice() };
    const detached = model.forwardBackwardAsync(y, d2, { timespans: ts2 });
    for (const t of [y, ts2, d2]) detach(t.data.buffer);
    gc();
    const reusedResult = await reused;
    expectIdentical(reusedResult.output.data, expected.output.data);
    expectIdentical(reusedResult.grads.flat, expected.grads.flat);
    const reference = model.forwardBackward(sequence(B, L), { ...dOutput, data: expected.output.data.slice() }, { timespans: copy(timespans) });
    const detachedResult = await detached;
    expectIdentical(detachedResult.output.data, reference.output.data);
    expectIdentical(detachedResult.grads.flat, reference.grads.flat);
  });

  it('a resizable input buffer shrunk to 0 (and regrown with other values) during the call is safe (raw addon)', async () => {
    const native = nativeOf(model);
    const H = model.stateSize;
    const [b, l] = [4 * B, 2 * L];
    const bytes = b * l * S * 8;
    const buffer = new ResizableBuffer(bytes, { maxByteLength: bytes });
    const input = new Float64Array(buffer); // length-tracking
    input.set(sequence(b, l).data);
    const args = (): SequenceArgs => ({ version: 1, batch: b, steps: l, batchFirst: true, returnSequences: true, input, output: new Float64Array(b * l * P), hFinal: new Float64Array(b * H), cFinal: new Float64Array(b * H) });
    const reference = args();
    native.forward(reference);
    const call = args();
    const running = native.forwardAsync(call);
    buffer.resize(0);
    buffer.resize(bytes);
    input.fill(9);
    await running;
    expectIdentical(call.output, reference.output);
  });

  it('an output detached before the promise settles rejects with a RangeError naming it, and writes nothing', async () => {
    const native = nativeOf(model);
    const H = model.stateSize;
    const call: SequenceArgs = { version: 1, batch: B, steps: L, batchFirst: true, returnSequences: true, input: sequence(B, L).data, output: new Float64Array(B * L * P), hFinal: new Float64Array(B * H).fill(3), cFinal: new Float64Array(B * H) };
    const running = native.forwardAsync(call);
    const kept = new Float64Array(detach(call.output.buffer));
    kept.fill(5);
    const error = await running.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as { code?: string }).code).toBe('NCP_INVALID_RANGE');
    expect((error as Error).message).toMatch(/forwardAsync: expected the output array to stay attached and as long until the promise settles for output, received a detached or resized buffer/);
    expect(kept.every((v) => v === 5)).toBe(true);
    expect(call.hFinal.every((v) => v === 3)).toBe(true); // all outputs or none
  });
});

describe('the addon holds its own checks when called directly', () => {
  it('swapping argument fields from a getter cannot reach a buffer already checked (sync)', () => {
    const model = new LTC(S, new AutoNCP(10, 2, { seed: 3 }), { dtype: 'float64', seed: 2 });
    const native = nativeOf(model);
    const B = 2;
    const L = 3;
    const input = sequence(B, L).data;
    const args = {
      version: 1, batch: B, steps: L, batchFirst: true, returnSequences: true, input,
      output: new Float64Array(B * L * model.outputSize),
      get hFinal(): Float64Array {
        detach(input.buffer); // read after `input`: detaches a buffer the old code had already taken a pointer into
        gc();
        return new Float64Array(B * model.stateSize);
      },
    };
    const error = thrown(() => native.forward(args as SequenceArgs));
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(/LTC\.forward: expected a live buffer for input, received a detached ArrayBuffer/);
  });

  it('optimizerStep reads every array before viewing any: a getter cannot detach one already viewed', () => {
    const { optimizerStep } = loadNative();
    const n = 64;
    const params = new Float32Array(n).fill(1);
    const args = {
      kind: 'adam', lr: 0.1, step: 1, length: n, params, grads: new Float32Array(n).fill(1), m: new Float32Array(n),
      get v(): Float32Array {
        detach(params.buffer); // read after params: the old code had already taken a pointer into it
        gc();
        return new Float32Array(n);
      },
    };
    const error = thrown(() => optimizerStep(args as never));
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(/optimizerStep: expected a live buffer for params, received a detached ArrayBuffer/);
  });

  it('mutating the argument object while async work runs changes nothing', async () => {
    const model = new LTC(S, new AutoNCP(16, 3, { seed: 3 }), { dtype: 'float64', seed: 2 });
    const native = nativeOf(model);
    const B = 256;
    const L = 30;
    const H = model.stateSize;
    const make = (): SequenceArgs => ({ version: 1, batch: B, steps: L, batchFirst: true, returnSequences: true, input: sequence(B, L).data, timespans: new Float64Array(B * L).fill(0.7), output: new Float64Array(B * L * model.outputSize), hFinal: new Float64Array(B * H) });
    const reference = make();
    native.forward(reference);
    const args = make();
    const { output } = args;
    const running = native.forwardAsync(args);
    // The only reference to the first input was the args object: replaced and collected at once, its memory
    // reused by new arrays.
    args.input = new Float64Array(1);
    gc();
    const reuse = Array.from({ length: 8 }, () => new Float64Array(B * L * S).fill(9));
    const swap = (): void => {
      args.input = new Float64Array(1);
      args.timespans = new Float64Array(B * L).fill(-1);
      args.batch = 1e6;
    };
    queueMicrotask(swap);
    setTimeout(() => {
      swap();
      gc();
    }, 0);
    gc();
    await running;
    expect(reuse.length).toBe(8);
    expectIdentical(output, reference.output);
  });

  it('offsets are checked as offset + size ≤ the parameter count', () => {
    const model = new LTC(S, new AutoNCP(10, 2, { seed: 3 }), { seed: 2 });
    const { cell, cellConfig, projSize, offsets } = model.nativeModelConfig(); // offsets under the native names: cell.* (src/backend/ncps-names.ts)
    const { NativeModel } = loadNative();
    const build = (name: string, at: number) => () => new NativeModel({ api: 'LTC', cell, cellConfig, params: model.parameters, offsets: { ...offsets, [name]: at }, mixedMemory: false, projSize });
    expect(build('cell.gleak', offsets['cell.gleak'])).not.toThrow();
    const last = model.parameters.length - 1;
    for (const name of ['cell.sigma', 'cell.sensory_sparsity_mask', 'cell.output_w', 'cell.gleak']) {
      const error = thrown(build(name, last));
      expect(error, name).toBeInstanceOf(RangeError);
      expect((error as { code?: string }).code).toBe('NCP_INVALID_RANGE');
      expect((error as Error).message).toMatch(new RegExp(`expected an offset \\+ \\d+ elements ≤ ${model.parameters.length} \\(the parameter count\\) for offsets\\.${name.replace('.', '\\.')}, received offset ${last}`));
    }
  });
});
