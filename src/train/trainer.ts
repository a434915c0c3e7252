/**
 * The training loop. One mini-batch is: gather the samples, one fused forward + loss + backward off the main
 * thread (forwardBackwardLossAsync: one forward pass, one backward pass) for the loss and the parameter
 * gradients, then one native optimizer update of the flat parameter buffer. A custom loss function runs in JS
 * between a forward (with the batch's dropout masks) and a forward+backward, so it costs one forward more. Between those awaits the event loop runs, so timers,
 * I/O and the abort signal stay live; abort and progress are plain TypeScript at batch boundaries.
 *
 * Everything random (shuffling, dropout seeds) comes from one seeded stream whose state is checkpointed with
 * the optimizer moments and the position in the epoch, so `save` + `resume` continues bit for bit.
 */
import { CheckpointError, argumentError, argumentErrorRendered } from '../errors.js';
import { SequenceModel, type Gradients } from '../models/sequence-model.js';
import {
  TRAINER_FORMAT, checkPath, checkSameModel, fillModel, modelFromContents, modelPayload, readCheckpoint, resolveLoadOptions,
} from '../io/checkpoint.js';
import { requireFiniteForSave } from '../io/finite.js';
import type { SafetensorsContents } from '../io/safetensors.js';
import { saveSafetensors } from '../io/safetensors.js';
import { gatherBatch, prepareData, sliceData, type Batch, type PreparedData } from './data.js';
import { TrainerBusyError, TrainingDivergedError } from './errors.js';
import { batchLoss, meanLoss } from './evaluation.js';
import { decideSkip, gradientProblem } from './non-finite.js';
import { Optimizer, type StepResult } from './optimizer.js';
import type { FloatArray } from '../models/tensor.js';
import { resolveFitOptions, type ResolvedFitOptions } from './options.js';
import { ProgressReporter } from './progress.js';
import { emitTrainSlice } from './train-events.js';
import { TrainRng } from './rng.js';
import { learningRate } from './schedule.js';
import { checkResumable, decodeTrainer, encodeTrainer, freshState, type DecodedTrainer, type TrainingState } from './trainer-state.js';
import type { BatchInfo, EpochInfo, FitOptions, History, TrainData } from './types.js';

/** What one batch did: its loss, the update's outcome, and the gradient when the update was refused. */
interface BatchOutcome {
  loss: { loss: number; count: number };
  step: StepResult;
  flatGrads?: FloatArray;
}

interface Clock {
  startMs: number;
  batchesRun: number;
  batchMs: number;
}

export class Trainer {
  readonly model: SequenceModel;
  private readonly options: ResolvedFitOptions;
  private readonly validation: PreparedData | undefined;
  private readonly optimizer: Optimizer;
  private readonly rng: TrainRng;
  private state: TrainingState;
  private isRunning = false;
  private lastAborted = false;

  constructor(model: SequenceModel, options?: FitOptions) {
    const api = 'Trainer';
    if (!(model instanceof SequenceModel)) throw argumentError(TypeError, api, 'model', 'an LTC or CfC model', model);
    this.model = model;
    this.options = resolveFitOptions(api, options);
    const o = this.options;
    this.validation = o.validationData && prepareData(api, 'options.validationData', o.validationData, model, o.loss);
    if (o.earlyStopping?.monitor === 'valLoss' && !o.validationData && o.validationSplit === undefined) {
      throw argumentError(TypeError, api, 'options.earlyStopping.monitor', "'loss' when there is no validationData or validationSplit", 'valLoss');
    }
    if (o.backend !== undefined && o.backend !== model.backend) model.useBackend(o.backend);
    this.optimizer = new Optimizer(o.optimizer, model.dtype, model.layout.trainableLength, model.sequenceBackend);
    this.rng = new TrainRng(o.seed);
    this.state = freshState(this.rng.getState());
  }

  /** Epochs completed so far (across resumes). */
  get epoch(): number {
    return this.state.epoch;
  }

  /** Optimizer updates applied so far (across resumes). */
  get step(): number {
    return this.optimizer.step;
  }

  /** Updates skipped so far (across resumes) because their gradient was not finite (options.nonFiniteGradient). */
  get skippedSteps(): number {
    return this.state.skippedSteps;
  }

