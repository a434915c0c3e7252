// Runs in the consumer project: import every entry point, one step, the optional parts' messages. onnxruntime-node,
// vega, vega-lite and vega-datasets are not installed, so importing anything that loaded them would throw here.
import { AutoNCP, BackendUnavailableError, LTC, exportOnnx, startProfile, tensor } from 'ncp-silicon';
import * as onnx from 'ncp-silicon/onnx';
import * as monitor from 'ncp-silicon/monitor';

async function errorOf(run) {
  try {
    await run();
  } catch (error) {
    return { name: error.name, code: error.code, isBackendUnavailable: error instanceof BackendUnavailableError, message: error.message };
  }
  return undefined;
}

const model = new LTC(3, new AutoNCP(16, 4), { seed: 1 });
const profile = startProfile({ model });
const { output, state } = model.step(tensor([0.1, 0.2, 0.3], [3]), undefined, 0.5);
const result = profile.stop();
const bytes = exportOnnx(model);
console.log(
  JSON.stringify({
    output: Array.from(output.data),
    outputShape: output.shape,
    stateShape: state.shape,
    onnxBytes: bytes.length,
    subpaths: [typeof onnx.OnnxPolicy, typeof onnx.exportOnnx, typeof monitor.memory, typeof monitor.startProfile],
    sameClasses: onnx.exportOnnx === exportOnnx && monitor.startProfile === startProfile,
    markdownReport: (await result.report({ format: 'md' })).length,
    onnxPolicy: await errorOf(() => onnx.OnnxPolicy.create(bytes)),
    htmlReport: await errorOf(() => result.report({ format: 'html' })),
  }),
);
