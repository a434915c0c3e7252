/**
 * The check that an exported graph runs entirely on onnxruntime's Core ML execution provider as an ML Program:
 * only ops of its support table (coreml-op-table.ts), with static shapes and constant inputs where its op
 * builders need them. A node that fails this is not an error for onnxruntime: it silently runs on the CPU,
 * splitting the graph into Core ML and CPU partitions with a copy at every boundary. `target: 'coreml'` turns
 * that into an export-time error instead.
 */
import { NotImplementedError } from '../errors.js';
import { COREML_MLPROGRAM_OPS } from './coreml-op-table.js';
import type { OnnxTypes } from './graph-builder.js';

export { COREML_MLPROGRAM_OPS } from './coreml-op-table.js';

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

/** Throws when the graph would not run entirely on onnxruntime's Core ML EP, naming every offending node. */
export function assertCoreMlCompatible(model: OnnxTypes.IModelProto, api = 'exportOnnx'): void {
  const problems = coreMlProblems(model);
  if (problems.length === 0) return;
  const lines = problems.slice(0, 10).map((p) => `  - ${p.opType} '${p.name}' ${p.reason}`);
  if (problems.length > 10) lines.push(`  - … and ${problems.length - 10} more`);
  throw new NotImplementedError(
    `${api}: this graph would not run entirely on onnxruntime's Core ML execution provider; these would fall back to the CPU:\n` +
      `${lines.join('\n')}\nExport with target 'generic' to run it on the CPU provider.`,
  );
}
