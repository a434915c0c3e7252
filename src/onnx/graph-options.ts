/**
 * The settings of one exported graph, as plain types: exportOnnx's public declarations use them, so they live
 * apart from the graph builder and its ONNX message types.
 */
export type FloatType = 'float32' | 'float16';

export interface GraphOptions {
  mode: 'step' | 'sequence';
  /** L, for mode 'sequence'. */
  sequenceLength: number;
  batch: number | 'dynamic';
  dtype: FloatType;
  target: 'generic' | 'coreml';
  opset: number;
}