  get history(): History {
    return this.snapshot(this.lastAborted);
  }

  /**
   * Trains until `options.epochs` epochs are complete in total (a resumed trainer continues), early stopping
   * triggers, or the signal aborts. An abort keeps the last completed update and resolves with
   * `aborted: true`; it never rejects. Rejects on invalid data, a failing callback, or a diverged loss.
   */
  async fit(data: TrainData): Promise<History> {
    const api = 'Trainer.fit';
    if (this.isRunning) throw new TrainerBusyError(`${api}: this trainer is already running fit(); await it (or abort it) first.`);
    const o = this.options;
    const model = this.model;
    let train = prepareData(api, 'data', data, model, o.loss);
    let validation = this.validation;
    if (o.validationSplit !== undefined) {
      // Like Keras: the last samples, before any shuffling, so the split is the same every epoch and run.
      const trainSize = Math.floor(train.size * (1 - o.validationSplit));
      if (trainSize < 1 || trainSize >= train.size) {
        throw argumentError(RangeError, api, 'options.validationSplit', `a fraction that leaves samples on both sides of ${train.size} samples`, o.validationSplit);
      }
      validation = sliceData(train, trainSize, train.size, model.batchFirst, model.returnSequences);
      train = sliceData(train, 0, trainSize, model.batchFirst, model.returnSequences);
    }
    const batches = Math.ceil(train.size / o.batchSize);
    const s = this.state;
    if (s.batch > 0 && s.order?.length !== train.size) {
      throw argumentErrorRendered(RangeError, api, 'data', `the ${s.order?.length} training samples the interrupted epoch ${s.epoch + 1} was shuffled over`, `${train.size} samples`);
    }
    if (s.batch > 0 && s.batches !== batches) {
      // checkResumable refuses another batchSize at resume; this is the last line of defence.
      throw argumentErrorRendered(RangeError, api, 'options.batchSize', `a batch size that cuts ${train.size} samples into the ${s.batches} batches of the interrupted epoch ${s.epoch + 1}`, `batchSize ${o.batchSize} (${batches} batches)`);
    }
    this.isRunning = true;
    this.lastAborted = false;
    // The update runs where the model computes, which may have changed since (model.useBackend).
    this.optimizer.useBackend(model.sequenceBackend);
    const progress = new ProgressReporter(o.verbose);
    const clock: Clock = { startMs: performance.now(), batchesRun: 0, batchMs: 0 };
    let aborted = false;
    let settled = false;
    try {
      while (this.state.epoch < o.epochs && !this.state.stoppedEarly && !aborted) {
        const epochStartMs = performance.now();
        while (this.state.batch < batches) {
          if (o.signal?.aborted) break;
          await this.runBatch(api, train, batches, progress, clock);
        }
        aborted = o.signal?.aborted === true && this.state.batch < batches;
        if (aborted) break;
        const valLoss = validation ? await meanLoss(api, model, validation, o.loss, o.batchSize, o.signal) : undefined;
        // An abort during validation leaves the epoch's end pending (batch = batches): resume redoes only that.
        aborted = validation !== undefined && valLoss === undefined;
        if (!aborted) {
          await this.endEpoch(batches, valLoss, progress, clock);
          emitTrainSlice({ kind: 'epoch', startMs: epochStartMs, endMs: performance.now(), epoch: this.state.epoch, loss: this.state.history.at(-1)?.loss, valLoss: this.state.history.at(-1)?.valLoss });
        }
      }
      if (!aborted && o.earlyStopping?.restoreBestWeights && this.state.bestParams) {
        model.parameters.set(this.state.bestParams);
        model.markParametersChanged();
      }
      settled = true;
    } finally {
      this.isRunning = false;
      progress.close();
      // Parameters and moments a device kept during the fit come back to the host (one copy per fit), so views
      // and the model's other backends see them. A failure here must not hide the error that ended the fit.
      try {
        model.syncParameters();
        this.optimizer.syncMoments();
      } catch (error) {
        if (settled) throw error;
      }
    }
    this.lastAborted = aborted;
    return this.snapshot(aborted);
  }

