/** The function forms: fit (a one-off Trainer), evaluate (mean loss) and predict (batched forward). */
import { argumentError } from '../errors.js';
import { expectInteger, expectOptions } from '../validate.js';
import { SequenceModel } from '../models/sequence-model.js';
import { arrayTypeOf, type Tensor } from '../models/tensor.js';
import { gatherBatch, prepareData, prepareInputs, type PreparedData } from './data.js';
import { meanLoss, outputShape } from './evaluation.js';
import { expectSignal, resolveLoss } from './options.js';
import { Trainer } from './trainer.js';
import type { EvaluateOptions, FitOptions, History, PredictOptions, TrainData } from './types.js';

/** Trains `model` in place on `data`; see Trainer#fit. Use a Trainer to save and resume. */
export async function fit(model: SequenceModel, data: TrainData, options?: FitOptions): Promise<History> {
  return new Trainer(model, options).fit(data);
}

/** Mean loss of `model` over `data` (no dropout, no update). */
export async function evaluate(model: SequenceModel, data: TrainData, options?: EvaluateOptions): Promise<number> {
  const api = 'evaluate';
  expectModel(api, model);
  const o = expectOptions(api, options, ['batchSize', 'loss', 'signal']);
  const batchSize = o.batchSize === undefined ? 256 : expectInteger(api, 'options.batchSize', o.batchSize, { min: 1 });
  const loss = resolveLoss(api, 'options.loss', o.loss);
  const signal = expectSignal(api, 'options.signal', o.signal);
  signal?.throwIfAborted();
  const prepared = prepareData(api, 'data', data, model, loss);
  const value = await meanLoss(api, model, prepared, loss, batchSize, signal);
  if (value === undefined) signal!.throwIfAborted();
  return value!;
}

/** The model's outputs for `inputs` (N×L×S in its layout), computed in batches off the main thread. */
export async function predict(model: SequenceModel, inputs: Tensor, options?: PredictOptions): Promise<Tensor> {
  const api = 'predict';
  expectModel(api, model);
  const o = expectOptions(api, options, ['batchSize', 'timespans', 'signal']);
  const batchSize = o.batchSize === undefined ? 256 : expectInteger(api, 'options.batchSize', o.batchSize, { min: 1 });
  const signal = expectSignal(api, 'options.signal', o.signal);
  signal?.throwIfAborted();
  const prepared = prepareInputs(api, 'inputs', inputs, 'options.timespans', o.timespans, model);
  const N = prepared.size;
  const L = prepared.steps;
  const outShape = model.returnSequences ? outputShape(model, N, L) : [N, model.outputSize];
  // gatherBatch wants targets; outputs have none, so an empty stand-in rides along.
  const data: PreparedData = { ...prepared, targets: { data: new (arrayTypeOf(model.dtype))(0), shape: [0, 0] }, targetIsIndex: false };
  const output = new (arrayTypeOf(model.dtype))(outShape.reduce((a, b) => a * b, 1));
  const rowsPerSample = model.outputSize * (model.returnSequences ? L : 1);
  for (let begin = 0; begin < N; begin += batchSize) {
    signal?.throwIfAborted();
    const count = Math.min(batchSize, N - begin);
    const indices = Int32Array.from({ length: count }, (_, i) => begin + i);
    const batch = gatherBatch(data, indices, model.batchFirst, model.returnSequences);
    const { output: out } = await model.forwardAsync(batch.input, { timespans: batch.timespans });
    if (!model.returnSequences || model.batchFirst) {
      output.set(out.data, begin * rowsPerSample);
    } else {
      // Time-major: step l of this batch goes to rows [l·N + begin, l·N + begin + count).
      const P = model.outputSize;
      for (let l = 0; l < L; l++) output.set(out.data.subarray(l * count * P, (l + 1) * count * P), (l * N + begin) * P);
    }
  }
  signal?.throwIfAborted();
  return { data: output, shape: outShape };
}

function expectModel(api: string, model: unknown): void {
  if (!(model instanceof SequenceModel)) throw argumentError(TypeError, api, 'model', 'an LTC or CfC model', model);
}
