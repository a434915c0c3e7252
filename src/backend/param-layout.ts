/**
 * The flat parameter layout of a model: every named tensor (ncps state-dict names) lives at an offset in
 * one Float32Array / Float64Array. Trainable parameters come first, non-trainable buffers (sparsity masks)
 * after them, so an optimizer can run over `[0, trainableLength)` in one native call. Gradients use a
 * buffer of the same length and the same offsets.
 */
import { checkBytes } from '../limits.js';

export interface ParamSpec {
  /** ncps state-dict name, e.g. `rnn_cell.sensory_w`. */
  name: string;
  shape: number[];
  trainable: boolean;
}

export interface ParamEntry extends ParamSpec {
  offset: number;
  size: number;
}

export interface ParamLayout {
  entries: ParamEntry[];
  /** name → element offset; what the native kernels read. */
  offsets: Record<string, number>;
  /** Total elements. */
  length: number;
  /** Elements of trainable parameters, which occupy `[0, trainableLength)`. */
  trainableLength: number;
}

export function buildParamLayout(specs: readonly ParamSpec[]): ParamLayout {
  const ordered = [...specs.filter((s) => s.trainable), ...specs.filter((s) => !s.trainable)];
  const entries: ParamEntry[] = [];
  const offsets: Record<string, number> = {};
  let offset = 0;
  let trainableLength = 0;
  for (const spec of ordered) {
    if (spec.name in offsets) throw new Error(`buildParamLayout: duplicate parameter name '${spec.name}'.`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    entries.push({ ...spec, shape: [...spec.shape], offset, size });
    offsets[spec.name] = offset;
    offset += size;
    if (spec.trainable) trainableLength = offset;
  }
  return { entries, offsets, length: offset, trainableLength };
}

/**
 * Refuses a layout whose flat array would exceed LIMITS.maxParameterBytes, before it (or the wiring it is
 * drawn from) is allocated. `sizes` names the arguments that made it that big, e.g. "inputSize 3, units 20000".
 */
export function checkParameterBytes(api: string, layout: ParamLayout, bytesPerElement: number, sizes: string): void {
  const bytes = layout.length * bytesPerElement;
  checkBytes(api, `the parameters (${sizes})`, bytes, 'maxParameterBytes', `${layout.length} values of ${bytesPerElement} bytes`);
}
