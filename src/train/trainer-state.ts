/**
 * Everything a Trainer must remember to continue exactly where it stopped, and its encoding in a checkpoint:
 * JSON under `__metadata__.trainer` for the scalars, and `trainer.*` tensors for the arrays (optimizer moments,
 * the current epoch's sample order, the best weights kept for early stopping).
 *
 * The state only changes at batch and epoch boundaries, in one synchronous block after the update, so
 * whatever is saved (even while a batch runs) is a consistent boundary.
 */
import { CheckpointError } from '../errors.js';
import type { SafetensorsContents, SafetensorsInput } from '../io/safetensors.js';
import type { SequenceModel } from '../models/sequence-model.js';
import type { FloatArray } from '../models/tensor.js';
import type { ResolvedFitOptions } from './options.js';
import type { EpochRecord } from './types.js';

export interface TrainingState {
  /** Completed epochs = the 0-based index of the epoch in progress. */
  epoch: number;
  /** Completed batches of the epoch in progress (= batches: its end-of-epoch work is still pending). */
  batch: number;
  /** Batches per epoch the epoch in progress was cut into (0 between epochs). */
  batches: number;
  /** Sample order of the epoch in progress (undefined between epochs). */
  order?: Int32Array;
  /** The random stream at the last boundary. */
  rng: number[];
  lossSum: number;
  lossCount: number;
  sampleSteps: number;
  seconds: number;
  lr: number;
  history: EpochRecord[];
  bestEpoch?: number;
  stoppedEarly: boolean;
  /** Best monitored loss so far and epochs since it improved (early stopping). */
  best: number;
  wait: number;
  bestParams?: FloatArray;
  /** Updates skipped for non-finite gradients: in total, in the epoch in progress, and in a row up to now. */
  skippedSteps: number;
  skippedInEpoch: number;
  consecutiveSkips: number;
}

/**
 * Upper bound of every counter a trainer state holds (steps, epochs, loss terms, sample-steps): 2^48, about
 * 9 years of one update per microsecond, and far enough below 2^53 that step + 1 and sums stay exact.
 */
export const MAX_TRAINER_COUNT = 2 ** 48;

/** The options a checkpoint keeps: the JSON-able ones. A custom loss is recorded as 'custom'. */
export type StoredOptions = Omit<ResolvedFitOptions, 'loss' | 'optimizer' | 'validationData' | 'onEpochEnd' | 'onBatchEnd' | 'signal' | 'backend'> & {
  loss: string;
  optimizer: Partial<ResolvedFitOptions['optimizer']>;
};

export interface StoredTrainer {
  version: 1;
  options: StoredOptions;
  step: number;
  state: Omit<TrainingState, 'order' | 'bestParams' | 'best'> & { best: number | null };
}

export function freshState(rng: number[]): TrainingState {
  return {
    epoch: 0, batch: 0, batches: 0, rng, lossSum: 0, lossCount: 0, sampleSteps: 0, seconds: 0, lr: 0, history: [], stoppedEarly: false, best: Infinity, wait: 0,
    skippedSteps: 0, skippedInEpoch: 0, consecutiveSkips: 0,
  };
}

export function storedOptions(o: ResolvedFitOptions): StoredOptions {
  // The backend is where this process computes, not part of the run: a checkpoint resumes on any backend.
  const { loss, validationData: _v, onEpochEnd: _e, onBatchEnd: _b, signal: _s, backend: _where, optimizer: opt, ...rest } = o;
  // In the input form resolveFitOptions accepts: sgd takes no betas/eps, adam no momentum/nesterov.
  const optimizer = opt.type === 'sgd'
    ? { type: opt.type, lr: opt.lr, weightDecay: opt.weightDecay, momentum: opt.momentum, nesterov: opt.nesterov }
    : { type: opt.type, lr: opt.lr, betas: opt.betas, eps: opt.eps, weightDecay: opt.weightDecay };
  return JSON.parse(JSON.stringify({ ...rest, optimizer, loss: typeof loss === 'function' ? 'custom' : loss })) as StoredOptions;
}

