/**
 * onnxruntime-node as a bench backend: the model exported by exportOnnx (target 'coreml': static shapes) and run
 * by OnnxPolicy, on the CPU provider, and on Core ML on macOS. Inference only: step and forward.
 */
import type { State } from '../../models/sequence-types.js';
import type { BenchBackend } from './backends.js';
import { benchModel, sequenceInputs, stepInputs } from './inputs.js';

/** The onnxruntime backends present here, and why any is absent. */
export async function onnxBackends(): Promise<{ backends: BenchBackend[]; absent: { id: 'onnx-cpu' | 'onnx-coreml'; reason: string }[] }> {
  const { onnxRuntimeInfo, describeOnnxRuntime } = await import('../../onnx/runtime-info.js');
  const info = await onnxRuntimeInfo();
  if (!info.installed) return { backends: [], absent: [{ id: 'onnx-cpu', reason: info.reason }, { id: 'onnx-coreml', reason: info.reason }] };
  const version = describeOnnxRuntime(info).split(';')[0];
  const backends = [onnxBackend('onnx-cpu', `${version}, CPU provider`)];
  const absent: { id: 'onnx-coreml'; reason: string }[] = [];
  if (process.platform === 'darwin') backends.push(onnxBackend('onnx-coreml', `${version}, Core ML provider (compute units: all)`));
  else absent.push({ id: 'onnx-coreml', reason: 'Core ML exists on macOS only' });
  return { backends, absent };
}

function onnxBackend(id: 'onnx-cpu' | 'onnx-coreml', label: string): BenchBackend {
  return {
    id,
    label,
    // onnxruntime's CPU provider uses its own thread pool: held to the whole CPU's peak. Core ML: no CPU ceiling.
    peakThreads: () => (id === 'onnx-cpu' ? Number.POSITIVE_INFINITY : undefined),
    unsupported: (c) => (c.kind === 'forwardBackward' || c.kind === 'fit' ? 'ONNX graphs are inference only' : undefined),
    prepare: async (c) => {
      const { exportOnnx, OnnxPolicy } = await import('../../onnx/index.js');
      const model = benchModel(c);
      const executionProviders = id === 'onnx-cpu' ? 'cpu' : 'coreml';
      if (c.kind === 'step') {
        const policy = await OnnxPolicy.create(exportOnnx(model, { mode: 'step', batch: c.batch, target: 'coreml' }), { executionProviders });
        const { x, dt } = stepInputs(c);
        let state: State = (await policy.step(x, undefined, dt)).state;
        return {
          sampleStepsPerCall: c.batch,
          run: async () => void (state = (await policy.step(x, state, dt)).state),
          dispose: () => policy.dispose(),
        };
      }
      const policy = await OnnxPolicy.create(exportOnnx(model, { mode: 'sequence', sequenceLength: c.steps, batch: c.batch, target: 'coreml' }), { executionProviders });
      const { input, timespans } = sequenceInputs(c, model.outputSize);
      return { sampleStepsPerCall: c.batch * c.steps, run: () => policy.run(input, { timespans }), dispose: () => policy.dispose() };
    },
  };
}
