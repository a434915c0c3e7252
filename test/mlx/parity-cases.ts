/**
 * The MLX parity checks, shared by parity.test.ts (the default path) and compile.test.ts (compiled steps): one
 * ncps fixture run on MLX against ncps's float64 numbers, and random models across the option space against the
 * CPU backend.
 */
import { expect } from 'vitest';
import { AutoNCP } from '../../src/wiring/index.js';
import { CfC } from '../../src/models/cfc.js';
import { LTC } from '../../src/models/ltc.js';
import type { SequenceModel } from '../../src/models/sequence-model.js';
import { modelFromFixture } from '../helpers/fixture-models.js';
import { flat, loadModelFixture, MODEL_FIXTURES, relativeError } from '../helpers/fixtures.js';
import { expectClose, requireMlx, runCpu, runMlx, sequenceArgs, type CallShape } from './harness.js';

export type FixtureName = (typeof MODEL_FIXTURES)[number];
export type FixtureRun = 'uniform_float32' | 'timespans_float32';

/** One fixture's float32 run on MLX within 1e-5 relative (2-norm) of ncps's float64 numbers: outputs, final
 * state, every gradient. */
export function expectFixtureParity(name: FixtureName, runName: FixtureRun): void {
  const mlx = requireMlx();
  const fixture = loadModelFixture(name);
  const [B, L, S] = fixture.input.shape;
  const run = fixture.runs[runName];
  const reference = fixture.runs[runName.replace('float32', 'float64') as 'uniform_float64' | 'timespans_float64'];
  const model = modelFromFixture(name, fixture, 'float32', 'cpu');
  const mlxModel = new mlx.MlxModel(model.nativeModelConfig());
  const P = model.outputSize, H = model.stateSize;
  const outLength = run.outputs_shape.reduce((a, b) => a * b, 1);
  const mixed = model.hasMixedMemory;
  const args = {
    version: 1, batch: B, steps: L, batchFirst: true, returnSequences: fixture.return_sequences,
    input: Float32Array.from(flat(fixture.input.values)),
    timespans: run.uses_timespans ? Float32Array.from(flat(fixture.timespans.values)) : undefined,
    output: new Float32Array(outLength), hFinal: new Float32Array(B * H), cFinal: mixed ? new Float32Array(B * H) : undefined,
    dOutput: new Float32Array(outLength), dInput: new Float32Array(B * L * S),
    dTimespans: run.uses_timespans ? new Float32Array(B * L) : undefined,
    dParams: new Float32Array(model.parameters.length),
  };
  // ncps's loss is Σ out², so dL/d out = 2·out: the forward first, then forwardBackward with that gradient.
  mlxModel.forward(args);
  args.dOutput = args.output.map((v) => 2 * v);
  mlxModel.forwardBackward(args);
  expect(P).toBe(run.outputs_shape.at(-1));
  expect(relativeError(args.output, flat(reference.outputs))).toBeLessThan(1e-5);
  const finalHidden = reference.final_hidden;
  if (typeof finalHidden === 'object' && !Array.isArray(finalHidden)) {
    expect(relativeError(args.hFinal, flat(finalHidden.h))).toBeLessThan(1e-5);
    expect(relativeError(args.cFinal!, flat(finalHidden.c))).toBeLessThan(1e-5);
  } else {
    expect(relativeError(args.hFinal, flat(finalHidden))).toBeLessThan(1e-5);
  }
  let checked = 0;
  for (const [param, grad] of Object.entries(reference.grad_params)) {
    if (grad === null) continue;
    const offset = model.layout.offsets[param];
    const size = flat(grad).length;
    expect(relativeError(args.dParams.subarray(offset, offset + size), flat(grad)), `grad ${param}`).toBeLessThan(1e-5);
    checked++;
  }
  expect(checked).toBeGreaterThan(3);
  expect(relativeError(args.dInput, flat(reference.grad_input))).toBeLessThan(1e-5);
  if (run.uses_timespans) expect(relativeError(args.dTimespans!, flat(reference.grad_timespans!))).toBeLessThan(1e-5);
}

