/**
 * toTfjs / fromTfjs: move a model between ncp-silicon and TensorFlow.js. Weights are copied both ways (as
 * float32 in tfjs); the configuration travels as the checkpoint's ModelConfig.
 */
import { argumentError } from '../errors.js';
import { expectBoolean, expectOneOf, expectOptions } from '../validate.js';
import { LTC } from '../models/ltc.js';
import { CfC } from '../models/cfc.js';
import { fromNcps } from '../io/from-ncps.js';
import { expectBackend } from '../backend/select.js';
import type { CheckpointModel } from '../io/checkpoint.js';
import type { Backend } from '../models/sequence-types.js';
import type { Dtype } from '../models/tensor.js';
import { NcpCell, NcpRNN } from './cell.js';

export interface ToTfjsOptions {
  /** Read Δ from an extra last input feature (see withTimespans); default false (Δ = 1). */
  timespans?: boolean;
  /** Default: the model's returnSequences. */
  returnSequences?: boolean;
  /** Also return the final state(s) (tfjs's RNN `returnState`); default false. */
  returnState?: boolean;
  name?: string;
}

export interface FromTfjsOptions {
  /** Default 'float32'. */
  dtype?: Dtype;
  /** Default: 'auto' (the CPU kernels here; see Backend). */
  backend?: Backend;
}

/**
 * A `tf.layers` RNN layer computing what `model` computes, batch first: input (B×L×S), or (B×L×(S+1))
 * with `timespans`. Its weights are float32 copies of the model's.
 */
export function toTfjs(model: CheckpointModel, options?: ToTfjsOptions): NcpRNN {
  const api = 'toTfjs';
  if (!(model instanceof LTC) && !(model instanceof CfC)) throw argumentError(TypeError, api, 'model', 'an LTC or CfC model', model);
  const opts = expectOptions(api, options, ['timespans', 'returnSequences', 'returnState', 'name']);
  const returnSequences = opts.returnSequences === undefined ? model.returnSequences : expectBoolean(api, 'options.returnSequences', opts.returnSequences);
  const returnState = opts.returnState === undefined ? false : expectBoolean(api, 'options.returnState', opts.returnState);
  const cell = new NcpCell({ model, timespans: opts.timespans as boolean | undefined });
  const layer = new NcpRNN({ cell, returnSequences, returnState, name: opts.name as string | undefined });
  // Not built here: tfjs builds it on first apply, inside the layer's name scope, so weight names match
  // what tfjs saves and loads. Until then the cell holds the model's weights itself.
  return layer;
}

/** The model of a layer made by toTfjs (or of an NcpCell), with the layer's current weights. */
export function fromTfjs(layer: NcpRNN | NcpCell, options?: FromTfjsOptions): CheckpointModel {
  const api = 'fromTfjs';
  const cell = layer instanceof NcpCell ? layer : layer instanceof NcpRNN ? layer.cell : undefined;
  if (!(cell instanceof NcpCell)) throw argumentError(TypeError, api, 'layer', 'an NcpRNN layer (from toTfjs) or an NcpCell', layer);
  const opts = expectOptions(api, options, ['dtype', 'backend']);
  const dtype = opts.dtype === undefined ? 'float32' : expectOneOf(api, 'options.dtype', opts.dtype, ['float32', 'float64'] as const);
  const backend = opts.backend === undefined ? undefined : expectBackend(api, 'options.backend', opts.backend);
  const { kind, inputSize, units, wiring, options: modelOptions } = cell.modelConfig;
  const { backend: _savedBackend, ...rest } = modelOptions;
  return fromNcps(kind, { inputSize, ...(wiring ? { wiring } : { units }), ...rest, dtype, ...(backend ? { backend } : {}) }, cell.stateDict());
}
