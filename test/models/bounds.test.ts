/**
 * Sizes that used to kill the process (issue 11, §2): each is now refused by a SizeLimitError (a RangeError with
 * code NCP_SIZE_LIMIT) naming the argument, the allowed range and the value, before anything of that size is
 * allocated. Before, these aborted V8, were OOM-killed, ran for minutes or threw an untyped
 * "Invalid typed array length". The largest sizes allowed are still accepted.
 */
import { describe, expect, it } from 'vitest';
import { AutoNCP, CfC, FullyConnected, LIMITS, LTC, NCP, PolarityMatrix, Random, SizeLimitError, Wiring } from '../../src/index.js';
import { loadNative } from '../../src/backend/load.js';
import { buildParamLayout, checkParameterBytes } from '../../src/backend/param-layout.js';
import { thrown } from '../helpers/thrown.js';

/** The error `fn` throws must be the size-limit error of `limit`, its message naming `argument` and `received`. */
function expectLimit(fn: () => unknown, limit: keyof typeof LIMITS, argument: string, received: string): SizeLimitError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(SizeLimitError);
  expect(error).toBeInstanceOf(RangeError);
  const e = error as SizeLimitError;
  expect(e.code).toBe('NCP_SIZE_LIMIT');
  expect(e.limit).toBe(limit);
  expect(e.message).toContain(`LIMITS.${limit}`);
  expect(e.message).toContain(` for ${argument}, `);
  expect(e.message).toContain(received);
  return e;
}

describe('LIMITS', () => {
  it('is one frozen object of positive integers', () => {
    expect(Object.isFrozen(LIMITS)).toBe(true);
    for (const value of Object.values(LIMITS)) expect(Number.isSafeInteger(value) && value > 0).toBe(true);
  });
});

