/**
 * What LTC and CfC share: validation of inputs, states and timespans, the flat parameter buffer with named
 * views, and the one backend object every call runs through (backend/sequence-backend.ts). Nothing here knows
 * which backend it is.
 */
import { argumentError, argumentErrorRendered, NcpError, NotImplementedError } from '../errors.js';
import { describe } from '../describe.js';
import type { CellSpec, ModelSpec } from '../backend/cell-spec.js';
import type { DeviceStepResult, DeviceTraining, DeviceUpdate } from '../backend/device-training.js';
import { nativeModelConfig } from '../backend/native-config.js';
import { asNativeError } from '../backend/native-errors.js';
import type { NativeModelConfig } from '../backend/native-types.js';
import type { LossArgs, SequenceArgs } from '../backend/sequence-args.js';
import type { BackendChoice, SequenceBackend } from '../backend/sequence-backend.js';
import { createBackend, expectBackend } from '../backend/select.js';
import type { ParamLayout } from '../backend/param-layout.js';
import { checkLossArgs, type LossOptionValues } from './loss-args.js';
import { checkCallSize, type CallShape, type ModelSizes, type StepWork } from './call-limits.js';
import { ResultPool } from './result-pool.js';
import { callGradients, callResult, outputShape, packState, splitState, type PreparedCall } from './call-results.js';
import { prepareCall } from './prepare-call.js';
import { checkStateDict } from './state-dict.js';
import { StepBlock } from './step-block.js';
import { ModelSummary, type SummarySource } from './summary.js';
import { arrayTypeOf, expectTensor, type Dtype, type FloatArray, type Tensor } from './tensor.js';
import type {
  Backend, ForwardBackwardLossOptions, ForwardBackwardLossResult, ForwardBackwardOptions, ForwardBackwardResult, ForwardOptions, ForwardResult, ParameterConstraints, State,
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
  backend: BackendChoice;
  layout: ParamLayout;
}

