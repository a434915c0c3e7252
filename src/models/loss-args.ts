/**
 * The loss arguments of SequenceModel.forwardBackwardLoss: checked once here, in TypeScript, so the reference
 * backend gets the same errors the native addons give (which check again at their boundary).
 */
import { argumentError } from '../errors.js';
import type { LossArgs, LossKind } from '../backend/sequence-args.js';
import { expectTensor, type Dtype, type Tensor } from './tensor.js';

const LOSSES: readonly LossKind[] = ['mse', 'mae', 'bce', 'crossEntropy'];

/** What the fused call takes besides ForwardBackwardOptions' keys. */
export const LOSS_OPTION_KEYS = ['loss', 'mask', 'targetIsIndex'];

export interface LossOptionValues {
  loss?: unknown;
  mask?: unknown;
  targetIsIndex?: unknown;
}

/**
 * outputShape: the call's output shape; rows are its positions (every axis but the last). The target has the
 * output shape, or the rows' shape with class indices; the mask has the rows' shape, 0/1 values.
 */
export function checkLossArgs(api: string, dtype: Dtype, outputShape: number[], target: Tensor, opts: LossOptionValues): LossArgs {
  const loss = opts.loss;
  if (typeof loss !== 'string' || !LOSSES.includes(loss as LossKind)) {
    throw argumentError(TypeError, api, 'options.loss', `one of ${LOSSES.map((l) => `'${l}'`).join(', ')}`, loss);
  }
  const targetIsIndex = opts.targetIsIndex ?? false;
  if (typeof targetIsIndex !== 'boolean' || (targetIsIndex && loss !== 'crossEntropy')) {
    throw argumentError(TypeError, api, 'options.targetIsIndex', "a boolean, true only with loss 'crossEntropy'", targetIsIndex);
  }
  const P = outputShape[outputShape.length - 1];
  const rowsShape = outputShape.slice(0, -1);
  const args: LossArgs = {
    loss: loss as LossKind,
    targetIsIndex,
    target: expectTensor(api, 'target', target, dtype, targetIsIndex ? rowsShape : outputShape, targetIsIndex ? '(one class index per output position)' : '(the output shape)'),
  };
  if (targetIsIndex) {
    args.target.forEach((c, i) => {
      if (!Number.isInteger(c) || c < 0 || c >= P) throw argumentError(RangeError, api, `target (element ${i})`, `a class index, an integer in [0, ${P - 1}]`, c);
    });
  }
  if (opts.mask !== undefined) {
    args.mask = expectTensor(api, 'options.mask', opts.mask, dtype, rowsShape, '(one 0/1 per output position)');
    args.mask.forEach((m, i) => {
      if (m !== 0 && m !== 1) throw argumentError(RangeError, api, `options.mask (element ${i})`, '0 or 1', m);
    });
  }
  return args;
}