export function encodeTrainer(
  state: TrainingState,
  options: ResolvedFitOptions,
  optimizer: { step: number; m: FloatArray; v: FloatArray },
): { json: string; tensors: Record<string, SafetensorsInput> } {
  const { order, bestParams, best, ...scalars } = state;
  const stored: StoredTrainer = {
    version: 1,
    options: storedOptions(options),
    step: optimizer.step,
    // JSON has no Infinity: "no best yet" is null.
    state: { ...scalars, best: Number.isFinite(best) ? best : null, history: state.history.map((r) => ({ ...r })) },
  };
  const tensors: Record<string, SafetensorsInput> = {
    'trainer.m': { data: optimizer.m.slice(), shape: [optimizer.m.length] },
    'trainer.v': { data: optimizer.v.slice(), shape: [optimizer.v.length] },
  };
  if (order) tensors['trainer.order'] = { data: order.slice(), shape: [order.length] };
  if (bestParams) tensors['trainer.best_params'] = { data: bestParams.slice(), shape: [bestParams.length] };
  return { json: JSON.stringify(stored), tensors };
}

export interface DecodedTrainer {
  options: StoredOptions;
  step: number;
  state: TrainingState;
  m: FloatArray;
  v: FloatArray;
}

/** Reads and checks the trainer part of a checkpoint for `model`; throws CheckpointError naming the problem. */
export function decodeTrainer(api: string, source: string, contents: SafetensorsContents, model: SequenceModel): DecodedTrainer {
  const fail = (problem: string): never => {
    throw new CheckpointError(`${api}: ${source} has an unusable trainer state: ${problem}.`);
  };
  let stored: StoredTrainer;
  try {
    stored = JSON.parse(contents.metadata.trainer ?? 'null') as StoredTrainer;
  } catch {
    return fail('__metadata__.trainer is not valid JSON');
  }
  if (typeof stored !== 'object' || stored === null || stored.version !== 1) fail('__metadata__.trainer is missing or has an unknown version');
  const { state, options } = stored;
  if (typeof options !== 'object' || options === null || typeof state !== 'object' || state === null) fail('options or state are missing');
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const render = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));
  // Every counter: an integer in [0, max], else the field, the range and the value.
  const count = (name: string, v: unknown, max: number, why = ''): number => {
    if (!isCount(v) || v > max) fail(`${name} is ${render(v)}, expected an integer in [0, ${max}]${why}`);
    return v as number;
  };
  const M = MAX_TRAINER_COUNT;
  // Counters added later (skipped updates) are absent from older checkpoints: 0.
  state.skippedSteps ??= 0;
  state.skippedInEpoch ??= 0;
  state.consecutiveSkips ??= 0;
  count('step', stored.step, M);
  const epoch = count('epoch', state.epoch, M);
  const batches = count('batches', state.batches, M);
  const batch = count('batch', state.batch, batches, ` (the batches of epoch ${epoch + 1})`);
  if (batch === 0 && batches !== 0) fail(`batches is ${batches} between epochs (batch 0), expected 0`);
  count('wait', state.wait, epoch, ' (epochs completed)');
  count('lossCount', state.lossCount, M);
  count('sampleSteps', state.sampleSteps, M);
  const skipped = count('skippedSteps', state.skippedSteps, M);
  count('skippedInEpoch', state.skippedInEpoch, Math.min(batch, skipped), ' (batches of this epoch, skipped updates in total)');
  count('consecutiveSkips', state.consecutiveSkips, skipped, ' (skipped updates in total)');
  if (state.bestEpoch !== undefined && state.bestEpoch !== null) count('bestEpoch', state.bestEpoch, epoch, ' (epochs completed)');
  for (const key of ['lossSum', 'seconds', 'lr'] as const) if (!isNumber(state[key])) fail(`${key} is ${render(state[key])}, expected a finite number`);
  for (const key of ['seconds', 'lr'] as const) if (state[key] < 0) fail(`${key} is ${state[key]}, expected a finite number ≥ 0`);
  if (!Array.isArray(state.rng) || state.rng.length !== 4 || !state.rng.every((w) => isCount(w) && w <= 0xffffffff) || state.rng.every((w) => w === 0)) {
    fail('rng is not four uint32 words');
  }
  if (!Array.isArray(state.history) || state.history.some((r, i) => typeof r !== 'object' || r === null || r.epoch !== i + 1)) fail('history is not a list of epoch records 1, 2, …');
  if (state.history.length !== epoch) fail(`history has ${state.history.length} epoch records, expected one per completed epoch (${epoch})`);
  if (state.best !== null && typeof state.best !== 'number') fail('best is not a number');

  const trainable = model.layout.trainableLength;
  const floatType = model.dtype === 'float64' ? 'F64' : 'F32';
  const tensor = (name: string, dtype: string, length: number, required: boolean) => {
    const t = contents.tensors[name];
    if (t === undefined) return required ? fail(`tensor "${name}" is missing`) : undefined;
    if (t.dtype !== dtype || t.shape.length !== 1 || t.shape[0] !== length) {
      fail(`tensor "${name}" is ${t.dtype} [${t.shape.join(', ')}], expected ${dtype} [${length}]`);
    }
    return t.data;
  };
  const m = tensor('trainer.m', floatType, trainable, true) as FloatArray;
  const v = tensor('trainer.v', floatType, trainable, true) as FloatArray;
  for (const [name, data] of [['trainer.m', m], ['trainer.v', v]] as const) {
    const i = data.findIndex((x) => !Number.isFinite(x));
    if (i >= 0) fail(`tensor "${name}" holds ${data[i]} at element ${i}, expected finite optimizer moments`);
  }
  const midEpoch = state.batch > 0;
  const orderTensor = contents.tensors['trainer.order'];
  let order: Int32Array | undefined;
  if (midEpoch) {
    if (!orderTensor) fail(`tensor "trainer.order" is missing, but epoch ${state.epoch + 1} is in progress`);
    order = tensor('trainer.order', 'I32', orderTensor!.shape[0], true) as Int32Array;
    // The epoch in progress was cut into ceil(samples / batchSize) batches; anything else is not this run.
    const batchSize = count('options.batchSize', options.batchSize, M);
    if (batchSize === 0) fail('options.batchSize is 0, expected an integer in [1, ' + M + ']');
    const expected = Math.ceil(order.length / batchSize);
    if (batches !== expected) fail(`batches is ${batches}, expected ${expected} (${order.length} samples in batches of options.batchSize ${batchSize})`);
    const seen = new Uint8Array(order.length);
    for (const i of order) {
      if (i < 0 || i >= order.length || seen[i]) fail('tensor "trainer.order" is not a permutation of the samples');
      seen[i] = 1;
    }
  }
  const bestParams = tensor('trainer.best_params', floatType, model.parameters.length, false) as FloatArray | undefined;
  return {
    options,
    step: stored.step,
    m,
    v,
    state: { ...state, best: state.best === null ? Infinity : state.best, bestEpoch: state.bestEpoch ?? undefined, order, bestParams },
  };
}

