/** The loss of one batch (built-in or custom) and the mean loss of a whole data set, shared by fit and evaluate. */
import { argumentError } from '../errors.js';
import type { SequenceModel } from '../models/sequence-model.js';
import { expectTensor, type Tensor } from '../models/tensor.js';
import { gatherBatch, type Batch, type PreparedData } from './data.js';
import { computeLoss, type LossResult } from './losses.js';
import type { AbortSignalLike, LossFunction, LossName } from './types.js';

export function batchLoss(api: string, model: SequenceModel, loss: LossName | LossFunction, batch: Batch, output: Tensor, targetIsIndex: boolean): LossResult {
  // Without returnSequences each sample has one output, so a per-step mask has nothing to select.
  const mask = model.returnSequences ? batch.mask : undefined;
  if (typeof loss !== 'function') {
    return computeLoss(loss, { output: output.data, target: batch.target.data, mask: mask?.data, outputs: model.outputSize, targetIsIndex });
  }
  const result = loss(output, batch.target, mask) as unknown;
  if (typeof result !== 'object' || result === null || typeof (result as { loss?: unknown }).loss !== 'number') {
    throw argumentError(TypeError, api, 'the return value of options.loss', '{ loss: number, grad: Tensor }', result);
  }
  const { loss: value, grad } = result as { loss: number; grad: Tensor };
  const data = expectTensor(api, 'the grad returned by options.loss', grad, model.dtype, output.shape, '(the output shape)');
  // A custom loss is taken as a mean over its batch: weight it by the samples in it.
  return { loss: value, grad: data, count: batch.size };
}

/** Output shape of a batch of B samples in the model's layout. */
export function outputShape(model: SequenceModel, batch: number, steps: number): number[] {
  const P = model.outputSize;
  if (!model.returnSequences) return [batch, P];
  return model.batchFirst ? [batch, steps, P] : [steps, batch, P];
}

/**
 * Mean loss over every valid term of `data` (forward only, inference semantics: no dropout), in batches.
 * Returns undefined when `signal` aborts between two batches.
 */
export async function meanLoss(
  api: string,
  model: SequenceModel,
  data: PreparedData,
  loss: LossName | LossFunction,
  batchSize: number,
  signal: AbortSignalLike | undefined,
): Promise<number | undefined> {
  let sum = 0;
  let count = 0;
  for (let begin = 0; begin < data.size; begin += batchSize) {
    if (signal?.aborted) return undefined;
    const indices = Int32Array.from({ length: Math.min(batchSize, data.size - begin) }, (_, i) => begin + i);
    const batch = gatherBatch(data, indices, model.batchFirst, model.returnSequences);
    const { output } = await model.forwardAsync(batch.input, { timespans: batch.timespans });
    const r = batchLoss(api, model, loss, batch, output, data.targetIsIndex);
    sum += r.loss * r.count;
    count += r.count;
  }
  return count === 0 ? 0 : sum / count;
}