  /** Writes the model, the optimizer state, the position in training and the random stream to `path`. */
  async save(path: string): Promise<void> {
    const api = 'Trainer.save';
    checkPath(api, path);
    const { tensors, metadata } = modelPayload(api, this.model, TRAINER_FORMAT);
    const trainable = this.model.layout.entries.filter((e) => e.trainable);
    requireFiniteForSave(api, path, [
      { holder: "the model's parameters", data: this.model.parameters, entries: this.model.layout.entries },
      { holder: "the optimizer's first moments (trainer.m)", data: this.optimizer.m, entries: trainable },
      { holder: "the optimizer's second moments (trainer.v)", data: this.optimizer.v, entries: trainable },
      ...(this.state.bestParams ? [{ holder: 'the best weights kept for early stopping (trainer.best_params)', data: this.state.bestParams, entries: this.model.layout.entries }] : []),
    ]);
    const trainer = encodeTrainer(this.state, this.options, this.optimizer);
    await saveSafetensors({ ...tensors, ...trainer.tensors }, path, { metadata: { ...metadata, trainer: trainer.json } });
  }

  /**
   * Rebuilds the model and trainer saved by `save`. `options` override the stored ones; pass again what a
   * checkpoint cannot hold (callbacks, signal, validationData, a custom loss function).
   */
  static async load(path: string, options?: FitOptions): Promise<Trainer> {
    const api = 'Trainer.load';
    checkPath(api, path);
    const source = `"${path}"`;
    const contents = await readCheckpoint(api, path);
    requireTrainerFormat(api, source, contents);
    const backend = (options as { backend?: unknown } | undefined)?.backend;
    const model = modelFromContents(api, source, contents, backend === undefined ? {} : resolveLoadOptions(api, { backend }));
    const decoded = decodeTrainer(api, source, contents, model);
    const overrides = (options ?? {}) as Record<string, unknown>;
    if (decoded.options.loss === 'custom' && overrides.loss === undefined) {
      throw argumentError(TypeError, api, 'options.loss', 'the custom loss function this checkpoint was trained with', undefined);
    }
    const stored = { ...decoded.options } as Record<string, unknown>;
    if (overrides.validationData !== undefined) delete stored.validationSplit;
    const trainer = new Trainer(model, { ...stored, ...overrides } as FitOptions);
    checkResumable(api, source, decoded, trainer.options);
    trainer.restore(decoded);
    return trainer;
  }

  /** Puts this trainer and its model back at the state saved in `path` (the same model configuration). */
  async resume(path: string): Promise<void> {
    const api = 'Trainer.resume';
    checkPath(api, path);
    if (this.isRunning) throw new TrainerBusyError(`${api}: this trainer is running fit(); await it (or abort it) first.`);
    const source = `"${path}"`;
    const contents = await readCheckpoint(api, path);
    requireTrainerFormat(api, source, contents);
    checkSameModel(api, source, this.model, contents);
    const decoded = decodeTrainer(api, source, contents, this.model);
    checkResumable(api, source, decoded, this.options);
    fillModel(api, source, this.model, contents, "this trainer's model");
    this.restore(decoded);
  }

  // ---- internals -------------------------------------------------------------------------------------------

  private restore(decoded: DecodedTrainer): void {
    this.optimizer.m.set(decoded.m);
    this.optimizer.v.set(decoded.v);
    this.optimizer.step = decoded.step;
    this.rng.setState(decoded.state.rng);
    this.state = decoded.state;
    this.lastAborted = false;
  }

