/** A model's neutral description as the native addons' constructor reads it (native/addon/cell_config.cpp). */
import type { ModelSpec } from './cell-spec.js';
import type { NativeModelConfig } from './native-types.js';
import { nativeParamOffsets } from './ncps-names.js';

export function nativeModelConfig(spec: ModelSpec): NativeModelConfig {
  const { kind, ...cellConfig } = spec.cell;
  return {
    api: spec.api,
    cell: kind,
    cellConfig,
    params: spec.params,
    // Checkpoint names never cross into C++: the addons know the parameters as cell.* (ncps-names.ts).
    offsets: nativeParamOffsets(spec.layout.offsets, spec.cell.kind === 'cfc' ? spec.cell.backboneDropout : 0),
    mixedMemory: spec.mixedMemory,
    projSize: spec.projSize,
  };
}

/** Rethrows `caught` as asNativeError does, with the caller's stack (a native rejection carries only the worker's). */
export function withCallerStack(error: unknown, stack: Error): unknown {
  if (error instanceof Error && stack.stack) error.stack = `${error.name}: ${error.message}\n${stack.stack.split('\n').slice(1).join('\n')}`;
  return error;
}
