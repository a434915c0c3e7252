/**
 * Bad exports and bad runtime calls fail early, with the error class, code and message shape of STYLE.md:
 * `<Api>: expected <what> for <argument>, received <description>.`
 */
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, CfC, LTC, NcpError, NotImplementedError, OnnxRuntimeError } from '../../src/index.js';
import { exportOnnx, OnnxPolicy } from '../../src/onnx/index.js';
import { decodeModel, encodeModel, GraphBuilder } from '../../src/onnx/graph-builder.js';

type ErrorClass = abstract new (...args: any[]) => Error;

function expectError(fn: () => unknown, ErrorClass: ErrorClass, code: string, message: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'should throw').toBeInstanceOf(ErrorClass);
  expect((error as { code?: string }).code).toBe(code);
  expect((error as Error).message).toMatch(message);
}

async function expectRejection(promise: Promise<unknown>, ErrorClass: ErrorClass, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'should reject').toBeInstanceOf(ErrorClass);
  expect((error as { code?: string }).code).toBe(code);
  expect((error as Error).message).toMatch(message);
}

const model = new LTC(3, 4);

describe('exportOnnx option errors', () => {
  it('refuses a dynamic batch with target coreml', () => {
    expectError(
      () => exportOnnx(model, { target: 'coreml', batch: 'dynamic' }),
      RangeError,
      'NCP_INVALID_RANGE',
      /^exportOnnx: expected a fixed batch size with target 'coreml' \(Core ML needs static shapes; use a positive integer\) for options\.batch, received string "dynamic"\.$/,
    );
  });

  it.each([0, -2, 2.5, 5000])('refuses sequenceLength %s', (sequenceLength) => {
    expectError(() => exportOnnx(model, { mode: 'sequence', sequenceLength }), RangeError, 'NCP_INVALID_RANGE', /^exportOnnx: expected an integer from 1 to 4096 for options\.sequenceLength, received number -?[\d.]+\.$/);
  });

  it('needs sequenceLength with mode sequence, and refuses it with mode step', () => {
    expectError(() => exportOnnx(model, { mode: 'sequence' }), TypeError, 'NCP_INVALID_TYPE', /for options\.sequenceLength, received undefined\.$/);
    expectError(() => exportOnnx(model, { sequenceLength: 4 }), TypeError, 'NCP_INVALID_TYPE', /^exportOnnx: expected no value with mode 'step' .* for options\.sequenceLength, received number 4\.$/);
  });

  it('refuses unsupported dtypes', () => {
    expectError(() => exportOnnx(model, { dtype: 'float64' as never }), RangeError, 'NCP_INVALID_RANGE', /^exportOnnx: expected one of 'float32' \| 'float16' for options\.dtype, received string "float64"\.$/);
    expectError(() => exportOnnx(model, { dtype: 16 as never }), TypeError, 'NCP_INVALID_TYPE', /for options\.dtype, received number 16\.$/);
  });

  it('refuses unknown options, modes, targets and opsets', () => {
    expectError(() => exportOnnx(model, { batchSize: 4 } as never), TypeError, 'NCP_INVALID_TYPE', /^exportOnnx: expected no such option \(known: mode, sequenceLength, batch, dtype, target, opset\) for options\.batchSize, received number 4\.$/);
    expectError(() => exportOnnx(model, { mode: 'scan' as never }), RangeError, 'NCP_INVALID_RANGE', /expected one of 'step' \| 'sequence' for options\.mode/);
    expectError(() => exportOnnx(model, { target: 'ane' as never }), RangeError, 'NCP_INVALID_RANGE', /expected one of 'generic' \| 'coreml' for options\.target/);
    expectError(() => exportOnnx(model, { opset: 16 }), RangeError, 'NCP_INVALID_RANGE', /expected an integer from 17 to 23 for options\.opset, received number 16\./);
    expectError(() => exportOnnx(model, 'sequence' as never), TypeError, 'NCP_INVALID_TYPE', /expected a plain object for options/);
  });

  it('refuses bad batches and non-models', () => {
    expectError(() => exportOnnx(model, { batch: 0 }), RangeError, 'NCP_INVALID_RANGE', /for options\.batch, received number 0\.$/);
    expectError(() => exportOnnx(model, { batch: '4' as never }), TypeError, 'NCP_INVALID_TYPE', /expected a positive integer or 'dynamic' for options\.batch, received string "4"\.$/);
    expectError(() => exportOnnx(model, { batch: 20000, target: 'coreml' }), RangeError, 'NCP_INVALID_RANGE', /from 1 to 16384 for options\.batch/);
    expectError(() => exportOnnx({} as never), TypeError, 'NCP_INVALID_TYPE', /^exportOnnx: expected an LTC or CfC model for model, received object \{\}\.$/);
  });
});