  private async runBatch(api: string, train: PreparedData, batches: number, progress: ProgressReporter, clock: Clock): Promise<void> {
    const o = this.options;
    const model = this.model;
    const s = this.state;
    const startMs = performance.now();
    const order = s.batch === 0 ? (o.shuffle ? this.rng.permutation(train.size) : Int32Array.from({ length: train.size }, (_, i) => i)) : s.order!;
    const begin = s.batch * o.batchSize;
    const batch = gatherBatch(train, order.subarray(begin, Math.min(begin + o.batchSize, train.size)), model.batchFirst, model.returnSequences);
    // 0 means "no dropout" to the kernels, so seeds start at 1.
    const dropoutSeed = this.rng.nextU32() + 1;
    const lr = learningRate(o.schedule, o.optimizer.lr, { step: this.optimizer.step, epoch: s.epoch, batch: s.batch, batches, epochs: o.epochs });
    const { loss, step, flatGrads } = await this.trainBatch(api, batch, train.targetIsIndex, dropoutSeed, lr);
    if (!Number.isFinite(loss.loss)) {
      throw new TrainingDivergedError(
        `${api}: the loss became ${loss.loss} in epoch ${s.epoch + 1}, batch ${s.batch + 1}; that update was not applied. Lower the learning rate or set clipGradNorm, then resume from a checkpoint.`,
        s.epoch + 1,
        s.batch + 1,
      );
    }

    // From here to the end of the state update nothing awaits: a save() at any await sees a whole boundary.
    let warning: string | undefined;
    if (!step.applied) {
      // Throws under 'throw' or at the cap, before the state moves: a resume redoes this batch.
      warning = decideSkip(api, o, gradientProblem(flatGrads!, model.layout.entries), s.epoch + 1, s.batch + 1, s.consecutiveSkips + 1);
    }

    const elapsed = performance.now() - startMs;
    if (s.batch === 0) Object.assign(s, { order, batches, lossSum: 0, lossCount: 0, sampleSteps: 0, seconds: 0, skippedInEpoch: 0 });
    s.batch++;
    s.consecutiveSkips = step.applied ? 0 : s.consecutiveSkips + 1;
    if (!step.applied) {
      s.skippedSteps++;
      s.skippedInEpoch++;
    }
    s.lossSum += loss.loss * loss.count;
    s.lossCount += loss.count;
    s.sampleSteps += batch.size * train.steps;
    s.seconds += elapsed / 1000;
    s.lr = lr;
    s.rng = this.rng.getState();
    clock.batchesRun++;
    clock.batchMs += elapsed;

    const info: BatchInfo = {
      epoch: s.epoch + 1,
      epochs: o.epochs,
      batch: s.batch,
      batches,
      loss: s.lossCount === 0 ? 0 : s.lossSum / s.lossCount,
      batchLoss: loss.loss,
      lr,
      sampleStepsPerSecond: s.sampleSteps / s.seconds,
      elapsedMs: performance.now() - clock.startMs,
      etaMs: this.eta(clock, (o.epochs - s.epoch - 1) * batches + (batches - s.batch)),
      skipped: !step.applied,
      skippedSteps: s.skippedSteps,
    };
    if (warning !== undefined) progress.warn(warning);
    progress.batch(info);
    emitTrainSlice({ kind: 'batch', startMs, endMs: performance.now(), epoch: info.epoch, batch: info.batch, loss: loss.loss });
    await o.onBatchEnd?.(info);
  }

  /**
   * The batch's loss and parameter gradients. A built-in loss runs inside the backend's fused call: one
   * forward, the loss and its gradient, one backward. A custom one needs the output in JS first: a forward
   * with the same dropout seed (so the output carries the training masks), then forward+backward.
   */
  /**
   * One batch's loss and update. A built-in loss on a backend with deviceTraining (MLX) runs forward, loss,
   * backward and the update in one device call, the parameters staying there; otherwise the gradient comes to
   * the host and the update runs on the host buffer. A non-finite loss moves nothing (the caller throws).
   */
  private async trainBatch(api: string, batch: Batch, targetIsIndex: boolean, dropoutSeed: number, lr: number): Promise<BatchOutcome> {
    const model = this.model;
    const o = this.options;
    const timespans = batch.timespans;
    if (typeof o.loss !== 'function') {
      // Without returnSequences each sample has one output, so a per-step mask has nothing to select.
      const mask = model.returnSequences ? batch.mask : undefined;
      const options = { loss: o.loss, mask, targetIsIndex, timespans, dropoutSeed };
      const device = model.sequenceBackend.deviceTraining;
      if (device) {
        const update = this.optimizer.deviceUpdate(device, lr, o.clipGradNorm, model.parameterConstraints().nonNegative);
        const r = await model.trainStepOnDevice(batch.input, batch.target, options, update);
        this.optimizer.settledOnDevice(device, r.applied);
        return { loss: { loss: r.loss, count: r.count }, step: { applied: r.applied, gradNorm: r.gradNorm }, flatGrads: r.grads };
      }
      const r = await model.forwardBackwardLossAsync(batch.input, batch.target, options);
      return this.applyOnHost({ loss: r.loss, count: r.count }, r.grads, lr);
    }
    const { output } = await model.forwardAsync(batch.input, { timespans, dropoutSeed });
    const loss = batchLoss(api, model, o.loss, batch, output, targetIsIndex);
    const { grads } = await model.forwardBackwardAsync(batch.input, { data: loss.grad, shape: output.shape }, { timespans, dropoutSeed });
    return this.applyOnHost(loss, grads, lr);
  }

