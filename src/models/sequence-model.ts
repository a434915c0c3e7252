/**
 * What LTC and CfC share: validation of inputs, states and timespans, the flat parameter buffer with named
 * views, and dispatch to the native CPU kernels or the TypeScript reference.
 */
import { argumentError, argumentErrorRendered } from '../errors.js';
import { describe } from '../describe.js';
import { loadNative } from '../backend/load.js';
import { asNativeError } from '../backend/native-errors.js';
import type { NativeModelConfig, NativeSequenceModel } from '../backend/native-types.js';
import type { LossArgs, LossValue, SequenceArgs } from '../backend/sequence-args.js';
import { computeLoss } from '../backend/reference/loss.js';
import { runReferenceSequence, type ReferenceSequenceModel } from '../backend/reference/sequence.js';
import { nativeParamOffsets } from '../io/ncps-names.js';
import { checkLossArgs, LOSS_OPTION_KEYS, type LossOptionValues } from './loss-args.js';
import type { ParamLayout } from './param-layout.js';
import { checkCallSize, type CallShape, type ModelSizes, type StepWork } from './call-limits.js';
import { ResultPool } from './result-pool.js';
import { describeMaskMismatch, findMaskMismatch, MASK_RULE } from './sparsity-masks.js';
import { StepBlock } from './step-block.js';
import { ModelSummary, type SummarySource } from './summary.js';
import { arrayTypeOf, expectTensor, product, type Dtype, type FloatArray, type Tensor } from './tensor.js';
import type {
  Backend, ForwardBackwardLossOptions, ForwardBackwardLossResult, ForwardBackwardOptions, ForwardBackwardResult, ForwardOptions, ForwardResult, Gradients, State,
} from './sequence-types.js';

export type * from './sequence-types.js';
export type { StepWork } from './call-limits.js';

interface SequenceModelInit {
  api: string;
  dtype: Dtype;
  inputSize: number;
  stateSize: number;
  outputSize: number;
  batchFirst: boolean;
  returnSequences: boolean;
  hasMixedMemory: boolean;
  backend: Backend;
  layout: ParamLayout;
}

interface PreparedCall {
  args: SequenceArgs;
  isBatched: boolean;
  hasTimespans: boolean;
  batch: number;
  steps: number;
}

export abstract class SequenceModel {
  readonly dtype: Dtype;
  readonly inputSize: number;
  readonly stateSize: number;
  readonly outputSize: number;
  readonly batchFirst: boolean;
  readonly returnSequences: boolean;
  readonly hasMixedMemory: boolean;
  readonly backend: Backend;
  readonly layout: ParamLayout;
  /** Every parameter and buffer in one array (see `layout`); namedParameters() are views into it. */
  readonly parameters: FloatArray;
  protected readonly api: string;
  private version = 1;
  private nativeModel: NativeSequenceModel | undefined;
  private readonly stepApi: string;
  private stepIO: StepBlock | undefined;
  private stepResults: ResultPool | undefined;

  protected constructor(init: SequenceModelInit) {
    this.api = init.api;
    this.stepApi = `${init.api}.step`;
    this.dtype = init.dtype;
    this.inputSize = init.inputSize;
    this.stateSize = init.stateSize;
    this.outputSize = init.outputSize;
    this.batchFirst = init.batchFirst;
    this.returnSequences = init.returnSequences;
    this.hasMixedMemory = init.hasMixedMemory;
    this.backend = init.backend;
    this.layout = init.layout;
    this.parameters = new (arrayTypeOf(init.dtype))(init.layout.length);
  }

  /** The cell kind and configuration the native backend needs. */
  protected abstract nativeCellConfig(): { cell: 'ltc' | 'cfc' | 'wired_cfc'; cellConfig: object; projSize: number };
  /** The reference twin of this model, built over float64 copies of the parameters. */
  protected abstract referenceModel(params: Float64Array): ReferenceSequenceModel;
  /** The cell's tape per step and scratch per thread, in elements (for the call-size estimate, call-limits.ts). */
  protected abstract stepWork(): StepWork;

  /** What is specific to this cell for summary(): kind, a one-line description, its options, the wiring. */
  protected abstract cellSummary(): Pick<SummarySource, 'kind' | 'cell' | 'options' | 'wiring'>;

