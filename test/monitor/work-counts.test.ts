/**
 * The FLOPs and bytes every native call reports (native/core/work.h, ltc_work.h, cfc.cpp) equal the analytic
 * formulas of docs/monitoring.md (re-derived in ./formulas.ts) for several wirings, cells, dtypes and call kinds.
 * Synapse counts come from the wiring (synapseCount, sensorySynapseCount), as the issue asks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AutoNCP, CfC, FullyConnected, LTC, NCP, Random, getNumThreads, type SequenceModel, type Wiring } from '../../src/index.js';
import { loadNative } from '../../src/backend/load.js';
import { startProfile, type Profile } from '../../src/monitor/index.js';
import { callWork, cfcWork, lstmWork, ltcWork, projectionWork, wiredCfcWork, type CellWork, type Mapping } from '../../src/monitor/work-formulas.js';

let running: Profile | undefined;
afterEach(() => {
  running?.stop();
  running = undefined;
});

function tensor(model: SequenceModel, shape: number[], seed = 1) {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37));
  return { data: model.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values), shape };
}

/** Profiles `run` and returns the one native call it made. */
function oneCall(run: () => void) {
  running = startProfile();
  run();
  const result = running.stop();
  running = undefined;
  expect(result.calls).toHaveLength(1);
  return result.calls[0];
}

interface Case {
  model: SequenceModel;
  cell: CellWork;
  kind: string;
}

function ltcCase(S: number, wiring: Wiring, options: { inputMapping?: Mapping; outputMapping?: Mapping; odeUnfolds?: number; dtype?: 'float32' | 'float64'; mixedMemory?: boolean; returnSequences?: boolean } = {}): Case {
  const model = new LTC(S, wiring, { seed: 3, ...options });
  const E = model.dtype === 'float64' ? 8 : 4;
  const cell = ltcWork(
    { S, N: wiring.units, M: wiring.outputDim, U: options.odeUnfolds ?? 6, inMap: options.inputMapping ?? 'affine', outMap: options.outputMapping ?? 'affine' },
    wiring.synapseCount,
    wiring.sensorySynapseCount,
    E,
  );
  return { model, cell, kind: 'ltc' };
}

function check(c: Case, call: { B: number; L: number; backward: boolean; timespans: boolean; h0: boolean; step?: boolean; dropoutSeed?: number }) {
  const { model } = c;
  const E = model.dtype === 'float64' ? 8 : 4;
  const { B, L } = call;
  const S = model.inputSize, H = model.stateSize;
  const input = tensor(model, [B, L, S]);
  const timespans = call.timespans ? { data: tensor(model, [B, L], 2).data.map((v) => 1 + 0.5 * v), shape: [B, L] } : undefined;
  const state = call.h0 ? (model.hasMixedMemory ? { h: tensor(model, [B, H], 3), c: tensor(model, [B, H], 4) } : tensor(model, [B, H], 3)) : undefined;
  const record = oneCall(() => {
    if (call.step) {
      model.step(tensor(model, [B, S]), state, timespans ? 0.7 : 1);
    } else if (call.backward) {
      const dOutput = tensor(model, model.returnSequences ? [B, L, model.outputSize] : [B, model.outputSize], 5);
      model.forwardBackward(input, dOutput, { timespans, state, ...(call.dropoutSeed ? { dropoutSeed: call.dropoutSeed } : {}) });
    } else {
      model.forward(input, { timespans, state });
    }
  });
  const cfc = model as CfC;
  const projSize = model instanceof CfC ? cfc.projSize : undefined;
  const cellOutputs = projSize === undefined ? model.outputSize : model instanceof CfC && cfc.layerSizes ? cfc.layerSizes.at(-1)! : cfc.units;
  const expected = callWork(c.cell, {
    B, L, S, H, P: model.outputSize, E,
    params: model.parameters.length,
    backward: call.backward,
    returnSequences: call.step ? false : model.returnSequences,
    // model.step hands the kernel its I/O block, which always carries dt and the state (zeros / 1 when not given).
    timespans: call.timespans || call.step === true,
    h0: call.h0 || call.step === true,
    dropoutSeed: call.dropoutSeed !== undefined,
    lstm: model.hasMixedMemory ? lstmWork(S, H, call.backward, E) : undefined,
    projection: projSize === undefined ? undefined : projectionWork(cellOutputs, projSize, call.backward, E),
    chunks: Math.min(B, getNumThreads()),
  });
  const name = `${c.kind}.${call.step ? 'step' : call.backward ? 'forwardBackward' : 'forward'}${E === 8 ? ' (f64)' : ''}`;
  expect(record.kernel).toBe(name);
  expect({ batch: record.batch, steps: record.steps }).toEqual({ batch: B, steps: L });
  expect({ flops: record.flops, bytesRead: record.bytesRead, bytesWritten: record.bytesWritten, uniqueBytes: record.uniqueBytes }).toEqual({
    flops: expected.flops,
    bytesRead: expected.bytesRead,
    bytesWritten: expected.bytesWritten,
    uniqueBytes: expected.uniqueBytes,
  });
  return record;
}

