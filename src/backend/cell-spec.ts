/**
 * What a model hands a backend: the cell kind and its configuration in SPEC.md's vocabulary (the same field names
 * the reference cells, the CPU addon's config reader (native/addon/ltc_binding.cpp, cfc_binding.cpp) and the MLX
 * addon read), plus the flat parameter buffer and its layout. Checkpoint names appear only as layout keys.
 */
import type { Dtype, FloatArray } from './float-array.js';
import type { ParamLayout } from './param-layout.js';
import type { CfcCellConfig, LtcCellConfig, WiredCfcCellConfig } from './cell-configs.js';

export type CellSpec = ({ kind: 'ltc' } & LtcCellConfig) | ({ kind: 'cfc' } & CfcCellConfig) | ({ kind: 'wired_cfc' } & WiredCfcCellConfig);

export interface ModelSpec {
  /** Public API name used in error messages ('LTC', 'CfC'). */
  api: string;
  cell: CellSpec;
  /** An LSTM before the cell at every step (ncps mixed_memory). */
  mixedMemory: boolean;
  /** Width of the Linear on every output; 0: none. */
  projSize: number;
  dtype: Dtype;
  /** The model's flat parameter buffer (every parameter and buffer, see `layout`), shared with the model. */
  params: FloatArray;
  layout: ParamLayout;
}