/**
 * Refuses options that cannot continue the saved state, naming the setting and both values: another
 * batchSize in the middle of an epoch (its batches are already cut), another optimizer type (the moments
 * belong to the saved one). Other options (epochs, lr, schedule, shuffle, …) may change on resume.
 */
export function checkResumable(api: string, source: string, decoded: DecodedTrainer, options: Pick<ResolvedFitOptions, 'batchSize' | 'optimizer'>): void {
  const fail = (setting: string, saved: unknown, now: unknown, why: string): never => {
    throw new CheckpointError(`${api}: ${source} cannot be continued with ${setting} ${JSON.stringify(now)}: it was saved with ${setting} ${JSON.stringify(saved)}, and ${why}.`);
  };
  const s = decoded.state;
  const saved = decoded.options;
  if (s.batch > 0 && saved.batchSize !== options.batchSize) {
    fail('options.batchSize', saved.batchSize, options.batchSize, `epoch ${s.epoch + 1} is in progress, cut into ${s.batches} batches of that size (use batchSize ${saved.batchSize} until the epoch ends, or resume from an epoch boundary)`);
  }
  const savedType = saved.optimizer?.type;
  if (savedType !== undefined && savedType !== options.optimizer.type) {
    fail('options.optimizer.type', savedType, options.optimizer.type, `its moments (trainer.m, trainer.v) belong to that optimizer (to switch, load the weights with loadModel and start a new Trainer)`);
  }
}