const S = 5;
export const RANDOM_MODELS: Record<string, () => SequenceModel> = {
  'LTC FullyConnected(6)': () => new LTC(S, 6, { seed: 3 }),
  'LTC AutoNCP(12, 3), mixed memory': () => new LTC(S, new AutoNCP(12, 3, { seed: 7 }), { seed: 4, mixedMemory: true }),
  'LTC linear/none mappings, no implicit constraints, 3 unfolds': () =>
    new LTC(S, 7, { seed: 5, inputMapping: 'linear', outputMapping: 'none', implicitParamConstraints: false, odeUnfolds: 3 }),
  'CfC default lecun_tanh, 2 backbone layers': () => new CfC(S, 6, { seed: 6, backboneUnits: 10, backboneLayers: 2 }),
  'CfC no_gate silu, projection': () => new CfC(S, 6, { seed: 7, mode: 'no_gate', activation: 'silu', backboneUnits: 9, projSize: 3 }),
  'CfC pure relu, mixed memory': () => new CfC(S, 5, { seed: 8, mode: 'pure', activation: 'relu', backboneUnits: 8, mixedMemory: true }),
  'CfC gelu, no backbone': () => new CfC(S, 4, { seed: 9, activation: 'gelu', backboneLayers: 0 }),
  'CfC tanh, 3 layers with dropout': () => new CfC(S, 4, { seed: 10, activation: 'tanh', backboneUnits: 8, backboneLayers: 3, backboneDropout: 0.3 }),
  'wired CfC AutoNCP(10, 2) default, projection': () => new CfC(S, new AutoNCP(10, 2, { seed: 11 }), { seed: 12, projSize: 4 }),
  'wired CfC AutoNCP(9, 2) pure, mixed memory': () => new CfC(S, new AutoNCP(9, 2, { seed: 13 }), { seed: 14, mode: 'pure', mixedMemory: true }),
};

export const CALLS: Record<string, CallShape> = {
  'batch-first, timespans, initial state': { batch: 3, steps: 4, timespans: true, initialState: true },
  'time-major, last output only': { batch: 2, steps: 3, batchFirst: false, returnSequences: false, timespans: true },
  'Δ = 1, one step': { batch: 1, steps: 1 },
};

/** forward and forwardBackward of `model` on MLX within 1e-5 of the CPU backend. */
export function expectCpuParity(model: SequenceModel, shape: CallShape): void {
  requireMlx();
  const config = model.nativeModelConfig();
  for (const backward of [false, true]) {
    const cpu = runCpu(config, sequenceArgs(model, shape, 42, backward), backward);
    const mlx = runMlx(config, sequenceArgs(model, shape, 42, backward), backward);
    expectClose(mlx, cpu, model, 1e-5, backward ? 'forwardBackward' : 'forward');
  }
}

/** Backbone dropout in training drops the same units on MLX as on the CPU backend (same dropoutSeed). */
export function expectDropoutParity(): void {
  requireMlx();
  const model = RANDOM_MODELS['CfC tanh, 3 layers with dropout']();
  const shape: CallShape = { batch: 3, steps: 4, timespans: true, dropoutSeed: 1234 };
  const config = model.nativeModelConfig();
  const cpu = runCpu(config, sequenceArgs(model, shape, 5, true), true);
  const mlx = runMlx(config, sequenceArgs(model, shape, 5, true), true);
  expectClose(mlx, cpu, model, 1e-5, 'dropout');
  const inference = runCpu(config, sequenceArgs(model, { ...shape, dropoutSeed: 0 }, 5, true), true);
  expect(relativeError(mlx.dParams, inference.dParams)).toBeGreaterThan(1e-3);  // the masks did something
}