describe('OnnxPolicy errors', () => {
  const stepBytes = exportOnnx(model, { batch: 2 });
  const seqBytes = exportOnnx(model, { mode: 'sequence', sequenceLength: 3 });

  it.skipIf(process.platform === 'darwin' && process.arch === 'arm64')("an explicit 'coreml' off Apple Silicon is a BackendUnavailableError with fixes", async () => {
    for (const executionProviders of ['coreml', ['coreml', 'cpu']] as const) {
      await expectRejection(
        OnnxPolicy.create(stepBytes, { executionProviders }),
        BackendUnavailableError,
        'NCP_BACKEND_UNAVAILABLE',
        /^OnnxPolicy\.create: the 'coreml' execution provider is not available on \w+-\w+: onnxruntime-node ships its Core ML provider only in its macOS arm64 build[^]*Possible fixes:\n {2}- use executionProviders 'auto'/,
      );
    }
  });

  it('refuses unknown providers and options', async () => {
    await expectRejection(OnnxPolicy.create(stepBytes, { executionProviders: 'gpu' as never }), RangeError, 'NCP_INVALID_RANGE', /expected one of 'auto' \| 'cpu' \| 'coreml' for options\.executionProviders, received string "gpu"\.$/);
    await expectRejection(OnnxPolicy.create(stepBytes, { executionProviders: [] }), TypeError, 'NCP_INVALID_TYPE', /for options\.executionProviders, received Array\(0\)\.$/);
    await expectRejection(OnnxPolicy.create(stepBytes, { threads: 2 } as never), TypeError, 'NCP_INVALID_TYPE', /for options\.threads/);
    await expectRejection(OnnxPolicy.create(stepBytes, { coreMlComputeUnits: 'ane' as never }), RangeError, 'NCP_INVALID_RANGE', /expected one of 'all' \| 'cpuAndGpu' \| 'cpuOnly' for options\.coreMlComputeUnits, received string "ane"\.$/);
    await expectRejection(OnnxPolicy.create(stepBytes, { intraOpNumThreads: 0 }), RangeError, 'NCP_INVALID_RANGE', /for options\.intraOpNumThreads, received number 0\.$/);
  });

  it('refuses bytes that are not an exported model', async () => {
    await expectRejection(OnnxPolicy.create(new Uint8Array([0xff, 0xff, 0xff, 0x01])), RangeError, 'NCP_INVALID_RANGE', /^OnnxPolicy\.create: expected an ONNX model \(ModelProto bytes\) for bytesOrPath, received Uint8Array\(4\), which does not parse/);
    const g = new GraphBuilder('float32');
    g.output('y', g.input('x', 'float32', [1]), 'float32', [1]);
    const foreign = encodeModel(g.toModel({ opset: 17, graphName: 'foreign', docString: '', metadata: {} }));
    await expectRejection(OnnxPolicy.create(foreign), RangeError, 'NCP_INVALID_RANGE', /expected an ONNX model written by exportOnnx \(with its ncp_silicon metadata\) for bytesOrPath/);
    await expectRejection(OnnxPolicy.create(42 as never), TypeError, 'NCP_INVALID_TYPE', /expected a Uint8Array of ONNX bytes or a file path for bytesOrPath, received number 42\.$/);
  });

  it('checks shapes, batch, dtypes and elapsed times like the native models', async () => {
    const policy = await OnnxPolicy.create(stepBytes, { executionProviders: 'cpu' });
    const x = { data: new Float32Array(6), shape: [2, 3] };
    await expectRejection(policy.step({ data: new Float32Array(3), shape: [1, 3] }), RangeError, 'NCP_INVALID_RANGE', /^OnnxPolicy\.step: expected a batch of 2 \(the graph was exported with batch 2; export with batch 'dynamic' for any batch\) for x, received shape \[1, 3\]\.$/);
    await expectRejection(policy.step({ data: new Float32Array(8), shape: [2, 4] }), RangeError, 'NCP_INVALID_RANGE', /for x\.shape, received \[2, 4\]\.$/);
    await expectRejection(policy.step({ data: new Int32Array(6), shape: [2, 3] } as never), TypeError, 'NCP_INVALID_TYPE', /expected a Float32Array or Float64Array for x\.data, received Int32Array\(6\)\.$/);
    await expectRejection(policy.step(x, undefined, 0), RangeError, 'NCP_INVALID_RANGE', /expected a finite number > 0 for dt, received number 0\.$/);
    await expectRejection(policy.step(x, { data: new Float32Array(4), shape: [2, 2] }), RangeError, 'NCP_INVALID_RANGE', /for state\.shape, received \[2, 2\]\.$/);
    await expectRejection(policy.run({ data: new Float32Array(12), shape: [2, 2, 3] }, { timespans: { data: new Float32Array(4), shape: [2, 2] } }), RangeError, 'NCP_INVALID_RANGE', /^OnnxPolicy\.run: expected finite elapsed times > 0 for options\.timespans \(element 0\), received number 0\.$/);
    await expectRejection(policy.run({ data: new Float32Array(12), shape: [2, 2, 3] }, { dState: 1 } as never), TypeError, 'NCP_INVALID_TYPE', /for options\.dState/);
    await policy.dispose();
    await expectRejection(policy.step(x), NcpError, 'NCP_DISPOSED', /^OnnxPolicy: this policy was disposed/);
  });

  it('a sequence graph runs only its own length and has no step()', async () => {
    const policy = await OnnxPolicy.create(seqBytes, { executionProviders: 'cpu' });
    try {
      await expectRejection(policy.step({ data: new Float32Array(3), shape: [3] }), NotImplementedError, 'NCP_NOT_IMPLEMENTED', /^OnnxPolicy\.step: this graph was exported with mode 'sequence' \(L 3\); export with mode 'step' to call step\(\), or call run\(\)\.$/);
      await expectRejection(policy.run({ data: new Float32Array(12), shape: [1, 4, 3] }), RangeError, 'NCP_INVALID_RANGE', /expected L = 3 \(the graph's unrolled length; export mode 'step' to run any length\) for input\.shape, received \[1, 4, 3\]\.$/);
    } finally {
      await policy.dispose();
    }
  });

  it('mixed memory needs { h, c }', async () => {
    const mixed = new CfC(3, 4, { mixedMemory: true, backboneUnits: 4 });
    const policy = await OnnxPolicy.create(exportOnnx(mixed), { executionProviders: 'cpu' });
    try {
      await expectRejection(policy.step({ data: new Float32Array(3), shape: [1, 3] }, { data: new Float32Array(4), shape: [1, 4] }), TypeError, 'NCP_INVALID_TYPE', /expected \{ h, c \} tensors of shape \[1, 4\] \(mixed memory\) for state/);
    } finally {
      await policy.dispose();
    }
  });

  describe('onnxruntime failures are OnnxRuntimeErrors (code NCP_ONNX_RUNTIME) saying what was being done', () => {
    /** stepBytes with its ModelProto edited (still an exported model by its metadata). */
    const edited = (edit: (proto: ReturnType<typeof decodeModel>) => void) => {
      const proto = decodeModel(stepBytes);
      edit(proto);
      return encodeModel(proto);
    };

    it('when onnxruntime refuses to create the session', async () => {
      const bytes = edited((proto) => (proto.irVersion = 1000));
      const error = await OnnxPolicy.create(bytes, { executionProviders: 'cpu' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OnnxRuntimeError);
      expect(error).toBeInstanceOf(NcpError);
      expect((error as OnnxRuntimeError).code).toBe('NCP_ONNX_RUNTIME');
      expect((error as Error).message).toMatch(/^OnnxPolicy\.create: onnxruntime could not create a session for this graph \(execution providers: cpu\): .*IR version/);
      expect((error as Error).cause).toBeInstanceOf(Error);
    });

    it('when a run fails inside onnxruntime', async () => {
      // Metadata that claims one more state unit than the graph's input: our checks pass, onnxruntime refuses the feed.
      const bytes = edited((proto) => {
        const entry = proto.metadataProps.find((p) => p.key === 'ncp_silicon.state_size')!;
        entry.value = String(Number(entry.value) + 1);
      });
      const policy = await OnnxPolicy.create(bytes, { executionProviders: 'cpu' });
      try {
        const error = await policy.step({ data: new Float32Array(6), shape: [2, 3] }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OnnxRuntimeError);
        expect((error as OnnxRuntimeError).code).toBe('NCP_ONNX_RUNTIME');
        expect((error as Error).message).toMatch(/^OnnxPolicy: onnxruntime failed running the graph \(batch 2, inputs x, dt, state\): .*state/);
        expect((error as Error).cause).toBeInstanceOf(Error);
      } finally {
        await policy.dispose();
      }
    });
  });
});
