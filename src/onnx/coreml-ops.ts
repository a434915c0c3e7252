/**
 * The ops onnxruntime's Core ML execution provider converts to an ML Program (MLProgram model format), and
 * the check that an exported graph uses only those, with static shapes. A node outside this list is not an
 * error for onnxruntime: it silently runs on the CPU, splitting the graph into Core ML and CPU partitions with a
 * copy at every boundary. `target: 'coreml'` turns that into an export-time error instead.
 *
 * Source: microsoft/onnxruntime, tools/ci_build/github/apple/coreml_supported_mlprogram_ops.md (commit
 * 04f568d869ec533a48f29f67f9842ddf694d7ab1, the table behind the "Supported operators" section of
 * docs/execution-providers/CoreML-ExecutionProvider.md), cross-checked with the op builders registered in
 * onnxruntime/core/providers/coreml/builders/op_builder_factory.cc. Notable absences: Abs, Neg, Gather (only
 * GatherND), Loop, Scan, If. Our graphs use only long-standing entries (elementwise math, MatMul, Concat,
 * Slice, Split, ReduceSum, Squeeze / Unsqueeze, Cast, Identity), so a recent onnxruntime-node accepts them all.
 */
import type { OnnxTypes } from './graph-builder.js';

/** ai.onnx ops in onnxruntime's Core ML MLProgram support table. */
export const COREML_MLPROGRAM_OPS: ReadonlySet<string> = new Set([
  'Add', 'ArgMax', 'AveragePool', 'Cast', 'Ceil', 'Clip', 'Concat', 'Conv', 'ConvTranspose', 'Cos', 'DepthToSpace',
  'Div', 'Elu', 'Erf', 'Exp', 'GatherND', 'Gelu', 'Gemm', 'GlobalAveragePool', 'GlobalMaxPool', 'GridSample',
  'GroupNormalization', 'HardSigmoid', 'Identity', 'InstanceNormalization', 'LayerNormalization', 'LeakyRelu',
  'MatMul', 'Max', 'MaxPool', 'Mul', 'Pow', 'PRelu', 'Range', 'Reciprocal', 'ReduceMax', 'ReduceMean', 'ReduceSum',
  'Relu', 'Reshape', 'Resize', 'Round', 'Shape', 'Sigmoid', 'Sin', 'Slice', 'Softmax', 'Softplus', 'Split', 'Sqrt',
  'Squeeze', 'Sub', 'Tanh', 'Tile', 'Transpose', 'Unsqueeze',
]);

/**
 * Inputs that the Core ML op builders require to be constant initializers (index → what it is); a runtime
 * value there makes the node fall back to the CPU even though its op is listed.
 */
const CONSTANT_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Slice: [1, 2, 3, 4],
  Split: [1],
  ReduceSum: [1],
  ReduceMean: [1],
  Squeeze: [1],
  Unsqueeze: [1],
  Reshape: [1],
  Gemm: [1],
};

/** onnxruntime's Core ML EP refuses any graph input dimension above this (coremltools issue #1003). */
export const COREML_MAX_DIMENSION = 16384;

export interface CoreMlProblem {
  /** The node (or graph input) name. */
  name: string;
  /** The op type, or 'graph input'. */
  opType: string;
  reason: string;
}

/** Every reason this graph would not run entirely on the Core ML EP (empty when it would). */
export function coreMlProblems(model: OnnxTypes.IModelProto): CoreMlProblem[] {
  const graph = model.graph ?? {};
  const problems: CoreMlProblem[] = [];
  const constants = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  for (const input of graph.input ?? []) {
    const dims = input.type?.tensorType?.shape?.dim ?? [];
    const dynamic = dims.some((d) => d.dimParam || d.dimValue === undefined || d.dimValue === null);
    if (dynamic) problems.push({ name: input.name ?? '', opType: 'graph input', reason: 'has a dynamic dimension (Core ML needs static shapes)' });
    else if (dims.some((d) => Number(d.dimValue) > COREML_MAX_DIMENSION)) {
      problems.push({ name: input.name ?? '', opType: 'graph input', reason: `has a dimension above ${COREML_MAX_DIMENSION}` });
    }
  }
  for (const node of graph.node ?? []) {
    const opType = node.opType ?? '';
    const name = node.name ?? '';
    if (node.domain && node.domain !== 'ai.onnx') {
      problems.push({ name, opType, reason: `is in domain '${node.domain}'` });
    } else if (!COREML_MLPROGRAM_OPS.has(opType)) {
      problems.push({ name, opType, reason: 'is not in the Core ML MLProgram op list' });
    } else {
      for (const index of CONSTANT_INPUTS[opType] ?? []) {
        const value = node.input?.[index];
        if (value && !constants.has(value)) {
          problems.push({ name, opType, reason: `needs a constant initializer as input ${index}, received the runtime value '${value}'` });
        }
      }
    }
  }
  return problems;
}