  /** Cell, wiring by neuron type, synapses, and every parameter tensor (shape, count, bytes, trainable). */
  summary(): ModelSummary {
    const cell = this.cellSummary();
    const options = { ...cell.options, mixedMemory: this.hasMixedMemory, returnSequences: this.returnSequences, batchFirst: this.batchFirst };
    const { dtype, backend, layout, inputSize, stateSize, outputSize } = this;
    return new ModelSummary({ ...cell, options, dtype, backend, layout, inputSize, stateSize, outputSize });
  }

  /** The summary as text. */
  toString(): string {
    return this.summary().toString();
  }

  /** Call after writing into `parameters` or a namedParameters() view, so backends re-read them. */
  markParametersChanged(): void {
    this.version++;
  }

  /** Live views into `parameters`, keyed by ncps name (trainable parameters and buffers). */
  namedParameters(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const e of this.layout.entries) {
      out[e.name] = { data: this.parameters.subarray(e.offset, e.offset + e.size), shape: [...e.shape] };
    }
    return out;
  }

  /** Copies of every parameter and buffer, keyed by ncps name (what ncps's `state_dict()` holds). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(this.namedParameters())) out[name] = { data: t.data.slice(), shape: t.shape };
    return out;
  }

  /** Loads a state dict (ncps names; any float dtype, converted). Every key must be present and match in shape. */
  loadStateDict(dict: Record<string, { data: ArrayLike<number>; shape: number[] }>): void {
    const api = `${this.api}.loadStateDict`;
    if (typeof dict !== 'object' || dict === null) throw argumentError(TypeError, api, 'dict', 'an object of tensors', dict);
    const known = new Set(this.layout.entries.map((e) => e.name));
    for (const key of Object.keys(dict)) {
      if (!known.has(key)) {
        throw argumentErrorRendered(RangeError, api, 'dict', `only this model's parameters (${[...known].join(', ')})`, `an unknown key "${key}"`);
      }
    }
    for (const e of this.layout.entries) {
      const t = dict[e.name];
      if (t === undefined) throw argumentErrorRendered(RangeError, api, 'dict', `a tensor for every parameter`, `no "${e.name}"`);
      const shape = Array.isArray(t.shape) ? t.shape : [];
      // ncps stores some vectors as (1×N) and others as (N): accept any shape with the same element count and
      // the same non-unit dimensions.
      const squeeze = (s: number[]): string => s.filter((d) => d !== 1).join('×');
      if (product(shape) !== e.size || squeeze(shape) !== squeeze(e.shape) || t.data?.length !== e.size) {
        throw argumentErrorRendered(RangeError, api, `dict["${e.name}"]`, `shape [${e.shape.join(', ')}]`, `shape [${shape.join(', ')}] with ${describe(t.data)}`);
      }
    }
    const mismatch = findMaskMismatch(this.layout.entries, this.parameters, (name) => dict[name].data);
    if (mismatch) {
      const expected = `the sparsity mask of this model's wiring (${MASK_RULE})`;
      throw argumentErrorRendered(RangeError, api, `dict["${mismatch.name}"]`, expected, `a mask with ${describeMaskMismatch(mismatch)}`);
    }
    for (const e of this.layout.entries) this.parameters.set(dict[e.name].data, e.offset);
    this.markParametersChanged();
  }

  forward(input: Tensor, options?: ForwardOptions): ForwardResult {
    const call = this.prepare(`${this.api}.forward`, input, options, undefined);
    this.run(call.args, false);
    return this.result(call);
  }

  async forwardAsync(input: Tensor, options?: ForwardOptions): Promise<ForwardResult> {
    const call = this.prepare(`${this.api}.forwardAsync`, input, options, undefined);
    await this.runAsync(call.args, false);
    return this.result(call);
  }

  forwardBackward(input: Tensor, dOutput: Tensor, options?: ForwardBackwardOptions): ForwardBackwardResult {
    const call = this.prepare(`${this.api}.forwardBackward`, input, options, dOutput);
    this.run(call.args, true);
    return { ...this.result(call), grads: this.gradients(call) };
  }

  async forwardBackwardAsync(input: Tensor, dOutput: Tensor, options?: ForwardBackwardOptions): Promise<ForwardBackwardResult> {
    const call = this.prepare(`${this.api}.forwardBackwardAsync`, input, options, dOutput);
    await this.runAsync(call.args, true);
    return { ...this.result(call), grads: this.gradients(call) };
  }

  /**
   * Forward, a built-in loss of the output against `target` and its gradient, and backward, in one call and
   * one forward pass (what fit runs per batch): the loss follows train/losses.ts exactly. Returns the output,
   * the final state, the gradients, and the batch's mean loss with its term count.
   */
  forwardBackwardLoss(input: Tensor, target: Tensor, options: ForwardBackwardLossOptions): ForwardBackwardLossResult {
    const { call, loss } = this.prepareLoss(`${this.api}.forwardBackwardLoss`, input, target, options);
    const value = this.runLoss(call.args, loss);
    return { ...this.result(call), grads: this.gradients(call), loss: value.loss, count: value.count };
  }

  async forwardBackwardLossAsync(input: Tensor, target: Tensor, options: ForwardBackwardLossOptions): Promise<ForwardBackwardLossResult> {
    const { call, loss } = this.prepareLoss(`${this.api}.forwardBackwardLossAsync`, input, target, options);
    const value = await this.runLossAsync(call.args, loss);
    return { ...this.result(call), grads: this.gradients(call), loss: value.loss, count: value.count };
  }

  /**
   * One time step for low-latency use (an agent event): x is (B×S) or (S), state (B×H) / (H) or `{ h, c }`,
   * dt the elapsed time (number, or a (B) tensor). Returns the output (B×outputs) and the new state.
   */
  step(x: Tensor, state?: State, dt: number | Tensor = 1): ForwardResult {
    const api = this.stepApi;
    const S = this.inputSize;
    const H = this.stateSize;
    const rank = x?.shape?.length;
    if (rank !== 1 && rank !== 2) {
      throw argumentErrorRendered(RangeError, api, 'x', `a tensor of shape [B, ${S}] or [${S}]`, x?.shape ? `shape [${x.shape.join(', ')}]` : describe(x));
    }
    const isBatched = rank === 2;
    const batch = isBatched ? x.shape[0] : 1;
    const xData = expectTensor(api, 'x', x, this.dtype, isBatched ? [batch, S] : [S], isBatched ? '(B×S)' : '(S)');
    const stateShape = isBatched ? [batch, H] : [H];
    const { h: h0, c: c0 } = this.splitState(api, 'state', state, stateShape);
    const ArrayType = arrayTypeOf(this.dtype);
    let timespans: FloatArray | undefined;
    if (typeof dt === 'number') {
      if (!Number.isFinite(dt) || dt <= 0) throw argumentError(RangeError, api, 'dt', 'a finite number > 0', dt);
    } else {
      timespans = expectTensor(api, 'dt', dt, this.dtype, [batch], '(B)');
      for (let i = 0; i < batch; i++) {
        if (!(timespans[i] > 0) || !Number.isFinite(timespans[i])) throw argumentError(RangeError, api, `dt (element ${i})`, 'finite elapsed times > 0', timespans[i]);
      }
    }
    const pool = (this.stepResults ??= new ResultPool(ArrayType));
    let output: FloatArray, hFinal: FloatArray, cFinal: FloatArray | undefined;
    if (this.backend === 'cpu') {
      try {
        ({ output, hFinal, cFinal } = this.stepBlock(batch).step({ x: xData, dt: timespans ?? (dt as number), h: h0, c: c0 }, this.version, pool));
      } catch (error) {
        throw asNativeError(error);
      }
    } else {
      this.checkCall(api, { batch, steps: 1, backward: false, returnSequences: false, hasTimespans: true, shape: x.shape });
      output = pool.take(batch * this.outputSize);
      hFinal = pool.take(batch * H);
      cFinal = this.hasMixedMemory ? pool.take(batch * H) : undefined;
      if (!timespans && dt !== 1) timespans = new ArrayType(batch).fill(dt as number);
      const args: SequenceArgs = { version: this.version, batch, steps: 1, batchFirst: true, returnSequences: false, input: xData, timespans, h0, c0, output, hFinal, cFinal };
      this.run(args, false);
    }
    return {
      output: { data: output, shape: isBatched ? [batch, this.outputSize] : [this.outputSize] },
      state: this.packState(hFinal, cFinal, isBatched, batch),
    };
  }

  // ---- internals -------------------------------------------------------------------------------------------

  /** The native step's I/O block for this batch size, registered with the addon (models/step-block.ts). */
  private stepBlock(batch: number): StepBlock {
    if (this.stepIO?.batch !== batch) {
      this.checkCall(this.stepApi, { batch, steps: 1, backward: false, returnSequences: false, hasTimespans: true, shape: [batch, this.inputSize] });
      const sizes = { inputs: this.inputSize, state: this.stateSize, outputs: this.outputSize, mixedMemory: this.hasMixedMemory };
      const native = this.native();
      this.stepIO = new StepBlock(arrayTypeOf(this.dtype), batch, sizes, (b, block) => native.bindStep(b, block));
    }
    return this.stepIO;
  }

  private native(): NativeSequenceModel {
    if (!this.nativeModel) {
      const { NativeModel } = loadNative();
      try {
        this.nativeModel = new NativeModel(this.nativeModelConfig());
      } catch (error) {
        throw asNativeError(error);
      }
    }
    return this.nativeModel;
  }

  /**
   * @internal What a native backend (the CPU addon, the MLX addon) builds this model from: the cell kind, its
   * configuration and the flat parameter buffer with its offsets.
   */
  nativeModelConfig(): NativeModelConfig {
    const { cell, cellConfig, projSize } = this.nativeCellConfig();
    const offsets = nativeParamOffsets(this.layout.offsets, (cellConfig as { backboneDropout?: number }).backboneDropout ?? 0);
    return { api: this.api, cell, cellConfig, params: this.parameters, offsets, mixedMemory: this.hasMixedMemory, projSize };
  }

  /** Builds the native model now (it is otherwise built on first use), so configuration errors surface early. */
  protected initBackend(): void {
    if (this.backend === 'cpu') this.native();
  }

  private run(args: SequenceArgs, backward: boolean): void {
    if (this.backend === 'reference') {
      runReferenceSequence(this.referenceModel(Float64Array.from(this.parameters)), args, backward);
      return;
    }
    try {
      if (backward) this.native().forwardBackward(args);
      else this.native().forward(args);
    } catch (error) {
      throw asNativeError(error);
    }
  }

  private async runAsync(args: SequenceArgs, backward: boolean): Promise<void> {
    if (this.backend === 'reference') {
      this.run(args, backward);
      return;
    }
    // Keep the caller's stack: a native rejection carries only the worker's.
    const stack = new Error();
    try {
      await (backward ? this.native().forwardBackwardAsync(args) : this.native().forwardAsync(args));
    } catch (caught) {
      const error = asNativeError(caught);
      if (error instanceof Error && stack.stack) error.stack = `${error.name}: ${error.message}\n${stack.stack.split('\n').slice(1).join('\n')}`;
      throw error;
    }
  }

  /** prepare() for the fused call (no dOutput: the loss gives it), plus its loss arguments. */
  private prepareLoss(api: string, input: Tensor, target: Tensor, options: ForwardBackwardLossOptions): { call: PreparedCall; loss: LossArgs } {
    if (typeof options !== 'object' || options === null) throw argumentError(TypeError, api, 'options', "an object with at least { loss: 'mse' | 'mae' | 'bce' | 'crossEntropy' }", options);
    const call = this.prepare(api, input, options, undefined, true);
    const loss = checkLossArgs(api, this.dtype, this.outputShape(call.isBatched, call.batch, call.steps), target, options as LossOptionValues);
    return { call, loss };
  }

  private runLoss(args: SequenceArgs, loss: LossArgs): LossValue {
    if (this.backend === 'reference') {
      let value: LossValue = { loss: 0, count: 0 };
      runReferenceSequence(this.referenceModel(Float64Array.from(this.parameters)), args, true, (output) => {
        const r = computeLoss(loss.loss, { output, target: loss.target, mask: loss.mask, outputs: this.outputSize, targetIsIndex: loss.targetIsIndex });
        value = { loss: r.loss, count: r.count };
        return r.grad;
      });
      return value;
    }
    try {
      return this.native().forwardBackwardLoss({ ...args, ...loss });
    } catch (error) {
      throw asNativeError(error);
    }
  }

  private async runLossAsync(args: SequenceArgs, loss: LossArgs): Promise<LossValue> {
    if (this.backend === 'reference') return this.runLoss(args, loss);
    const stack = new Error();
    try {
      return await this.native().forwardBackwardLossAsync({ ...args, ...loss });
    } catch (caught) {
      const error = asNativeError(caught);
      if (error instanceof Error && stack.stack) error.stack = `${error.name}: ${error.message}\n${stack.stack.split('\n').slice(1).join('\n')}`;
      throw error;
    }
  }

  private prepare(api: string, input: Tensor, options: ForwardBackwardOptions | undefined, dOutput: Tensor | undefined, fusedLoss = false): PreparedCall {
    const opts = options ?? {};
    if (typeof opts !== 'object') throw argumentError(TypeError, api, 'options', 'an object', opts);
    const backward = dOutput !== undefined || fusedLoss;
    const known = ['state', 'timespans', 'dropoutSeed', ...(backward ? ['dState'] : []), ...(fusedLoss ? LOSS_OPTION_KEYS : [])];
    for (const key of Object.keys(opts)) {
      if (!known.includes(key)) throw argumentError(TypeError, api, `options.${key}`, `no such option (known: ${known.join(', ')})`, (opts as Record<string, unknown>)[key]);
    }
    const S = this.inputSize;
    const H = this.stateSize;
    const shape = input?.shape;
    if (typeof input !== 'object' || input === null || !Array.isArray(shape)) {
      throw argumentError(TypeError, api, 'input', `a tensor { data, shape } of shape [B, L, ${S}]`, input);
    }
    const layoutText = this.batchFirst ? '(B×L×S)' : '(L×B×S)';
    if (shape.length !== 2 && shape.length !== 3) {
      throw argumentErrorRendered(RangeError, api, 'input.shape', `rank 3 ${layoutText} or rank 2 (L×S) with S = ${S}`, `[${shape.join(', ')}]`);
    }
    const isBatched = shape.length === 3;
    const batch = isBatched ? (this.batchFirst ? shape[0] : shape[1]) : 1;
    const steps = isBatched ? (this.batchFirst ? shape[1] : shape[0]) : shape[0];
    if (shape[shape.length - 1] !== S || batch < 1 || steps < 1) {
      throw argumentErrorRendered(RangeError, api, 'input.shape', isBatched ? `${layoutText} with B ≥ 1, L ≥ 1, S = ${S}` : `(L×S) with L ≥ 1, S = ${S}`, `[${shape.join(', ')}]`);
    }
    this.checkCall(api, { batch, steps, backward, returnSequences: this.returnSequences, hasTimespans: opts.timespans !== undefined, shape });
    const data = expectTensor(api, 'input', input, this.dtype, shape, layoutText);
    const ArrayType = arrayTypeOf(this.dtype);

    let timespans: FloatArray | undefined;
    if (opts.timespans !== undefined) {
      const tsShape = isBatched ? (this.batchFirst ? [batch, steps] : [steps, batch]) : [steps];
      timespans = expectTensor(api, 'options.timespans', opts.timespans, this.dtype, tsShape, isBatched ? (this.batchFirst ? '(B×L)' : '(L×B)') : '(L)');
      for (let i = 0; i < timespans.length; i++) {
        const v = timespans[i];
        if (!(v > 0) || !Number.isFinite(v)) {
          throw argumentError(RangeError, api, `options.timespans (element ${i})`, 'finite elapsed times > 0', v);
        }
      }
    }
    const stateShape = isBatched ? [batch, H] : [H];
    const { h: h0, c: c0 } = this.splitState(api, 'options.state', opts.state, stateShape);
    const outLength = this.returnSequences ? batch * steps * this.outputSize : batch * this.outputSize;
    const args: SequenceArgs = {
      version: this.version,
      batch,
      steps,
      batchFirst: this.batchFirst,
      returnSequences: this.returnSequences,
      input: data,
      timespans,
      h0,
      c0,
      output: new ArrayType(outLength),
      hFinal: new ArrayType(batch * H),
      cFinal: this.hasMixedMemory ? new ArrayType(batch * H) : undefined,
    };
    if (opts.dropoutSeed !== undefined) {
      const seed = opts.dropoutSeed;
      if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
        throw argumentError(RangeError, api, 'options.dropoutSeed', 'a non-negative safe integer', seed);
      }
      args.dropoutSeed = seed;
    }
    if (backward) {
      const outShape = this.outputShape(isBatched, batch, steps);
      if (dOutput !== undefined) args.dOutput = expectTensor(api, 'dOutput', dOutput, this.dtype, outShape, '(the output shape)');
      const d = this.splitState(api, 'options.dState', opts.dState, stateShape);
      args.dHFinal = d.h;
      args.dCFinal = d.c;
      args.dInput = new ArrayType(data.length);
      args.dTimespans = timespans ? new ArrayType(timespans.length) : undefined;
      args.dH0 = new ArrayType(batch * H);
      args.dC0 = this.hasMixedMemory ? new ArrayType(batch * H) : undefined;
      args.dParams = new ArrayType(this.parameters.length);
    }
    return { args, isBatched, hasTimespans: timespans !== undefined, batch, steps };
  }

  /** Refuses a call whose batch × length or memory estimate exceeds LIMITS, before its arrays are allocated. */
  private checkCall(api: string, call: Omit<CallShape, 'threads'>): void {
    const sizes: ModelSizes = {
      inputs: this.inputSize,
      state: this.stateSize,
      outputs: this.outputSize,
      params: this.parameters.length,
      mixedMemory: this.hasMixedMemory,
      bytesPerElement: this.parameters.BYTES_PER_ELEMENT,
      step: this.stepWork(),
    };
    const threads = this.backend === 'cpu' ? loadNative().getNumThreads() : 1;
    checkCallSize(api, sizes, { ...call, threads });
  }

  private splitState(api: string, name: string, state: State | undefined, shape: number[]): { h?: FloatArray; c?: FloatArray } {
    if (state === undefined) return {};
    const text = shape.length === 2 ? '(B×H)' : '(H)';
    if (this.hasMixedMemory) {
      if (typeof state !== 'object' || state === null || !('h' in state) || !('c' in state)) {
        throw argumentError(TypeError, api, name, `{ h, c } tensors of shape [${shape.join(', ')}] (mixed memory)`, state);
      }
      return {
        h: expectTensor(api, `${name}.h`, state.h, this.dtype, shape, text),
        c: expectTensor(api, `${name}.c`, state.c, this.dtype, shape, text),
      };
    }
    return { h: expectTensor(api, name, state, this.dtype, shape, text) };
  }

  private outputShape(isBatched: boolean, batch: number, steps: number): number[] {
    const P = this.outputSize;
    if (!this.returnSequences) return isBatched ? [batch, P] : [P];
    if (!isBatched) return [steps, P];
    return this.batchFirst ? [batch, steps, P] : [steps, batch, P];
  }

  private packState(h: FloatArray, c: FloatArray | undefined, isBatched: boolean, batch: number): State {
    const shape = isBatched ? [batch, this.stateSize] : [this.stateSize];
    const hTensor = { data: h, shape };
    return this.hasMixedMemory ? { h: hTensor, c: { data: c!, shape: [...shape] } } : hTensor;
  }

  private result(call: PreparedCall): ForwardResult {
    const { args, isBatched, batch, steps } = call;
    return {
      output: { data: args.output, shape: this.outputShape(isBatched, batch, steps) },
      state: this.packState(args.hFinal, args.cFinal, isBatched, batch),
    };
  }

  private gradients(call: PreparedCall): Gradients {
    const { args, isBatched, batch } = call;
    const flat = args.dParams!;
    const params: Record<string, Tensor> = {};
    for (const e of this.layout.entries) {
      if (e.trainable) params[e.name] = { data: flat.subarray(e.offset, e.offset + e.size), shape: [...e.shape] };
    }
    return {
      params,
      flat,
      input: { data: args.dInput!, shape: [...(args.input ? this.inputShape(call) : [])] },
      timespans: call.hasTimespans ? { data: args.dTimespans!, shape: isBatched ? (this.batchFirst ? [batch, call.steps] : [call.steps, batch]) : [call.steps] } : undefined,
      state: this.packState(args.dH0!, args.dC0, isBatched, batch),
    };
  }

  private inputShape(call: PreparedCall): number[] {
    const { isBatched, batch, steps } = call;
    if (!isBatched) return [steps, this.inputSize];
    return this.batchFirst ? [batch, steps, this.inputSize] : [steps, batch, this.inputSize];
  }
}
