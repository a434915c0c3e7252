/**
 * The policy's cell learner. Each revealed outcome becomes one example: the BPTT window of calls that ended with
 * the scored call (cell inputs, timespans, the state before the window), the call's raw-confidence logit and the
 * outcome. Examples queue up; a learning step takes `learnBatch` of them, runs forward then forward+backward of
 * the cell on them (grouped by window length), and applies one clipped Adam update through the training
 * machinery's Optimizer. Windows that start at an agent's first call also train the learned initial state.
 *
 * The cell's output o corrects the agent's confidence: u = logit c + o (zero at first: its output projection
 * starts at zero). The loss is the log loss of the whole policy's logit z = slope·u + rest, with the calibration
 * head's slope on u and the rest of its logit (memories, agent bias) as they stood when the outcome came: the
 * cell learns what the head cannot, rather than re-learning what the head already does.
 */
import type { SequenceModel } from '../models/sequence-model.js';
import type { Tensor } from '../models/tensor.js';
import { Optimizer, clipScale } from '../train/optimizer.js';
import { clampLogit, sigmoid } from './online-logistic.js';

export interface LearningExample {
  length: number;
  isStart: boolean;
  baseLogit: number;
  /** The head's weight on u and the rest of the policy's logit, when the outcome came. */
  slope: number;
  rest: number;
  outcome: number;
  /** length × inputs cell inputs, then length timespans, then the state before the window. */
  data: Float32Array;
}

interface Group {
  length: number;
  members: LearningExample[];
}

const CLIP_NORM = 1;

export class CellLearner {
  readonly optimizer: Optimizer;
  /** Adam moments of the learned initial state. */
  readonly h0Moments: Float64Array;
  queue: LearningExample[] = [];
  dropped = 0;
  steps = 0;
  skipped = 0;
  private head = 0;

  constructor(
    readonly model: SequenceModel,
    readonly h0: Float32Array,
    readonly inputs: number,
    readonly learningRate: number,
    readonly maxQueued: number,
  ) {
    const config = { type: 'adam' as const, lr: learningRate, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, momentum: 0, nesterov: false };
    this.optimizer = new Optimizer(config, model.dtype, model.layout.trainableLength, model.sequenceBackend);
    this.h0Moments = new Float64Array(2 * h0.length);
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  enqueue(example: LearningExample): void {
    if (this.queued >= this.maxQueued) {
      this.head++;
      this.dropped++;
    }
    this.queue.push(example);
  }

  /** Removes and returns up to `count` of the oldest examples. */
  take(count: number): LearningExample[] {
    const batch = this.queue.slice(this.head, this.head + count);
    this.head += batch.length;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  /** One learning step on the calling thread. */
  trainSync(batch: LearningExample[]): void {
    const grads = new Float32Array(this.model.parameters.length);
    const dH0 = new Float64Array(this.h0.length);
    for (const g of groupByLength(batch)) {
      const t = this.tensors(g);
      const { output } = this.model.forward(t.input, { timespans: t.timespans, state: t.state });
      const d = this.outputGradient(g, output.data, batch.length);
      const r = this.model.forwardBackward(t.input, d, { timespans: t.timespans, state: t.state });
      this.accumulate(g, r.grads.flat, (r.grads.state as Tensor).data, grads, dH0);
    }
    this.apply(grads, dH0);
  }

  /** One learning step with the cell's passes off the main thread. */
  async trainAsync(batch: LearningExample[]): Promise<void> {
    const grads = new Float32Array(this.model.parameters.length);
    const dH0 = new Float64Array(this.h0.length);
    for (const g of groupByLength(batch)) {
      const t = this.tensors(g);
      const { output } = await this.model.forwardAsync(t.input, { timespans: t.timespans, state: t.state });
      const d = this.outputGradient(g, output.data, batch.length);
      const r = await this.model.forwardBackwardAsync(t.input, d, { timespans: t.timespans, state: t.state });
      this.accumulate(g, r.grads.flat, (r.grads.state as Tensor).data, grads, dH0);
    }
    this.apply(grads, dH0);
  }

  private tensors(g: Group): { input: Tensor; timespans: Tensor; state: Tensor } {
    const B = g.members.length, L = g.length, I = this.inputs, N = this.h0.length;
    const input = new Float32Array(B * L * I), timespans = new Float32Array(B * L), state = new Float32Array(B * N);
    g.members.forEach((e, b) => {
      input.set(e.data.subarray(0, L * I), b * L * I);
      timespans.set(e.data.subarray(L * I, L * I + L), b * L);
      state.set(e.data.subarray(L * I + L, L * I + L + N), b * N);
    });
    return { input: { data: input, shape: [B, L, I] }, timespans: { data: timespans, shape: [B, L] }, state: { data: state, shape: [B, N] } };
  }

  private outputGradient(g: Group, output: ArrayLike<number>, total: number): Tensor {
    const d = new Float32Array(g.members.length);
    g.members.forEach((e, b) => {
      const z = e.slope * (e.baseLogit + output[b]) + e.rest;
      d[b] = (e.slope * (sigmoid(clampLogit(z)) - e.outcome)) / total;
    });
    return { data: d, shape: [g.members.length, 1] };
  }

  private accumulate(g: Group, flat: ArrayLike<number>, dState: ArrayLike<number>, grads: Float32Array, dH0: Float64Array): void {
    for (let i = 0; i < grads.length; i++) grads[i] += flat[i];
    const N = this.h0.length;
    g.members.forEach((e, b) => {
      if (e.isStart) for (let k = 0; k < N; k++) dH0[k] += dState[b * N + k];
    });
  }

  /** Clipped Adam on the cell's trainable prefix and on h0; a non-finite gradient skips the step. */
  private apply(grads: Float32Array, dH0: Float64Array): void {
    const trainable = this.model.layout.trainableLength;
    const flat = grads.subarray(0, trainable);
    let sq = 0;
    for (let i = 0; i < flat.length; i++) sq += flat[i] * flat[i];
    for (let k = 0; k < dH0.length; k++) sq += dH0[k] * dH0[k];
    const norm = Math.sqrt(sq);
    if (!Number.isFinite(norm)) {
      this.skipped++;
      return;
    }
    const scale = clipScale(norm, CLIP_NORM);
    this.optimizer.apply(this.model.parameters.subarray(0, trainable), flat, this.learningRate, scale);
    this.model.markParametersChanged();
    // Adam on h0 with the same step counter as the cell's optimizer.
    const t = this.optimizer.step;
    const N = this.h0.length, m = this.h0Moments;
    for (let k = 0; k < N; k++) {
      const g = dH0[k] * scale;
      m[k] = 0.9 * m[k] + 0.1 * g;
      m[N + k] = 0.999 * m[N + k] + 0.001 * g * g;
      this.h0[k] -= (this.learningRate * m[k] / (1 - 0.9 ** t)) / (Math.sqrt(m[N + k] / (1 - 0.999 ** t)) + 1e-8);
    }
    this.steps++;
  }
}

function groupByLength(batch: LearningExample[]): Group[] {
  const groups = new Map<number, LearningExample[]>();
  for (const e of batch) {
    const list = groups.get(e.length);
    if (list) list.push(e);
    else groups.set(e.length, [e]);
  }
  return [...groups].sort((a, b) => a[0] - b[0]).map(([length, members]) => ({ length, members }));
}
