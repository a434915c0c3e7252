/**
 * safetensors reader and writer, written from the format description in huggingface/safetensors. This is the
 * module to import; the code lives in safetensors/: format.ts (types, dtype table, layout), read.ts (loading)
 * and write.ts (saving).
 */
export { loadSafetensors, loadSafetensorsSync } from './safetensors/read.js';
export { saveSafetensors, saveSafetensorsSync } from './safetensors/write.js';
export type {
  SafetensorsDtype,
  SafetensorsArrayMap,
  SafeTensor,
  TypedArray,
  SafetensorsInput,
  SafetensorsContents,
  SaveSafetensorsOptions,
} from './safetensors/format.js';