describe('model and wiring sizes are refused before anything is allocated', () => {
  it('units', () => {
    const range = `an integer from 1 to ${LIMITS.maxUnits} (LIMITS.maxUnits)`;
    expect(expectLimit(() => new LTC(3, 1e9), 'maxUnits', 'units', 'number 1000000000').message).toBe(
      `LTC: expected ${range} for units, received number 1000000000.`,
    );
    expectLimit(() => new LTC(3, 20000), 'maxUnits', 'units', 'number 20000');
    expectLimit(() => new CfC(3, 1e9), 'maxUnits', 'units', 'number 1000000000');
    expectLimit(() => new AutoNCP(1e9, 4), 'maxUnits', 'units', 'number 1000000000');
    expectLimit(() => new FullyConnected(1e9), 'maxUnits', 'units', 'number 1000000000');
    expectLimit(() => new Random(1e6), 'maxUnits', 'units', 'number 1000000');
    expectLimit(() => new Wiring(LIMITS.maxUnits + 1), 'maxUnits', 'units', `number ${LIMITS.maxUnits + 1}`);
    const ncp = { interNeurons: 1e9, commandNeurons: 4, motorNeurons: 2, sensoryFanout: 1, interFanout: 1, recurrentCommandSynapses: 1, motorFanin: 1 };
    expectLimit(() => new NCP(ncp), 'maxUnits', 'interNeurons + commandNeurons + motorNeurons', 'number 1000000006');
  });

  it('inputs', () => {
    expectLimit(() => new LTC(1e8, 4), 'maxInputs', 'inputSize', 'number 100000000');
    expectLimit(() => new CfC(1e8, 4), 'maxInputs', 'inputSize', 'number 100000000');
    expectLimit(() => new FullyConnected(4).build(1e9), 'maxInputs', 'inputDim', 'number 1000000000');
    expectLimit(() => new PolarityMatrix(1e9, 1e9), 'maxInputs', 'rows', 'number 1000000000');
  });

  it('a wiring restored from JSON', () => {
    const config = { units: 1e9, input_dim: null, output_dim: 1, adjacency_matrix: [], sensory_adjacency_matrix: null };
    expectLimit(() => Wiring.fromJSON(config), 'maxUnits', 'json.units', 'number 1000000000');
    const json = { ...new FullyConnected(2).toJSON(), inputDim: 1e9, sensoryAdjacencyMatrix: [] };
    expectLimit(() => Wiring.fromJSON(json), 'maxInputs', 'json.inputDim', 'number 1000000000');
  });

  it('the CfC backbone and the projection', () => {
    expectLimit(() => new CfC(3, 4, { projSize: 1e9 }), 'maxProjSize', 'options.projSize', 'number 1000000000');
    expectLimit(() => new CfC(3, 4, { backboneUnits: 1e9 }), 'maxBackboneUnits', 'options.backboneUnits', 'number 1000000000');
    expectLimit(() => new CfC(3, 4, { backboneLayers: 1e9 }), 'maxBackboneLayers', 'options.backboneLayers', 'number 1000000000');
  });

  it('total parameter bytes, for sizes each within its own bound', () => {
    // 6·N² LTC parameters: 2.4 GB at N = 10000 in float32 (this grew past 24 GB with the native copies before).
    const ltc = expectLimit(() => new LTC(3, 10000), 'maxParameterBytes', 'the parameters (inputSize 3, units 10000, float32)', 'values of 4 bytes');
    expect(ltc.message).toMatch(/expected at most 1 GiB \(LIMITS\.maxParameterBytes = 1073741824 bytes\)/);
    expectLimit(() => new LTC(3, 8000, { dtype: 'float64' }), 'maxParameterBytes', 'the parameters (inputSize 3, units 8000, float64)', 'values of 8 bytes');
    // Before: "Invalid typed array length: …" (an untyped RangeError) or a multi-GiB allocation.
    expectLimit(() => new CfC(3, 4, { backboneUnits: 65536, backboneLayers: 64 }), 'maxParameterBytes', 'the parameters (inputSize 3, units 4, backboneUnits 65536, backboneLayers 64, float32)', 'received 1010 GiB');
    expectLimit(() => new CfC(3, 16384, { projSize: 65536 }), 'maxParameterBytes', 'the parameters (inputSize 3, units 16384, backboneUnits 128, backboneLayers 1, projSize 65536, float32)', 'values of 4 bytes');
  });

  it('the parameter bound is inclusive', () => {
    const elements = LIMITS.maxParameterBytes / 4;
    expect(() => checkParameterBytes('X', buildParamLayout([{ name: 'w', shape: [elements], trainable: true }]), 4, 'w')).not.toThrow();
    expectLimit(() => checkParameterBytes('X', buildParamLayout([{ name: 'w', shape: [elements + 1], trainable: true }]), 4, 'w'), 'maxParameterBytes', 'the parameters (w)', `${elements + 1} values`);
  });

  it('non-integer, negative, NaN and infinite sizes stay plain argument errors', () => {
    for (const bad of [2.5, -3, 0, NaN, Infinity]) {
      const error = thrown(() => new LTC(3, bad)) as RangeError & { code: string };
      expect(error).toBeInstanceOf(RangeError);
      expect(error).not.toBeInstanceOf(SizeLimitError);
      expect(error.code).toBe('NCP_INVALID_RANGE');
    }
    expect((thrown(() => new CfC(3, 4, { projSize: '9' as unknown as number })) as TypeError & { code: string }).code).toBe('NCP_INVALID_TYPE');
  });
});

describe('the largest sizes allowed are accepted', () => {
  it('units, inputs, backbone and projection at their bounds', () => {
    expect(new Wiring(LIMITS.maxUnits).units).toBe(LIMITS.maxUnits);
    const wide = new CfC(LIMITS.maxInputs, LIMITS.maxUnits, { backboneUnits: 4, backboneLayers: 1 });
    expect([wide.inputSize, wide.units]).toEqual([LIMITS.maxInputs, LIMITS.maxUnits]);
    const deep = new CfC(3, 4, { backboneUnits: 8, backboneLayers: LIMITS.maxBackboneLayers, projSize: LIMITS.maxProjSize });
    expect(deep.outputSize).toBe(LIMITS.maxProjSize);
    expect(new CfC(3, 4, { backboneUnits: LIMITS.maxBackboneUnits }).backboneUnits).toBe(LIMITS.maxBackboneUnits);
  });
});