  /** The host update: one pass takes the norm, refuses a non-finite gradient (nothing written) and clips. */
  private applyOnHost(loss: { loss: number; count: number }, grads: Gradients, lr: number): BatchOutcome {
    const model = this.model;
    const flatGrads = grads.flat.subarray(0, model.layout.trainableLength);
    if (!Number.isFinite(loss.loss)) return { loss, step: { applied: false }, flatGrads };
    const step = this.optimizer.apply(model.parameters.subarray(0, model.layout.trainableLength), flatGrads, lr, 1, this.options.clipGradNorm);
    if (step.applied) {
      this.applyConstraints();
      model.markParametersChanged();
    }
    return { loss, step, flatGrads };
  }

  private applyConstraints(): void {
    const params = this.model.parameters;
    for (const range of this.model.parameterConstraints().nonNegative) {
      for (let i = range.offset; i < range.offset + range.size; i++) if (params[i] < 0) params[i] = 0;
    }
  }

  private async endEpoch(batches: number, valLoss: number | undefined, progress: ProgressReporter, clock: Clock): Promise<void> {
    const o = this.options;
    const s = this.state;
    const record = {
      epoch: s.epoch + 1,
      loss: s.lossCount === 0 ? 0 : s.lossSum / s.lossCount,
      ...(valLoss === undefined ? {} : { valLoss }),
      lr: s.lr,
      seconds: s.seconds,
      sampleStepsPerSecond: s.seconds > 0 ? s.sampleSteps / s.seconds : 0,
      skippedSteps: s.skippedInEpoch,
    };
    s.history.push(record);
    const es = o.earlyStopping;
    if (es) {
      const value = (es.monitor ?? (valLoss === undefined ? 'loss' : 'valLoss')) === 'valLoss' ? valLoss! : record.loss;
      if (value < s.best - es.minDelta) {
        s.best = value;
        s.bestEpoch = record.epoch;
        s.wait = 0;
        if (es.restoreBestWeights) s.bestParams = this.model.parameters.slice();
      } else if (++s.wait >= es.patience) {
        s.stoppedEarly = true;
      }
    }
    Object.assign(s, { epoch: s.epoch + 1, batch: 0, batches: 0, order: undefined, lossSum: 0, lossCount: 0, sampleSteps: 0, seconds: 0, skippedInEpoch: 0 });
    const info: EpochInfo = {
      ...record,
      epochs: o.epochs,
      batches,
      elapsedMs: performance.now() - clock.startMs,
      etaMs: s.stoppedEarly ? 0 : this.eta(clock, (o.epochs - s.epoch) * batches),
    };
    progress.epoch(info);
    await o.onEpochEnd?.(info);
  }

  private eta(clock: Clock, batchesLeft: number): number {
    return clock.batchesRun === 0 ? NaN : (clock.batchMs / clock.batchesRun) * batchesLeft;
  }

  private snapshot(aborted: boolean): History {
    const s = this.state;
    return {
      epochs: s.history.map((r) => ({ ...r })),
      aborted,
      ...(s.bestEpoch === undefined ? {} : { bestEpoch: s.bestEpoch }),
      stoppedEarly: s.stoppedEarly,
    };
  }
}

function requireTrainerFormat(api: string, source: string, contents: SafetensorsContents): void {
  if (contents.metadata.format === TRAINER_FORMAT) return;
  const hint = contents.metadata.format === 'ncp-silicon/model' ? ' (it is a model checkpoint from saveModel: load it with loadModel and start a new Trainer)' : '';
  throw new CheckpointError(`${api}: ${source} is not a trainer checkpoint: __metadata__.format is ${JSON.stringify(contents.metadata.format ?? null)}, expected "${TRAINER_FORMAT}"${hint}.`);
}
