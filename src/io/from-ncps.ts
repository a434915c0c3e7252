/**
 * Bring a model over from Python ncps: the constructor arguments (camelCase) plus a state dict, e.g. the
 * tensors of `safetensors.torch.save_file(model.state_dict(), path)` read with loadSafetensors.
 */
import { argumentError } from '../errors.js';
import { expectOneOf, expectPlainObject } from '../validate.js';
import { Wiring, type NcpsWiringConfig } from '../wiring/index.js';
import { CfC, type CfCOptions } from '../models/cfc.js';
import { LTC, type LTCOptions } from '../models/ltc.js';
import type { Dtype } from '../models/tensor.js';

export type NcpsModelConfig = (LTCOptions | CfCOptions) & {
  inputSize: number;
  /** A number of units (fully connected) … */
  units?: number;
  /** … or a wiring: a Wiring, our toJSON() form, or ncps's base-wiring config (adjacency_matrix, …). */
  wiring?: Wiring | NcpsWiringConfig | object;
};

/** A tensor of a state dict: ours, or a SafeTensor from loadSafetensors (float dtypes only). */
interface StateDictTensor {
  data: ArrayLike<number> | BigInt64Array | BigUint64Array;
  shape: number[];
  dtype?: string;
}

export function fromNcps(kind: 'LTC' | 'CfC', config: NcpsModelConfig, stateDict: Record<string, StateDictTensor>): LTC | CfC {
  const api = 'fromNcps';
  expectOneOf(api, 'kind', kind, ['LTC', 'CfC'] as const);
  const { inputSize, units, wiring, ...options } = expectPlainObject(api, 'config', config) as unknown as NcpsModelConfig;
  expectPlainObject(api, 'stateDict', stateDict);
  if ((units === undefined) === (wiring === undefined)) {
    throw argumentError(TypeError, api, 'config', 'exactly one of config.units and config.wiring', config);
  }
  const resolvedWiring = wiring === undefined ? undefined : wiring instanceof Wiring ? wiring : Wiring.fromJSON(wiring as NcpsWiringConfig);
  const dtype: Dtype = options.dtype ?? inferDtype(stateDict);
  const unitsOrWiring = (resolvedWiring ?? units) as number | Wiring;
  const model =
    kind === 'LTC'
      ? new LTC(inputSize, unitsOrWiring, { ...(options as LTCOptions), dtype })
      : new CfC(inputSize, unitsOrWiring, { ...(options as CfCOptions), dtype });
  for (const [name, t] of Object.entries(stateDict)) {
    if (t?.data instanceof BigInt64Array || t?.data instanceof BigUint64Array) {
      throw argumentError(TypeError, api, `stateDict["${name}"].data`, 'floating-point values (ncps state dicts hold floats)', t.data);
    }
  }
  model.loadStateDict(stateDict as Record<string, { data: ArrayLike<number>; shape: number[] }>);
  return model;
}

/** float64 when the checkpoint holds F64 tensors (or Float64Arrays), float32 otherwise. */
function inferDtype(stateDict: Record<string, StateDictTensor>): Dtype {
  for (const t of Object.values(stateDict)) {
    if (t?.dtype === 'F64' || t?.data instanceof Float64Array) return 'float64';
  }
  return 'float32';
}