describe('sequence calls are refused before their arrays are allocated', () => {
  const CALL = 'the memory of this call (results and native workspace)';

  it('batch × length above maxBatchSteps', () => {
    const model = new CfC(1, 2, { backboneUnits: 4 });
    const L = LIMITS.maxBatchSteps + 1;
    // Zero-filled pages that are never touched: cheap. Before, this ran 134 million steps (minutes).
    const input = { data: new Float32Array(L), shape: [1, L, 1] };
    expectLimit(() => model.forward(input), 'maxBatchSteps', 'input.shape', `[1, ${L}, 1] (1 × ${L} = ${L})`);
  });

  it('a call whose results and workspace exceed maxWorkspaceBytes', async () => {
    const model = new CfC(1, 2000, { backboneUnits: 8 });
    const L = 2 ** 22;
    const input = { data: new Float32Array(L), shape: [1, L, 1] };
    // Before: "Invalid typed array length: 8388608000", an untyped RangeError.
    expectLimit(() => model.forward(input), 'maxWorkspaceBytes', CALL, 'for batch 1, length 4194304');
    await expect(model.forwardAsync(input)).rejects.toBeInstanceOf(SizeLimitError);
  });

  it('training: the backpropagation tape over a long sequence', () => {
    const model = new LTC(1, 200, { returnSequences: false, odeUnfolds: 100 });
    const L = 30_000; // 2·100·200 tape values per step: 4.8 GB of native tape (an OOM kill or minutes of work before)
    const input = { data: new Float32Array(L), shape: [1, L, 1] };
    const dOutput = { data: new Float32Array(200), shape: [1, 200] };
    expectLimit(() => model.forwardBackward(input, dOutput), 'maxWorkspaceBytes', CALL, 'for batch 1, length 30000 with gradients');
    // A shorter sequence trains.
    const short = model.forwardBackward({ data: new Float32Array(4), shape: [1, 4, 1] }, dOutput);
    expect(short.grads.flat.length).toBe(model.parameters.length);
  });

  it('step with a batch whose I/O block would not fit', () => {
    const B = 2 ** 20;
    const x = { data: new Float32Array(B), shape: [B, 1] };
    for (const backend of ['cpu', 'reference'] as const) {
      const model = new CfC(1, 2000, { backboneUnits: 4, backend });
      // Before: "Invalid typed array length: 6295650304" (an untyped RangeError) for the step block.
      expectLimit(() => model.step(x), 'maxWorkspaceBytes', CALL, 'for batch 1048576, length 1');
    }
  });
});

describe('the native addon checks the same bounds when called directly', () => {
  const ltcConfig = { inputSize: 3, units: 4, motorSize: 4, odeUnfolds: 6, epsilon: 1e-8, inputMapping: 'affine', outputMapping: 'affine', implicitParamConstraints: true };
  const base = { api: 'Direct', cell: 'ltc', cellConfig: ltcConfig, params: new Float32Array(8), offsets: {}, mixedMemory: false, projSize: 0 };
  const cfcConfig = { inputSize: 3, units: 4, mode: 'default', activation: 'tanh', backboneUnits: 8, backboneLayers: 1, backboneDropout: 0 };
  const cases: [string, object, string][] = [
    ['config.units', { ...base, cellConfig: { ...ltcConfig, units: 20000, motorSize: 1 } }, 'LIMITS.maxUnits'],
    ['config.inputSize', { ...base, cellConfig: { ...ltcConfig, inputSize: 1e8 } }, 'LIMITS.maxInputs'],
    ['projSize', { ...base, projSize: 1e9 }, 'LIMITS.maxProjSize'],
    ['config.backboneUnits', { ...base, cell: 'cfc', cellConfig: { ...cfcConfig, backboneUnits: 1e9 } }, 'LIMITS.maxBackboneUnits'],
    ['config.layerSizes', { ...base, cell: 'wired_cfc', cellConfig: { inputSize: 3, mode: 'default', layerSizes: [10000, 10000] } }, 'LIMITS.maxUnits'],
    ['params', { ...base, params: new Float32Array(LIMITS.maxParameterBytes / 4 + 1) }, 'LIMITS.maxParameterBytes'],
  ];
  it.each(cases)('%s', (name, config, limit) => {
    const { NativeModel } = loadNative();
    const error = thrown(() => new NativeModel(config as never)) as RangeError & { code: string };
    expect(error).toBeInstanceOf(RangeError);
    expect(error.code).toBe('NCP_SIZE_LIMIT');
    expect(error.message).toContain(` for ${name}, `);
    expect(error.message).toContain(limit);
  });
});