describe('LTC work counts equal the analytic formula', () => {
  it('FullyConnected(12, 3), affine mappings, float32: forward and forwardBackward with timespans', () => {
    const c = ltcCase(5, new FullyConnected(12, { outputDim: 3 }));
    expect((c.model as LTC).wiring.synapseCount).toBe(144);
    check(c, { B: 3, L: 4, backward: false, timespans: true, h0: false });
    check(c, { B: 3, L: 4, backward: true, timespans: true, h0: false });
  });

  it('Random(20, sparsity 0.5), linear/none mappings, 3 unfolds, float64, initial state', () => {
    const c = ltcCase(6, new Random(20, { outputDim: 4, sparsityLevel: 0.5, randomSeed: 7 }), { inputMapping: 'linear', outputMapping: 'none', odeUnfolds: 3, dtype: 'float64' });
    check(c, { B: 2, L: 5, backward: false, timespans: false, h0: true });
    check(c, { B: 5, L: 2, backward: true, timespans: false, h0: true });
  });

  it('AutoNCP(32, 4) with mixed memory and the last output only', () => {
    const c = ltcCase(8, new AutoNCP(32, 4, { seed: 5 }), { mixedMemory: true, returnSequences: false });
    check(c, { B: 4, L: 3, backward: false, timespans: true, h0: true });
    check(c, { B: 4, L: 3, backward: true, timespans: true, h0: false });
  });

  it('NCP wiring through the single-step path', () => {
    const wiring = new NCP({ interNeurons: 6, commandNeurons: 4, motorNeurons: 2, sensoryFanout: 3, interFanout: 2, recurrentCommandSynapses: 3, motorFanin: 2 });
    const c = ltcCase(3, wiring);
    check(c, { B: 1, L: 1, backward: false, timespans: true, h0: true, step: true });
    check(c, { B: 7, L: 1, backward: false, timespans: false, h0: false, step: true });
  });

  it('scales with B·L: doubling the batch doubles the cell FLOPs', () => {
    const c = ltcCase(4, new AutoNCP(16, 2, { seed: 1 }));
    const one = check(c, { B: 2, L: 6, backward: false, timespans: false, h0: false });
    const two = check(c, { B: 4, L: 6, backward: false, timespans: false, h0: false });
    expect(two.flops).toBe(2 * one.flops);
  });
});

describe('CfC work counts equal the analytic formula', () => {
  const vectorBytes = () => loadNative().kernelVectorBytes;

  it('CfC with a 2-layer silu backbone, dropout, projection, mixed memory (forwardBackward with a dropout seed)', () => {
    const model = new CfC(5, 16, { backboneUnits: 24, backboneLayers: 2, backboneDropout: 0.25, activation: 'silu', projSize: 3, mixedMemory: true, seed: 2 });
    const cell = cfcWork({ S: 5, N: 16, mode: 'default', activation: 'silu', units: 24, layers: 2, dropout: 0.25 }, vectorBytes(), 4);
    check({ model, cell, kind: 'cfc' }, { B: 3, L: 4, backward: false, timespans: true, h0: false });
    check({ model, cell, kind: 'cfc' }, { B: 3, L: 4, backward: true, timespans: true, h0: true, dropoutSeed: 9 });
    check({ model, cell, kind: 'cfc' }, { B: 3, L: 4, backward: true, timespans: false, h0: false });
  });

  it('CfC without a backbone in pure mode, float64, gelu', () => {
    const model = new CfC(7, 9, { backboneLayers: 0, mode: 'pure', activation: 'gelu', dtype: 'float64', seed: 2 });
    const cell = cfcWork({ S: 7, N: 9, mode: 'pure', activation: 'gelu', units: 128, layers: 0, dropout: 0 }, vectorBytes(), 8);
    check({ model, cell, kind: 'cfc' }, { B: 2, L: 3, backward: true, timespans: true, h0: false });
  });

  for (const mode of ['default', 'no_gate', 'pure'] as const) {
    it(`wired CfC on AutoNCP(20, 3), mode ${mode}: masked rows counted as executed`, () => {
      const wiring = new AutoNCP(20, 3, { seed: 4 });
      const model = new CfC(4, wiring, { mode, seed: 2 });
      const cell = wiredCfcWork(4, model.layerSizes!, mode, vectorBytes(), 4);
      check({ model, cell, kind: 'wired_cfc' }, { B: 2, L: 5, backward: false, timespans: true, h0: false });
      check({ model, cell, kind: 'wired_cfc' }, { B: 2, L: 5, backward: true, timespans: true, h0: true });
    });
  }
});

describe('profiling switch', () => {
  it('records nothing while no profile runs', () => {
    const native = loadNative();
    const model = new LTC(3, 8, { seed: 1 });
    native.drainProfile();
    expect(native.isProfiling()).toBe(false);
    model.forward(tensor(model, [2, 3, 3]));
    model.step(tensor(model, [3]));
    expect(native.drainProfile().count).toBe(0);
  });
});
