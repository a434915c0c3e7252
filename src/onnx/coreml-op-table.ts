/**
 * The ops onnxruntime's Core ML execution provider converts to an ML Program (MLProgram model format); the
 * check against it is in coreml-ops.ts. A plain table, apart from the ONNX message types: it is public.
 *
 * Source: microsoft/onnxruntime, tools/ci_build/github/apple/coreml_supported_mlprogram_ops.md (commit
 * 04f568d869ec533a48f29f67f9842ddf694d7ab1, the table behind the "Supported operators" section of
 * docs/execution-providers/CoreML-ExecutionProvider.md), cross-checked with the op builders registered in
 * onnxruntime/core/providers/coreml/builders/op_builder_factory.cc. Notable absences: Abs, Neg, Gather (only
 * GatherND), Loop, Scan, If. Our graphs use only long-standing entries (elementwise math, MatMul, Concat,
 * Slice, Split, ReduceSum, Squeeze / Unsqueeze, Cast, Identity), so a recent onnxruntime-node accepts them all.
 */

/** ai.onnx ops in onnxruntime's Core ML MLProgram support table. */
export const COREML_MLPROGRAM_OPS: ReadonlySet<string> = new Set([
  'Add', 'ArgMax', 'AveragePool', 'Cast', 'Ceil', 'Clip', 'Concat', 'Conv', 'ConvTranspose', 'Cos', 'DepthToSpace',
  'Div', 'Elu', 'Erf', 'Exp', 'GatherND', 'Gelu', 'Gemm', 'GlobalAveragePool', 'GlobalMaxPool', 'GridSample',
  'GroupNormalization', 'HardSigmoid', 'Identity', 'InstanceNormalization', 'LayerNormalization', 'LeakyRelu',
  'MatMul', 'Max', 'MaxPool', 'Mul', 'Pow', 'PRelu', 'Range', 'Reciprocal', 'ReduceMax', 'ReduceMean', 'ReduceSum',
  'Relu', 'Reshape', 'Resize', 'Round', 'Shape', 'Sigmoid', 'Sin', 'Slice', 'Softmax', 'Softplus', 'Split', 'Sqrt',
  'Squeeze', 'Sub', 'Tanh', 'Tile', 'Transpose', 'Unsqueeze',
]);
