/**
 * exportOnnx: an LTC or CfC model as an ONNX ModelProto (bytes), written by our own protobuf encoder
 * (protobuf.ts); no Python, no protobuf package. Options are validated before any work, so a bad export fails
 * at once.
 */
import { argumentError } from '../errors.js';
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import { expectInteger, expectOneOf, expectOptions } from '../validate.js';
import { assertCoreMlCompatible, COREML_MAX_DIMENSION } from './coreml-ops.js';
import { encodeModel } from './graph-builder.js';
import type { FloatType, GraphOptions } from './graph-options.js';
import { buildModelGraph } from './model-graph.js';

export interface ExportOnnxOptions {
  /**
   * 'step' (default): one time step, inputs x (B×S), state (B×H), [c (B×H) with mixed memory], dt (B×1), outputs
   * y, next_state, [next_c]: what an agent calls once per event. 'sequence': `sequenceLength` steps unrolled,
   * inputs x (B×L×S), timespans (B×L), state, [c].
   */
  mode?: 'step' | 'sequence';
  /** L, required with mode 'sequence' (1 to 4096; the graph grows linearly with it). */
  sequenceLength?: number;
  /** A fixed batch size, or 'dynamic' (a symbolic dimension). Default 'dynamic', or 1 with target 'coreml'. */
  batch?: number | 'dynamic';
  /** 'float32' (default) or 'float16' (weights and arithmetic in float16; inputs and outputs stay float32). */
  dtype?: FloatType;
  /**
   * 'generic' (default): any onnxruntime provider. 'coreml': static shapes and only ops that onnxruntime's
   * Core ML EP runs as an ML Program, checked at export (see docs/neural-engine.md).
   */
  target?: 'generic' | 'coreml';
  /** ONNX opset, 17 (default) to 23. */
  opset?: number;
}

const API = 'exportOnnx';
const OPTION_KEYS = ['mode', 'sequenceLength', 'batch', 'dtype', 'target', 'opset'] as const;
export const MAX_SEQUENCE_LENGTH = 4096;
export const MIN_OPSET = 17;
export const MAX_OPSET = 23;

/** Validates the options and fills in defaults. */
export function resolveExportOptions(options: unknown): GraphOptions {
  const opts = expectOptions(API, options, OPTION_KEYS);
  const mode = opts.mode === undefined ? 'step' : expectOneOf(API, 'options.mode', opts.mode, ['step', 'sequence'] as const);
  const target = opts.target === undefined ? 'generic' : expectOneOf(API, 'options.target', opts.target, ['generic', 'coreml'] as const);
  const dtype = opts.dtype === undefined ? 'float32' : expectOneOf(API, 'options.dtype', opts.dtype, ['float32', 'float16'] as const);
  const opset = opts.opset === undefined ? MIN_OPSET : expectInteger(API, 'options.opset', opts.opset, { min: MIN_OPSET, max: MAX_OPSET });

  let sequenceLength = 1;
  if (mode === 'sequence') {
    sequenceLength = expectInteger(API, 'options.sequenceLength', opts.sequenceLength, { min: 1, max: MAX_SEQUENCE_LENGTH });
  } else if (opts.sequenceLength !== undefined) {
    throw argumentError(TypeError, API, 'options.sequenceLength', "no value with mode 'step' (only mode 'sequence' has a length)", opts.sequenceLength);
  }

  let batch: number | 'dynamic';
  if (opts.batch === undefined) {
    batch = target === 'coreml' ? 1 : 'dynamic';
  } else if (opts.batch === 'dynamic') {
    if (target === 'coreml') {
      throw argumentError(RangeError, API, 'options.batch', "a fixed batch size with target 'coreml' (Core ML needs static shapes; use a positive integer)", opts.batch);
    }
    batch = 'dynamic';
  } else if (typeof opts.batch === 'number') {
    const max = target === 'coreml' ? COREML_MAX_DIMENSION : 2 ** 31 - 1;
    batch = expectInteger(API, 'options.batch', opts.batch, { min: 1, max });
  } else {
    throw argumentError(TypeError, API, 'options.batch', "a positive integer or 'dynamic'", opts.batch);
  }
  return { mode, sequenceLength, batch, dtype, target, opset };
}

/**
 * Exports `model` (an LTC or CfC) as ONNX ModelProto bytes. Parameters are read now: later changes to the model
 * are not in the file. See ExportOnnxOptions for the graph's inputs and outputs.
 */
export function exportOnnx(model: LTC | CfC, options?: ExportOnnxOptions): Uint8Array {
  if (!(model instanceof LTC) && !(model instanceof CfC)) {
    throw argumentError(TypeError, API, 'model', 'an LTC or CfC model', model);
  }
  const resolved = resolveExportOptions(options);
  const proto = buildModelGraph(model, resolved);
  if (resolved.target === 'coreml') assertCoreMlCompatible(proto);
  return encodeModel(proto);
}
