/** Options shared by LTC and CfC, validated in one place. */
import { argumentError } from '../errors.js';
import { expectBackend } from '../backend/select.js';
import { expectBoolean, expectInteger, expectOneOf } from '../validate.js';
import { expectSize } from '../limits.js';
import { FullyConnected, Wiring } from '../wiring/index.js';
import type { Backend } from './sequence-model.js';
import type { Dtype } from './tensor.js';

export interface CommonModelOptions {
  /** Return the output at every step (default) or only the last. */
  returnSequences?: boolean;
  /** Input (B×L×S) when true (default), (L×B×S) when false. */
  batchFirst?: boolean;
  /** Run an LSTM before the cell at every step (ncps mixed_memory). */
  mixedMemory?: boolean;
  /** 'float32' (default) or 'float64'. */
  dtype?: Dtype;
  /** Seed of the parameter initialisation (default 1). */
  seed?: number;
  /**
   * 'auto' (default: the CPU kernels, or MLX for large float32 calls where MLX has a Metal GPU), 'cpu' (native
   * kernels), 'mlx' (the MLX addon, float32; BackendUnavailableError where it is not built) or 'reference'
   * (plain TypeScript). NCP_SILICON_BACKEND=reference makes 'auto' the reference.
   */
  backend?: Backend;
}

export const COMMON_OPTION_KEYS = ['returnSequences', 'batchFirst', 'mixedMemory', 'dtype', 'seed', 'backend'] as const;

export interface ResolvedCommonOptions {
  returnSequences: boolean;
  batchFirst: boolean;
  mixedMemory: boolean;
  dtype: Dtype;
  seed: number;
  backend: Backend;
}

export function resolveCommonOptions(api: string, options: Record<string, unknown>): ResolvedCommonOptions {
  return {
    returnSequences: options.returnSequences === undefined ? true : expectBoolean(api, 'options.returnSequences', options.returnSequences),
    batchFirst: options.batchFirst === undefined ? true : expectBoolean(api, 'options.batchFirst', options.batchFirst),
    mixedMemory: options.mixedMemory === undefined ? false : expectBoolean(api, 'options.mixedMemory', options.mixedMemory),
    dtype: options.dtype === undefined ? 'float32' : expectOneOf(api, 'options.dtype', options.dtype, ['float32', 'float64'] as const),
    seed: options.seed === undefined ? 1 : expectInteger(api, 'options.seed', options.seed, { min: 0, max: 2 ** 32 - 1 }),
    backend: options.backend === undefined ? 'auto' : expectBackend(api, 'options.backend', options.backend),
  };
}

/** The resolved common options in the shape SequenceModel's constructor takes. */
export function sequenceOptions(common: ResolvedCommonOptions) {
  return {
    dtype: common.dtype,
    batchFirst: common.batchFirst,
    returnSequences: common.returnSequences,
    hasMixedMemory: common.mixedMemory,
    backend: common.backend,
  };
}

/** What a model's shapes need from its units or wiring, known before any wiring is built. */
export interface WiringShape {
  /** Neurons N. */
  units: number;
  /** Motor neurons M (N for a number of units). */
  outputDim: number;
  /** Neurons per wiring layer (a Wiring only). */
  layerSizes?: number[];
}

/**
 * Checks units or a wiring without building anything (units ≤ LIMITS.maxUnits; a built wiring must fit
 * inputSize), so a model can check its parameter bytes before a wiring of that size is drawn.
 */
export function wiringShape(api: string, inputSize: number, unitsOrWiring: unknown): WiringShape {
  if (typeof unitsOrWiring === 'number') {
    const units = expectSize(api, 'units', unitsOrWiring, 'maxUnits');
    return { units, outputDim: units };
  }
  if (unitsOrWiring instanceof Wiring) {
    if (unitsOrWiring.isBuilt && unitsOrWiring.inputDim !== inputSize) {
      throw argumentError(RangeError, api, 'wiring', `a wiring built for ${inputSize} inputs (inputSize)`, unitsOrWiring.inputDim);
    }
    return { units: unitsOrWiring.units, outputDim: unitsOrWiring.outputDim, layerSizes: unitsOrWiring.layers.map((l) => l.length) };
  }
  throw argumentError(TypeError, api, 'unitsOrWiring', 'a positive integer or a Wiring', unitsOrWiring);
}

/** A number of units becomes FullyConnected(units); a Wiring is built for inputSize (or checked against it). */
export function resolveWiring(api: string, inputSize: number, unitsOrWiring: unknown, fullyConnected: boolean): Wiring | undefined {
  const { units } = wiringShape(api, inputSize, unitsOrWiring);
  if (!(unitsOrWiring instanceof Wiring)) return fullyConnected ? new FullyConnected(units).build(inputSize) : undefined;
  return unitsOrWiring.isBuilt ? unitsOrWiring : unitsOrWiring.build(inputSize);
}
