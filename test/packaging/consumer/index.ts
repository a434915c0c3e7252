// A user's TypeScript file that imports every public entry point of ncp-silicon: compiled with strict and
// skipLibCheck false, so any declaration that does not compile, or that needs a package the user lacks, fails.
// No console, process or DOM here: tsconfig.nodenext.json compiles it with the ES2022 lib and no @types at all.
import {
  AutoNCP,
  BackendUnavailableError,
  CfC,
  LTC,
  NCP,
  backendInfo,
  exportOnnx as exportFromRoot,
  fit,
  loadModel,
  saveModel,
  startProfile as startFromRoot,
  tensor,
  type AbortSignalLike,
  type FitOptions,
  type ForwardResult,
  type Tensor,
  type TrainData,
} from 'ncp-silicon';
import { COREML_MLPROGRAM_OPS, OnnxPolicy, exportOnnx, type ExportOnnxOptions, type OnnxPolicyOptions } from 'ncp-silicon/onnx';
import { memory, startProfile, type MemorySnapshot, type ReportOptions } from 'ncp-silicon/monitor';

const model = new LTC(3, new AutoNCP(16, 4), { seed: 1 });
const cfc = new CfC(3, new NCP({ interNeurons: 4, commandNeurons: 3, motorNeurons: 2, sensoryFanout: 2, interFanout: 2, recurrentCommandSynapses: 2, motorFanin: 2, seed: 3 }));
const x: Tensor = tensor([0.1, 0.2, 0.3], [3]);
const first: ForwardResult = model.step(x, undefined, 0.5);
const options: ExportOnnxOptions = { mode: 'step', dtype: 'float16' };
const bytes: Uint8Array = exportOnnx(model, options) ?? exportFromRoot(cfc);
const policyOptions: OnnxPolicyOptions = { executionProviders: 'cpu' };
const pending: Promise<OnnxPolicy> = OnnxPolicy.create(bytes, policyOptions);
const fitOptions: FitOptions = { epochs: 1 };
const data: TrainData = { inputs: tensor(new Float32Array(2 * 5 * 3), [2, 5, 3]), targets: tensor(new Float32Array(2 * 5 * 4), [2, 5, 4]) };
const snapshot: MemorySnapshot = memory();
const report: ReportOptions = { format: 'md' };
const profile = startProfile === startFromRoot ? startProfile({ model }) : undefined;

export async function all(signal: AbortSignalLike): Promise<unknown[]> {
  const history = await fit(model, data, { ...fitOptions, signal });
  await saveModel(model, 'model.safetensors');
  const again = await loadModel('model.safetensors');
  const missing = await pending.catch((error: unknown) => error instanceof BackendUnavailableError);
  return [first.output.shape, history.aborted, again, snapshot.rssBytes, report, COREML_MLPROGRAM_OPS.size, backendInfo().backends, profile?.stop(), missing];
}
