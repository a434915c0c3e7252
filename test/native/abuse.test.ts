/**
 * Bad input never crashes the process: the TS layer and the native layer each refuse it with a TypeError or
 * RangeError naming the argument, what was expected and what was received. Concurrent async calls are safe.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { AutoNCP, CfC, LTC, tensor } from '../../src/index.js';
import { loadNative } from '../../src/backend/load.js';
import { thrown } from '../helpers/thrown.js';

const S = 3;

function ltc(dtype: 'float32' | 'float64' = 'float32'): LTC {
  return new LTC(S, new AutoNCP(10, 2, { seed: 3 }), { dtype, seed: 2 });
}

function input(B: number, L: number, dtype: 'float32' | 'float64' = 'float32') {
  const data = dtype === 'float32' ? new Float32Array(B * L * S) : new Float64Array(B * L * S);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i);
  return { data, shape: [B, L, S] };
}

function expectError(fn: () => unknown, cls: typeof TypeError | typeof RangeError, code: string, message: RegExp): void {
  const caught = thrown(fn);
  expect(caught, 'expected a throw').toBeInstanceOf(cls);
  expect((caught as { code?: string }).code).toBe(code);
  expect((caught as Error).message).toMatch(message);
}

describe('public API refuses bad input', () => {
  const model = ltc();

  it('wrong rank', () => {
    expectError(() => model.forward({ data: new Float32Array(6), shape: [6] }), RangeError, 'NCP_INVALID_RANGE', /LTC\.forward: expected rank 3 \(B×L×S\) or rank 2 \(L×S\) with S = 3 for input\.shape, received \[6\]/);
  });
  it('wrong feature size', () => {
    expectError(() => model.forward({ data: new Float32Array(2 * 5 * 4), shape: [2, 5, 4] }), RangeError, 'NCP_INVALID_RANGE', /for input\.shape, received \[2, 5, 4\]/);
  });
  it('data length does not match the shape', () => {
    expectError(() => model.forward({ data: new Float32Array(7), shape: [1, 2, 3] }), RangeError, 'NCP_INVALID_RANGE', /expected 6 elements for input\.data, received Float32Array\(7\)/);
  });
  it('wrong dtype', () => {
    expectError(() => model.forward(input(1, 2, 'float64')), TypeError, 'NCP_INVALID_TYPE', /expected a Float32Array \(the model's dtype is 'float32'\) for input\.data, received Float64Array\(6\)/);
  });
  it('not a tensor', () => {
    expectError(() => model.forward([1, 2, 3] as never), TypeError, 'NCP_INVALID_TYPE', /LTC\.forward: expected a tensor .* for input, received Array\(3\)/);
  });
  it('state of the wrong shape', () => {
    const state = tensor(new Float32Array(2 * 9), [2, 9]);
    expectError(() => model.forward(input(2, 3), { state }), RangeError, 'NCP_INVALID_RANGE', /expected \[2, 10\] \(B×H\) for options\.state\.shape, received \[2, 9\]/);
  });
  it('timespans ≤ 0 or not finite', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const ts = tensor(new Float32Array([1, 1, bad, 1, 1, 1]), [2, 3]);
      expectError(() => model.forward(input(2, 3), { timespans: ts }), RangeError, 'NCP_INVALID_RANGE', /expected finite elapsed times > 0 for options\.timespans \(element 2\)/);
    }
    expectError(() => model.step(tensor(new Float32Array(3), [3]), undefined, 0), RangeError, 'NCP_INVALID_RANGE', /LTC\.step: expected a finite number > 0 for dt, received number 0/);
  });
  it('timespans of the wrong shape', () => {
    expectError(() => model.forward(input(2, 3), { timespans: tensor(new Float32Array(6), [3, 2]) }), RangeError, 'NCP_INVALID_RANGE', /for options\.timespans\.shape, received \[3, 2\]/);
  });
  it('unknown options, modes and activations', () => {
    expectError(() => model.forward(input(1, 1), { timespan: 1 } as never), TypeError, 'NCP_INVALID_TYPE', /no such option .* for options\.timespan/);
    expectError(() => new CfC(S, 8, { mode: 'gated' as never }), RangeError, 'NCP_INVALID_RANGE', /CfC: expected one of 'default' \| 'no_gate' \| 'pure' for options\.mode, received string "gated"/);
    expectError(() => new CfC(S, 8, { activation: 'softsign' as never }), RangeError, 'NCP_INVALID_RANGE', /expected one of 'lecun_tanh' \| 'tanh' \| 'relu' \| 'gelu' \| 'silu' for options\.activation/);
    expectError(() => new CfC(S, new AutoNCP(10, 2), { backboneUnits: 4 }), TypeError, 'NCP_INVALID_TYPE', /no backbone option with a wiring/);
    expectError(() => new LTC(S, 8, { odeUnfolds: 0 }), RangeError, 'NCP_INVALID_RANGE', /expected an integer from 1 to 1000 for options\.odeUnfolds, received number 0/);
    expectError(() => new LTC(0, 8), RangeError, 'NCP_INVALID_RANGE', /expected a positive integer for inputSize, received number 0/);
  });
  it('dOutput of the wrong shape', () => {
    expectError(() => model.forwardBackward(input(2, 3), tensor(new Float32Array(5), [5])), RangeError, 'NCP_INVALID_RANGE', /for dOutput\.shape, received \[5\]/);
  });
  it('a wiring built for another input size', () => {
    const wiring = new AutoNCP(10, 2).build(4);
    expectError(() => new LTC(S, wiring), RangeError, 'NCP_INVALID_RANGE', /expected a wiring built for 3 inputs \(inputSize\) for wiring, received number 4/);
  });
});

describe('the native layer re-checks everything', () => {
  const { NativeModel } = loadNative();
  const model = ltc();
  const native = (model.sequenceBackend as unknown as { native(): InstanceType<typeof NativeModel> }).native();
  const B = 2;
  const L = 3;
  const H = model.stateSize;
  const good = () => ({
    version: 1,
    batch: B,
    steps: L,
    batchFirst: true,
    returnSequences: true,
    input: new Float32Array(B * L * S),
    output: new Float32Array(B * L * model.outputSize),
    hFinal: new Float32Array(B * H),
  });

  it('accepts a well-formed call', () => {
    expect(() => native.forward(good())).not.toThrow();
  });
  it('wrong typed-array type or dtype', () => {
    expectError(() => native.forward({ ...good(), input: new Float64Array(B * L * S) as never }), TypeError, 'NCP_INVALID_TYPE', /LTC\.forward: expected Float32Array \(B×L×S\) for input, received Float64Array\(18\)/);
    expectError(() => native.forward({ ...good(), input: [1, 2] as never }), TypeError, 'NCP_INVALID_TYPE', /for input, received Array\(2\)/);
  });
  it('wrong lengths', () => {
    expectError(() => native.forward({ ...good(), output: new Float32Array(3) }), RangeError, 'NCP_INVALID_RANGE', /expected Float32Array of length 12 \(B×L×outputs\) for output, received Float32Array\(3\)/);
    expectError(() => native.forward({ ...good(), batch: 0 }), RangeError, 'NCP_INVALID_RANGE', /expected an integer from 1 to .* for batch, received number 0/);
    expectError(() => native.forward({ ...good(), steps: 1.5 }), RangeError, 'NCP_INVALID_RANGE', /for steps, received number 1\.5/);
  });
  it('missing outputs', () => {
    const args = good() as Partial<ReturnType<typeof good>>;
    delete args.hFinal;
    expectError(() => native.forward(args as never), TypeError, 'NCP_INVALID_TYPE', /for hFinal, received undefined/);
  });
  it('outputs that alias inputs', () => {
    const shared = new Float32Array(B * L * S + B * H);
    const args = { ...good(), input: shared.subarray(0, B * L * S), hFinal: shared.subarray(B * L * S - 1, B * L * S - 1 + B * H) };
    expectError(() => native.forward(args), RangeError, 'NCP_INVALID_RANGE', /expected a buffer that does not overlap input for hFinal/);
  });
  it('timespans ≤ 0', () => {
    expectError(() => native.forward({ ...good(), timespans: new Float32Array(B * L).fill(-1) } as never), RangeError, 'NCP_INVALID_RANGE', /expected a finite number > 0 for timespans\[0\]/);
  });
  it('the fused loss call: bad loss name, target, class indices, mask values, index targets without crossEntropy', () => {
    const P = model.outputSize;
    const fused = () => ({
      ...good(),
      dInput: new Float32Array(B * L * S),
      dH0: new Float32Array(B * H),
      dParams: new Float32Array(model.parameters.length),
      loss: 'mse' as const,
      target: new Float32Array(B * L * P),
    });
    expect(native.forwardBackwardLoss(fused())).toEqual({ loss: expect.any(Number), count: B * L * P });
    expectError(() => native.forwardBackwardLoss({ ...fused(), loss: 'hinge' as never }), TypeError, 'NCP_INVALID_TYPE', /LTC\.forwardBackwardLoss: expected 'mse', 'mae', 'bce' or 'crossEntropy' for loss, received string "hinge"/);
    expectError(() => native.forwardBackwardLoss({ ...fused(), target: new Float32Array(3) }), RangeError, 'NCP_INVALID_RANGE', /expected Float32Array of length 12 \(the output shape\) for target, received Float32Array\(3\)/);
    expectError(() => native.forwardBackwardLoss({ ...fused(), target: undefined as never }), TypeError, 'NCP_INVALID_TYPE', /for target, received undefined/);
    const index = { ...fused(), loss: 'crossEntropy' as const, targetIsIndex: true };
    expectError(() => native.forwardBackwardLoss({ ...index, target: new Float32Array(B * L).fill(P) }), RangeError, 'NCP_INVALID_RANGE', new RegExp(`expected a class index, an integer in \\[0, ${P - 1}\\] for target\\[0\\], received number ${P}`));
    expectError(() => native.forwardBackwardLoss({ ...index, target: new Float32Array(B * L).fill(0.5) }), RangeError, 'NCP_INVALID_RANGE', /for target\[0\], received number 0\.5/);
    expectError(() => native.forwardBackwardLoss({ ...index, target: new Float32Array(B * L).fill(NaN) }), RangeError, 'NCP_INVALID_RANGE', /for target\[0\], received number NaN/);
    expectError(() => native.forwardBackwardLoss({ ...fused(), targetIsIndex: true }), TypeError, 'NCP_INVALID_TYPE', /expected false unless loss is 'crossEntropy' for targetIsIndex/);
    expectError(() => native.forwardBackwardLoss({ ...fused(), mask: new Float32Array(B * L).fill(2) }), RangeError, 'NCP_INVALID_RANGE', /expected 0 or 1 for mask\[0\], received number 2/);
    expectError(() => native.forwardBackwardLoss({ ...fused(), mask: new Float32Array(B * L * P) }), RangeError, 'NCP_INVALID_RANGE', /one 0\/1 per output position\) for mask/);
    const aliased = fused();
    expectError(() => native.forwardBackwardLoss({ ...aliased, target: aliased.output }), RangeError, 'NCP_INVALID_RANGE', /does not overlap/);
  });
  it('the fused loss call, async: refused at the call, the promise never created', () => {
    const args = { ...good(), dInput: new Float32Array(B * L * S), dParams: new Float32Array(model.parameters.length), loss: 'bce' as const, target: new Float32Array(2) };
    expectError(() => native.forwardBackwardLossAsync(args), RangeError, 'NCP_INVALID_RANGE', /LTC\.forwardBackwardLossAsync: expected Float32Array of length 12/);
  });
  it('a bound step function outliving its model refuses to run instead of touching freed memory', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const length = S + 1 + H + model.outputSize + H;
    const block = new Float32Array(length).fill(1);
    // The model stays reachable until the first step has run (a GC may come at any allocation, sooner on a slow
    // or instrumented run); only then is the last reference dropped.
    let own: InstanceType<typeof NativeModel> | undefined = (ltc().sequenceBackend as unknown as { native(): InstanceType<typeof NativeModel> }).native();
    const step = own.bindStep(1, block);
    expect(() => step(0)).not.toThrow();
    own = undefined;
    for (let i = 0; i < 6; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expectError(() => step(0), RangeError, 'NCP_INVALID_RANGE', /NativeModel\.step: expected a live model for the model, received one that was garbage-collected/);
  });
  it('the step block: bad bindStep arguments, a detached block, dt ≤ 0, a bad version, a collected model', () => {
    const fresh = ltc();
    const own = (fresh.sequenceBackend as unknown as { native(): InstanceType<typeof NativeModel> }).native();
    // x S + dt 1 + h H + output P + hFinal H
    const length = S + 1 + H + model.outputSize + H;
    expectError(() => own.bindStep(0, new Float32Array(length)), RangeError, 'NCP_INVALID_RANGE', /LTC\.bindStep: expected a positive integer for batch, received number 0/);
    expectError(() => own.bindStep(1, new Float32Array(length - 1)), RangeError, 'NCP_INVALID_RANGE', new RegExp(`expected Float32Array of length ${length} \\(the step block\\) for block, received Float32Array\\(${length - 1}\\)`));
    expectError(() => own.bindStep(1, new Float64Array(length) as never), TypeError, 'NCP_INVALID_TYPE', /expected Float32Array \(the step block\) for block, received Float64Array/);
    expectError(() => own.bindStep(1, new Float32Array(new SharedArrayBuffer(4 * length))), TypeError, 'NCP_INVALID_TYPE', /expected a typed array over an ArrayBuffer for block/);
    const block = new Float32Array(length);
    const step = own.bindStep(1, block);
    block.fill(0.5);
    block[S] = 0; // dt
    expectError(() => step(1), RangeError, 'NCP_INVALID_RANGE', /LTC\.step: expected a finite number > 0 for dt\[0\], received number 0/);
    block[S] = 1;
    expectError(() => (step as (v?: unknown) => void)('1'), TypeError, 'NCP_INVALID_TYPE', /LTC\.step: expected a number for version, received string/);
    expect(() => step(1)).not.toThrow();
    // The result is the model's: h after one step from h = 0.5 with x = 0.5, as forward computes it.
    const reference = fresh.forward(
      { data: new Float32Array(S).fill(0.5), shape: [1, 1, S] },
      { state: { data: new Float32Array(H).fill(0.5), shape: [1, H] } },
    );
    expect(Array.from(block.subarray(S + 1 + H + model.outputSize))).toEqual(Array.from((reference.state as { data: Float32Array }).data));
    structuredClone(block.buffer, { transfer: [block.buffer] }); // detaches the block
    expectError(() => step(1), RangeError, 'NCP_INVALID_RANGE', /expected the live block registered with bindStep for the step block, received a detached or replaced buffer/);
  });
  it('bad constructor configs', () => {
    expectError(() => new NativeModel({ api: 'LTC', cell: 'gru' as never, cellConfig: {}, params: new Float32Array(1), offsets: {}, mixedMemory: false, projSize: 0 }), RangeError, 'NCP_INVALID_RANGE', /expected one of 'ltc' \| 'cfc' \| 'wired_cfc' for cell, received string "gru"/);
    expectError(() => new NativeModel({ api: 'LTC', cell: 'ltc', cellConfig: {}, params: new Int32Array(1) as never, offsets: {}, mixedMemory: false, projSize: 0 }), TypeError, 'NCP_INVALID_TYPE', /expected .* for config\.inputSize|expected Float32Array or Float64Array for params/);
    expectError(() => new NativeModel({ api: 'LTC', cell: 'ltc', cellConfig: { inputSize: 3, units: 4, motorSize: 2, odeUnfolds: 6, epsilon: 1e-8, inputMapping: 'affine', outputMapping: 'affine', implicitParamConstraints: true }, params: new Float32Array(10), offsets: { 'rnn_cell.gleak': 99 }, mixedMemory: false, projSize: 0 }), RangeError, 'NCP_INVALID_RANGE', /offsets\.rnn_cell\.gleak/);
  });
});

describe('concurrency', () => {
  it('many async calls on one model give the same numbers as one synchronous call', async () => {
    const model = new CfC(S, new AutoNCP(12, 3, { seed: 5 }), { dtype: 'float64', seed: 4 });
    const x = input(16, 20, 'float64');
    const expected = model.forwardBackward(x, model.forward(x).output);
    const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? model.forwardAsync(x) : model.forwardBackwardAsync(x, expected.output))));
    for (const [i, r] of runs.entries()) {
      expect(Array.from(r.output.data)).toEqual(Array.from(expected.output.data));
      if (i % 2 === 0) expect(Array.from((r as typeof expected).grads.flat)).toEqual(Array.from(expected.grads.flat));
    }
  });

  it('the event loop keeps running during a large forwardBackwardAsync', async () => {
    const model = new LTC(S, new AutoNCP(32, 4, { seed: 5 }), { seed: 4 });
    const x = input(256, 50);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    await model.forwardBackwardAsync(x, { data: new Float32Array(256 * 50 * 4).fill(1), shape: [256, 50, 4] });
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // Timers fire while the native work runs on another thread: at least one tick per ~20 ms of work.
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 20));
    expect(ticks).toBeGreaterThan(0);
  });
});
