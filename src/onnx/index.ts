/** ONNX export and the onnxruntime-node runtime (Core ML provider for the Neural Engine on Apple Silicon). */
export { exportOnnx, type ExportOnnxOptions } from './export.js';
export { OnnxPolicy, type OnnxPolicyOptions, type OnnxExecutionProvider, type OnnxProvider } from './runtime.js';
export type { OnnxModelInfo } from './policy-tensors.js';
export { COREML_MLPROGRAM_OPS } from './coreml-op-table.js';
export { onnxRuntimeInfo, type OnnxRuntimeInfo } from './runtime-info.js';
