/**
 * OnnxPolicy beyond parity: provider choice and placement reporting, every tensor layout model.forward and
 * model.step accept (time-major, unbatched, last output only, float64), files on disk, and an exported file
 * loaded by plain onnxruntime-node in a fresh process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoNCP, CfC, LTC } from '../../src/index.js';
import type { State } from '../../src/models/sequence-model.js';
import type { Tensor } from '../../src/models/tensor.js';
import { exportOnnx, OnnxPolicy } from '../../src/onnx/index.js';
import { placementFromProfile, providerFromPlacement } from '../../src/onnx/runtime.js';
import { relativeError } from '../helpers/fixtures.js';

const S = 4;
const isAppleSilicon = process.platform === 'darwin' && process.arch === 'arm64';
const tempDir = mkdtempSync(join(tmpdir(), 'ncp-onnx-test-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

function values(length: number, seed: number, low = -1, high = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return low + ((high - low) * s) / 2 ** 32;
  });
}

const h = (state: State): Tensor => ('h' in state ? state.h : state);

function expectClose(actual: Tensor, expected: Tensor, tolerance = 1e-5): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.data.constructor).toBe(expected.data.constructor);
  expect(relativeError(actual.data, expected.data)).toBeLessThan(tolerance);
}

describe('providers', () => {
  it("'auto' picks the CPU off Apple Silicon and reports it", async () => {
    const policy = await OnnxPolicy.create(exportOnnx(new LTC(S, 4)));
    try {
      if (!isAppleSilicon) {
        expect(policy.requestedProviders).toEqual(['cpu']);
        expect(policy.provider).toBe('cpu');
        expect(policy.placement).toBeUndefined();
      } else {
        expect(policy.requestedProviders).toEqual(['coreml', 'cpu']);
      }
    } finally {
      await policy.dispose();
    }
  });

  it('a profiled run reports where every node ran', async () => {
    const policy = await OnnxPolicy.create(exportOnnx(new CfC(S, new AutoNCP(8, 2))), { executionProviders: 'cpu', probePlacement: true });
    try {
      expect(policy.provider).toBe('cpu');
      expect(Object.keys(policy.placement!)).toEqual(['CPUExecutionProvider']);
      expect(policy.placement!.CPUExecutionProvider).toBeGreaterThan(10);
    } finally {
      await policy.dispose();
    }
  });

  it('reads Core ML partitions from a profile trace', () => {
    const events = [
      { cat: 'Session', name: 'model_run', args: {} },
      { cat: 'Node', name: 'CoreMLExecutionProvider_CoreML_1_0_fence_before', args: { op_name: 'CoreML_1' } },
      { cat: 'Node', name: 'CoreMLExecutionProvider_CoreML_1_0_kernel_time', args: { provider: 'CoreMLExecutionProvider' } },
      { cat: 'Node', name: 'abs_3_kernel_time', args: { provider: 'CPUExecutionProvider' } },
    ];
    expect(placementFromProfile(events)).toEqual({ CoreMLExecutionProvider: 1, CPUExecutionProvider: 1 });
    expect(providerFromPlacement({ CoreMLExecutionProvider: 1, CPUExecutionProvider: 1 })).toBe('coreml+cpu');
    expect(providerFromPlacement({ CoreMLExecutionProvider: 1 })).toBe('coreml');
    expect(providerFromPlacement({ CPUExecutionProvider: 9 })).toBe('cpu');
    expect(placementFromProfile('not a trace')).toEqual({});
  });
});

// Runs where onnxruntime-node has its Core ML provider (the macOS arm64 CI job); skipped elsewhere.
describe.runIf(isAppleSilicon)('Core ML provider (macOS arm64)', () => {
  const model = new CfC(S, new AutoNCP(10, 3), { mixedMemory: true });
  const input = { data: values(2 * 4 * S, 9), shape: [2, 4, S] };

  it("a target 'coreml' graph runs entirely on Core ML, within the float16 tolerance (the ANE computes in float16)", async () => {
    const policy = await OnnxPolicy.create(exportOnnx(model, { mode: 'sequence', sequenceLength: 4, batch: 2, target: 'coreml' }), { executionProviders: 'coreml' });
    try {
      expect(policy.provider).toBe('coreml');
      expect(Object.keys(policy.placement!)).toEqual(['CoreMLExecutionProvider']);
      const expected = model.forward(input);
      expect(relativeError((await policy.run(input)).output.data, expected.output.data)).toBeLessThan(5e-3);
    } finally {
      await policy.dispose();
    }
  });

  it("an explicit 'coreml' refuses a dynamic-batch graph that would run on the CPU", async () => {
    const error = await OnnxPolicy.create(exportOnnx(model), { executionProviders: 'coreml' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe('NCP_BACKEND_UNAVAILABLE');
    expect((error as Error).message).toMatch(/could not run this graph entirely on Core ML/);
  });
});

describe('layouts', () => {
  it('time-major models: sequence and step graphs take (L×B×S) and return (L×B×P)', async () => {
    const model = new CfC(S, 6, { batchFirst: false, backboneUnits: 8, mixedMemory: true });
    const [L, B] = [5, 2];
    const input = { data: values(L * B * S, 1), shape: [L, B, S] };
    const timespans = { data: values(L * B, 2, 0.5, 1.5), shape: [L, B] };
    const expected = model.forward(input, { timespans });
    for (const bytes of [exportOnnx(model, { mode: 'sequence', sequenceLength: L }), exportOnnx(model)]) {
      const policy = await OnnxPolicy.create(bytes, { executionProviders: 'cpu' });
      const actual = await policy.run(input, { timespans });
      expectClose(actual.output, expected.output);
      expectClose(h(actual.state), h(expected.state));
      await policy.dispose();
    }
  });

  it('unbatched inputs: (L×S) sequences and (S) steps with (H) states', async () => {
    const model = new LTC(S, new AutoNCP(8, 2));
    const L = 4;
    const input = { data: values(L * S, 3), shape: [L, S] };
    const expected = model.forward(input);
    const policy = await OnnxPolicy.create(exportOnnx(model, { mode: 'sequence', sequenceLength: L, batch: 1, target: 'coreml' }), { executionProviders: 'cpu' });
    const actual = await policy.run(input);
    expectClose(actual.output, expected.output);
    expectClose(h(actual.state), h(expected.state));
    await policy.dispose();

    const stepPolicy = await OnnxPolicy.create(exportOnnx(model), { executionProviders: 'cpu' });
    const x = { data: values(S, 4), shape: [S] };
    const state = { data: values(8, 5, 0, 0.3), shape: [8] };
    const stepExpected = model.step(x, state, 0.25);
    const stepActual = await stepPolicy.step(x, state, 0.25);
    expectClose(stepActual.output, stepExpected.output);
    expectClose(h(stepActual.state), h(stepExpected.state));
    await stepPolicy.dispose();
  });

  it('returnSequences false returns only the last output', async () => {
    const model = new CfC(S, new AutoNCP(8, 2), { returnSequences: false, projSize: 3 });
    const input = { data: values(2 * 5 * S, 6), shape: [2, 5, S] };
    const expected = model.forward(input);
    for (const bytes of [exportOnnx(model, { mode: 'sequence', sequenceLength: 5 }), exportOnnx(model)]) {
      const policy = await OnnxPolicy.create(bytes, { executionProviders: 'cpu' });
      const actual = await policy.run(input);
      expect(actual.output.shape).toEqual([2, 3]);
      expectClose(actual.output, expected.output);
      await policy.dispose();
    }
  });

  it('a float64 model: Float64Array in, Float64Array out, within float32 precision', async () => {
    const model = new LTC(S, 5, { dtype: 'float64', mixedMemory: true });
    const input = { data: Float64Array.from(values(3 * 4 * S, 7)), shape: [3, 4, S] };
    const expected = model.forward(input);
    const policy = await OnnxPolicy.create(exportOnnx(model, { mode: 'sequence', sequenceLength: 4 }), { executionProviders: 'cpu' });
    const actual = await policy.run(input);
    expectClose(actual.output, expected.output);
    expect('c' in actual.state && actual.state.c.data).toBeInstanceOf(Float64Array);
    await policy.dispose();
  });
});

describe('files', () => {
  const model = new CfC(S, new AutoNCP(10, 3), { mode: 'no_gate' });
  const path = join(tempDir, 'policy.onnx');
  writeFileSync(path, exportOnnx(model, { mode: 'sequence', sequenceLength: 3, batch: 2, target: 'coreml' }));
  const input = { data: values(2 * 3 * S, 8), shape: [2, 3, S] };

  it('OnnxPolicy.create loads a path', async () => {
    const policy = await OnnxPolicy.create(path, { executionProviders: 'cpu' });
    expectClose((await policy.run(input)).output, model.forward(input).output);
    await policy.dispose();
  });

  it('an exported file loads in plain onnxruntime-node from a fresh process', async () => {
    const script = `
      const ort = require('onnxruntime-node');
      (async () => {
        const session = await ort.InferenceSession.create(process.argv[1], { executionProviders: ['cpu'] });
        const feeds = {
          x: new ort.Tensor('float32', Float32Array.from(JSON.parse(process.argv[2])), [2, 3, ${S}]),
          timespans: new ort.Tensor('float32', new Float32Array(6).fill(1), [2, 3]),
          state: new ort.Tensor('float32', new Float32Array(2 * ${model.stateSize}), [2, ${model.stateSize}]),
        };
        const out = await session.run(feeds);
        console.log(JSON.stringify({ inputs: session.inputNames, outputs: session.outputNames, y: Array.from(out.y.data), dims: out.y.dims }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const stdout = execFileSync(process.execPath, ['-e', script, path, JSON.stringify(Array.from(input.data))], { cwd: process.cwd(), encoding: 'utf8' });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.inputs).toEqual(['x', 'timespans', 'state']);
    expect(result.outputs).toEqual(['y', 'next_state']);
    expect(result.dims).toEqual([2, 3, 3]);
    expect(relativeError(result.y, model.forward(input).output.data)).toBeLessThan(1e-5);
  });
});