export abstract class SequenceModel {
  readonly dtype: Dtype;
  readonly inputSize: number;
  readonly stateSize: number;
  readonly outputSize: number;
  readonly batchFirst: boolean;
  readonly returnSequences: boolean;
  readonly hasMixedMemory: boolean;
  readonly layout: ParamLayout;
  protected readonly api: string;
  private readonly hostParameters: FloatArray;
  /** Set while a backend holds parameters newer than hostParameters (training on MLX keeps them on the device). */
  private deviceCopy: DeviceTraining | undefined;
  private version = 1;
  private requestedBackend: BackendChoice;
  private engine!: SequenceBackend;
  /** Whether the backend has a bound step: the step fast path reads this one property. */
  private hasBoundStep = false;
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
    this.requestedBackend = init.backend;
    this.layout = init.layout;
    this.hostParameters = new (arrayTypeOf(init.dtype))(init.layout.length);
  }

  /**
   * Every parameter and buffer in one array (see `layout`); namedParameters() are views into it. While a fit on
   * MLX runs, the newest values live on the device: reading this property copies them back first.
   */
  get parameters(): FloatArray {
    if (this.deviceCopy) this.syncParameters();
    return this.hostParameters;
  }

  /** @internal Copies parameters a backend holds newer than the host's back into `parameters` (fit's end). */
  syncParameters(): void {
    const device = this.deviceCopy;
    if (!device) return;
    device.readParameters(this.hostParameters);
    this.deviceCopy = undefined;
  }

  /** The cell kind and its configuration in SPEC.md's vocabulary, and the projection width (0: none). */
  protected abstract cellSpec(): { cell: CellSpec; projSize: number };
  /** The cell's tape per step and scratch per thread, in elements (for the call-size estimate, call-limits.ts). */
  protected abstract stepWork(): StepWork;

  /** What is specific to this cell for summary(): kind, a one-line description, its options, the wiring. */
  protected abstract cellSummary(): Pick<SummarySource, 'kind' | 'cell' | 'options' | 'wiring'>;

  /** The backend the calls run on: 'cpu', 'mlx', 'reference', or 'auto' (per call, where MLX has a Metal GPU). */
  get backend(): Backend {
    return this.engine.name;
  }

  /** The device the backend computes on ('cpu', 'mlx cpu', 'mlx gpu (Apple M3 Max)', 'typescript'). */
  get device(): string {
    return this.engine.device;
  }

  /** @internal The backend object (the optimizer runs its step there). */
  get sequenceBackend(): SequenceBackend {
    return this.engine;
  }

  /**
   * Moves this model to another backend ('auto' | 'cpu' | 'mlx' | 'reference'); its parameters stay as they are.
   * Throws BackendUnavailableError for 'mlx' where the MLX addon is not built, RangeError for mlx with float64.
   */
  useBackend(backend: Backend): void {
    const choice = expectBackend(`${this.api}.useBackend`, 'backend', backend);
    const next = createBackend(choice, this.modelSpec());
    this.engine.dispose();
    this.attach(choice, next);
  }

  /** Releases what the backend holds for this model (native copies, device arrays); the next call rebuilds it. */
  dispose(): void {
    this.syncParameters();
    this.engine.dispose();
    this.stepIO = undefined;
  }

  /** Ranges of `parameters` an optimizer step must keep valid (none unless the cell declares some). */
  parameterConstraints(): ParameterConstraints {
    return { nonNegative: [] };
  }

  /** Whether a training forward differs from inference (dropout): its output then comes from forwardBackward. */
  get trainingUsesDropout(): boolean {
    return false;
  }

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
    this.deviceCopy = undefined;
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
    checkStateDict(`${this.api}.loadStateDict`, this.layout, this.parameters, dict);
    for (const e of this.layout.entries) this.parameters.set(dict[e.name].data, e.offset);
    this.markParametersChanged();
  }

  forward(input: Tensor, options?: ForwardOptions): ForwardResult {
    const call = this.prepare(`${this.api}.forward`, input, options, undefined);
    this.run(call.args, false);
    return callResult(this, call);
  }

  async forwardAsync(input: Tensor, options?: ForwardOptions): Promise<ForwardResult> {
    const call = this.prepare(`${this.api}.forwardAsync`, input, options, undefined);
    await this.runAsync(call.args, false);
    return callResult(this, call);
  }

  forwardBackward(input: Tensor, dOutput: Tensor, options?: ForwardBackwardOptions): ForwardBackwardResult {
    const call = this.prepare(`${this.api}.forwardBackward`, input, options, dOutput);
    this.run(call.args, true);
    return { ...callResult(this, call), grads: callGradients(this, call) };
  }

  async forwardBackwardAsync(input: Tensor, dOutput: Tensor, options?: ForwardBackwardOptions): Promise<ForwardBackwardResult> {
    const call = this.prepare(`${this.api}.forwardBackwardAsync`, input, options, dOutput);
    await this.runAsync(call.args, true);
    return { ...callResult(this, call), grads: callGradients(this, call) };
  }

  /**
   * Forward, a built-in loss of the output against `target` and its gradient, and backward, in one call and
   * one forward pass (what fit runs per batch): the loss follows train/losses.ts exactly. Returns the output,
   * the final state, the gradients, and the batch's mean loss with its term count.
   */
  forwardBackwardLoss(input: Tensor, target: Tensor, options: ForwardBackwardLossOptions): ForwardBackwardLossResult {
    const { call, loss } = this.prepareLoss(`${this.api}.forwardBackwardLoss`, input, target, options);
    const value = this.engine.forwardBackwardLoss({ ...call.args, ...loss });
    return { ...callResult(this, call), grads: callGradients(this, call), loss: value.loss, count: value.count };
  }

  async forwardBackwardLossAsync(input: Tensor, target: Tensor, options: ForwardBackwardLossOptions): Promise<ForwardBackwardLossResult> {
    const { call, loss } = this.prepareLoss(`${this.api}.forwardBackwardLossAsync`, input, target, options);
    const value = await this.engine.forwardBackwardLossAsync({ ...call.args, ...loss });
    return { ...callResult(this, call), grads: callGradients(this, call), loss: value.loss, count: value.count };
  }

  /**
   * @internal One training batch where the backend keeps the parameters on the device (backend.deviceTraining):
   * forward, the built-in loss, backward and `update` in one call. An applied update is committed under a new
   * parameter version that lives on the device until `parameters` is read.
   */
  async trainStepOnDevice(input: Tensor, target: Tensor, options: ForwardBackwardLossOptions, update: DeviceUpdate): Promise<DeviceStepResult> {
    const device = this.engine.deviceTraining;
    if (!device) throw new NotImplementedError(`${this.api}.trainStepOnDevice: backend '${this.engine.name}' keeps no parameters on a device.`);
    const { call, loss } = this.prepareLoss(`${this.api}.trainStep`, input, target, options, false);
    const issued = this.version;
    let result: DeviceStepResult;
    try {
      result = await device.trainStepAsync({ ...call.args, ...loss, update });
    } catch (error) {
      device.discard();
      throw error;
    }
    if (this.version !== issued) {
      device.discard();
      throw new NcpError(`${this.api}.trainStepOnDevice: the parameters were changed while the training step ran; the step was dropped.`, 'NCP_PARAMETERS_CHANGED');
    }
    if (!result.applied) {
      device.discard();
      return result;
    }
    try {
      device.commit(issued + 1);
    } catch (error) {
      device.discard(); // never leave a step pending: the next one would be refused
      throw error;
    }
    this.version = issued + 1;
    this.deviceCopy = device;
    return result;
  }

  /**
   * One time step for low-latency use (an agent event): x is (B×S) or (S), state (B×H) / (H) or `{ h, c }`,
   * dt the elapsed time (number, or a (B) tensor). Returns the output (B×outputs) and the new state.
   */
  step(x: Tensor, state?: State, dt: number | Tensor = 1): ForwardResult {
    if (this.deviceCopy) this.syncParameters();  // the bound step reads the host buffer
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
    const { h: h0, c: c0 } = splitState(this, api, 'state', state, stateShape);
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
    if (this.hasBoundStep) {
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
      state: packState(this, hFinal, cFinal, isBatched, batch),
    };
  }

  // ---- internals -------------------------------------------------------------------------------------------

  /** The native step's I/O block for this batch size, registered with the addon (models/step-block.ts). */
  private stepBlock(batch: number): StepBlock {
    if (this.stepIO?.batch !== batch) {
      this.checkCall(this.stepApi, { batch, steps: 1, backward: false, returnSequences: false, hasTimespans: true, shape: [batch, this.inputSize] });
      const sizes = { inputs: this.inputSize, state: this.stateSize, outputs: this.outputSize, mixedMemory: this.hasMixedMemory };
      const bind = this.engine.bindStep!;
      this.stepIO = new StepBlock(arrayTypeOf(this.dtype), batch, sizes, (b, block) => bind(b, block));
    }
    return this.stepIO;
  }

  /**
   * @internal What every backend builds this model from: the cell kind and configuration (SPEC.md's names), the
   * flat parameter buffer and its layout.
   */
  modelSpec(): ModelSpec {
    const { cell, projSize } = this.cellSpec();
    return { api: this.api, cell, mixedMemory: this.hasMixedMemory, projSize, dtype: this.dtype, params: this.parameters, layout: this.layout };
  }

  /** @internal The spec as the native addons' constructors read it (tests build NativeModel / MlxModel from it). */
  nativeModelConfig(): NativeModelConfig {
    return nativeModelConfig(this.modelSpec());
  }

  /** Builds the backend now (subclasses call it last), so configuration errors surface at construction. */
  protected initBackend(): void {
    this.attach(this.requestedBackend, createBackend(this.requestedBackend, this.modelSpec()));
  }

  private attach(choice: BackendChoice, engine: SequenceBackend): void {
    this.requestedBackend = choice;
    this.engine = engine;
    this.hasBoundStep = engine.bindStep !== undefined;
    this.stepIO = undefined;
  }

  private run(args: SequenceArgs, backward: boolean): void {
    if (backward) this.engine.forwardBackward(args);
    else this.engine.forward(args);
  }

  private runAsync(args: SequenceArgs, backward: boolean): Promise<void> {
    return backward ? this.engine.forwardBackwardAsync(args) : this.engine.forwardAsync(args);
  }

  /** prepare() for the fused call (no dOutput: the loss gives it), plus its loss arguments. */
  private prepareLoss(api: string, input: Tensor, target: Tensor, options: ForwardBackwardLossOptions, wantGradients = true): { call: PreparedCall; loss: LossArgs } {
    if (typeof options !== 'object' || options === null) throw argumentError(TypeError, api, 'options', "an object with at least { loss: 'mse' | 'mae' | 'bce' | 'crossEntropy' }", options);
    const call = this.prepare(api, input, options, undefined, true, wantGradients);
    const loss = checkLossArgs(api, this.dtype, outputShape(this, call.isBatched, call.batch, call.steps), target, options as LossOptionValues);
    return { call, loss };
  }

  private prepare(api: string, input: Tensor, options: ForwardBackwardOptions | undefined, dOutput: Tensor | undefined, fusedLoss = false, wantGradients = true): PreparedCall {
    const checkCall = (call: Omit<CallShape, 'threads'>) => this.checkCall(api, call);
    return prepareCall(this, { version: this.version, paramLength: this.hostParameters.length, checkCall }, api, input, options, dOutput, fusedLoss, wantGradients);
  }

  /** Refuses a call whose batch × length or memory estimate exceeds LIMITS, before its arrays are allocated. */
  private checkCall(api: string, call: Omit<CallShape, 'threads'>): void {
    const sizes: ModelSizes = {
      inputs: this.inputSize,
      state: this.stateSize,
      outputs: this.outputSize,
      params: this.hostParameters.length,
      mixedMemory: this.hasMixedMemory,
      bytesPerElement: this.hostParameters.BYTES_PER_ELEMENT,
      step: this.stepWork(),
    };
    const threads = this.engine.threads();
    checkCallSize(api, sizes, { ...call, threads }, this.engine);
  }
}
