/**
 * OnnxPolicy: runs a graph from exportOnnx in onnxruntime-node, with the same tensors as the native models'
 * step() and forward(). On macOS arm64, 'auto' registers onnxruntime's Core ML provider (ML Program format,
 * static input shapes only) before the CPU one; elsewhere it is the CPU provider. When Core ML is registered a
 * one-off profiled run finds where every node actually ran, so `provider` reports the truth, not the request.
 *
 * onnxruntime-node is imported on first use: importing ncp-silicon never loads its native library.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { argumentError, argumentErrorRendered, BackendUnavailableError, NcpError, NotImplementedError, OnnxRuntimeError } from '../errors.js';
import { describe } from '../describe.js';
import type { ForwardOptions, ForwardResult, State } from '../models/sequence-model.js';
import type { Tensor } from '../models/tensor.js';
import { emitOnnxCall, isOnnxCallObserved } from './onnx-events.js';
import { expectBoolean, expectInteger, expectOneOf, expectOptions } from '../validate.js';
import { decodeModel } from './graph-builder.js';
import { METADATA_KEYS } from './model-graph.js';
import { checkBatch, checkTimes, expectFloatTensor, inDtype, parseModelInfo, stateFeeds, swapLeadingAxes, toFloat32, type OnnxModelInfo } from './policy-tensors.js';

interface GraphResult {
  y: Float32Array;
  h: Float32Array;
  c?: Float32Array;
}

export type OnnxExecutionProvider = 'cpu' | 'coreml';
/** Which provider ran the graph: all of it on one, or split between Core ML and the CPU. */
export type OnnxProvider = 'cpu' | 'coreml' | 'coreml+cpu';

export interface OnnxPolicyOptions {
  /**
   * 'auto' (default): Core ML then CPU on macOS arm64, CPU elsewhere. 'cpu' or 'coreml': that provider or an
   * error (an explicit 'coreml' also refuses a graph that would partly fall back to the CPU). An array lists
   * providers in order of preference; nodes the first cannot take go to the next.
   */
  executionProviders?: 'auto' | OnnxExecutionProvider | readonly OnnxExecutionProvider[];
  /**
   * Core ML compute units, through the legacy flags (the only ones Node can pass): 'all' (default: Core ML picks
   * CPU, GPU or Neural Engine per op), 'cpuAndGpu' (never the Neural Engine) or 'cpuOnly' (float32 on the CPU,
   * for precision checks). There is no 'CPU and Neural Engine' choice from Node. Used when Core ML is registered.
   */
  coreMlComputeUnits?: 'all' | 'cpuAndGpu' | 'cpuOnly';
  /** Threads of onnxruntime's CPU provider (default: onnxruntime's choice, the physical cores). */
  intraOpNumThreads?: number;
  /**
   * Profile one run (in a throw-away session) to learn where every node ran. Default: true when Core ML is
   * registered (so `provider` is verified), false for the CPU alone.
   */
  probePlacement?: boolean;
}

/** onnxruntime's legacy Core ML flags (coreml_provider_factory.h): the only Core ML options Node can pass. */
export const COREML_FLAGS = { useCpuOnly: 0x001, onlyAllowStaticInputShapes: 0x008, createMLProgram: 0x010, useCpuAndGpu: 0x020 } as const;

const COMPUTE_UNIT_FLAGS = { all: 0, cpuAndGpu: COREML_FLAGS.useCpuAndGpu, cpuOnly: COREML_FLAGS.useCpuOnly } as const;

const PROVIDER_NAMES: Record<string, OnnxExecutionProvider> = { CPUExecutionProvider: 'cpu', CoreMLExecutionProvider: 'coreml' };

let ortModule: Promise<typeof Ort> | undefined;
async function loadOrt(api: string): Promise<typeof Ort> {
  // CommonJS: the namespace's default export is module.exports (named exports are detected too, but not always).
  ortModule ??= import('onnxruntime-node').then((m) => ((m as unknown as { default?: typeof Ort }).default ?? m) as typeof Ort);
  try {
    return await ortModule;
  } catch (error) {
    ortModule = undefined;
    throw new BackendUnavailableError(
      `${api}: could not load onnxruntime-node (${error instanceof Error ? error.message : String(error)}).\nPossible fixes:\n  - npm install onnxruntime-node\n  - npm rebuild onnxruntime-node`,
      { cause: error },
    );
  }
}

const isAppleSilicon = (): boolean => process.platform === 'darwin' && process.arch === 'arm64';

/** The requested providers in order, after checking that an explicitly named Core ML can exist here. */
function resolveProviders(api: string, value: unknown): { providers: OnnxExecutionProvider[]; isExplicitCoreMl: boolean } {
  const name = 'options.executionProviders';
  if (value === undefined || value === 'auto') return { providers: isAppleSilicon() ? ['coreml', 'cpu'] : ['cpu'], isExplicitCoreMl: false };
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw argumentError(TypeError, api, name, "'auto', 'cpu', 'coreml' or a non-empty array of 'cpu' | 'coreml'", value);
  list.forEach((p, i) => {
    if (p !== 'cpu' && p !== 'coreml') throw argumentError(RangeError, api, typeof value === 'string' ? name : `${name}[${i}]`, "one of 'auto' | 'cpu' | 'coreml'", p);
  });
  const providers = [...new Set(list as OnnxExecutionProvider[])];
  if (providers.includes('coreml') && !isAppleSilicon()) {
    throw new BackendUnavailableError(
      `${api}: the 'coreml' execution provider is not available on ${process.platform}-${process.arch}: onnxruntime-node ships its Core ML provider only in its macOS arm64 build (Core ML is how onnxruntime reaches the Neural Engine).\n` +
        "Possible fixes:\n  - use executionProviders 'auto' (Core ML on Apple Silicon, the CPU elsewhere) or 'cpu'\n  - run on a Mac with Apple Silicon",
    );
  }
  return { providers, isExplicitCoreMl: providers.length === 1 && providers[0] === 'coreml' };
}

/** Nodes per onnxruntime provider name, from the events of an onnxruntime profile (JSON trace). */
export function placementFromProfile(events: unknown): Record<string, number> {
  const nodes = new Map<string, string>();
  for (const e of Array.isArray(events) ? events : []) {
    const event = e as { cat?: string; name?: string; args?: { provider?: string } };
    if (event?.cat !== 'Node' || !event.args?.provider || typeof event.name !== 'string') continue;
    nodes.set(event.name.replace(/_(kernel_time|fence_before|fence_after)$/, ''), event.args.provider);
  }
  const counts: Record<string, number> = {};
  for (const provider of nodes.values()) counts[provider] = (counts[provider] ?? 0) + 1;
  return counts;
}

/** The short provider name for a placement: Core ML when any node ran there, with '+cpu' when some did not. */
export function providerFromPlacement(placement: Record<string, number>): OnnxProvider {
  const used = new Set(Object.keys(placement).map((p) => PROVIDER_NAMES[p] ?? p));
  if (used.has('coreml')) return used.size > 1 ? 'coreml+cpu' : 'coreml';
  return 'cpu';
}

export class OnnxPolicy {
  /** The graph's shape contract, from the metadata exportOnnx wrote. */
  readonly info: Readonly<OnnxModelInfo>;
  /** The provider that actually ran the graph (profiled when Core ML was registered). */
  readonly provider: OnnxProvider;
  /** Nodes per onnxruntime provider after graph optimisation, when profiled (a Core ML partition is one node). */
  readonly placement: Readonly<Record<string, number>> | undefined;
  /** The providers registered with onnxruntime, in order. */
  readonly requestedProviders: readonly OnnxExecutionProvider[];
  private session: Ort.InferenceSession | undefined;
  private readonly ort: typeof Ort;

  private constructor(ort: typeof Ort, session: Ort.InferenceSession, info: OnnxModelInfo, requested: OnnxExecutionProvider[], placement: Record<string, number> | undefined) {
    this.ort = ort;
    this.session = session;
    this.info = Object.freeze({ ...info });
    this.requestedProviders = Object.freeze([...requested]);
    this.placement = placement && Object.freeze({ ...placement });
    // Unprofiled: CPU-only sessions run on the CPU; with probePlacement false, Core ML is assumed, not verified.
    this.provider = placement ? providerFromPlacement(placement) : requested.includes('coreml') ? 'coreml' : 'cpu';
  }

  /** Loads ONNX bytes or a file written from exportOnnx's bytes and opens an onnxruntime session. */
  static async create(bytesOrPath: Uint8Array | string, options?: OnnxPolicyOptions): Promise<OnnxPolicy> {
    const api = 'OnnxPolicy.create';
    const opts = expectOptions(api, options, ['executionProviders', 'coreMlComputeUnits', 'intraOpNumThreads', 'probePlacement']);
    const { providers, isExplicitCoreMl } = resolveProviders(api, opts.executionProviders);
    const units = opts.coreMlComputeUnits === undefined ? 'all' : expectOneOf(api, 'options.coreMlComputeUnits', opts.coreMlComputeUnits, ['all', 'cpuAndGpu', 'cpuOnly'] as const);
    const threads = opts.intraOpNumThreads === undefined ? undefined : expectInteger(api, 'options.intraOpNumThreads', opts.intraOpNumThreads, { min: 1, max: 1024 });
    const probe = opts.probePlacement === undefined ? providers.includes('coreml') : expectBoolean(api, 'options.probePlacement', opts.probePlacement);
    let bytes: Uint8Array;
    if (typeof bytesOrPath === 'string') bytes = new Uint8Array(await readFile(bytesOrPath));
    else if (bytesOrPath instanceof Uint8Array) bytes = bytesOrPath;
    else throw argumentError(TypeError, api, 'bytesOrPath', 'a Uint8Array of ONNX bytes or a file path', bytesOrPath);
    const info = readModelInfo(api, bytes, bytesOrPath);

    const ort = await loadOrt(api);
    if (providers.includes('coreml') && !ort.listSupportedBackends().some((b) => b.name === 'coreml')) {
      throw new BackendUnavailableError(`${api}: this onnxruntime-node build has no Core ML provider.\nPossible fixes:\n  - npm install onnxruntime-node (its macOS arm64 build bundles Core ML)\n  - use executionProviders 'auto' or 'cpu'`);
    }
    const sessionOptions: Ort.InferenceSession.SessionOptions = {
      executionProviders: providers.map((p) =>
        p === 'coreml' ? { name: 'coreml', coreMlFlags: COREML_FLAGS.createMLProgram | COREML_FLAGS.onlyAllowStaticInputShapes | COMPUTE_UNIT_FLAGS[units] } : 'cpu',
      ),
      graphOptimizationLevel: 'all',
      ...(threads === undefined ? {} : { intraOpNumThreads: threads }),
      // An explicit 'coreml' means Core ML or an error: refuse sessions that would quietly run nodes on the CPU.
      ...(isExplicitCoreMl ? { extra: { session: { disable_cpu_ep_fallback: '1' } } } : {}),
    };
    try {
      const placement = probe ? await profilePlacement(ort, bytes, sessionOptions, info) : undefined;
      const session = await ort.InferenceSession.create(bytes, sessionOptions);
      return new OnnxPolicy(ort, session, info, providers, placement);
    } catch (error) {
      if (!isExplicitCoreMl && providers.includes('coreml') && providers.includes('cpu')) {
        // Only a provider list that ends in the CPU falls back, and it says so once.
        process.emitWarning(`${api}: the Core ML provider failed (${error instanceof Error ? error.message : String(error)}); falling back to the CPU provider.`, { code: 'NCP_ONNX_COREML_FALLBACK' });
        const cpuOptions = { ...sessionOptions, executionProviders: ['cpu'] };
        try {
          const placement = opts.probePlacement === true ? await profilePlacement(ort, bytes, cpuOptions, info) : undefined;
          return new OnnxPolicy(ort, await ort.InferenceSession.create(bytes, cpuOptions), info, ['cpu'], placement);
        } catch (cpuError) {
          throw onnxRuntimeError(`${api}: onnxruntime could not create a session for this graph on the CPU provider either`, cpuError);
        }
      }
      if (isExplicitCoreMl) {
        throw new BackendUnavailableError(
          `${api}: onnxruntime could not run this graph entirely on Core ML (${error instanceof Error ? error.message : String(error)}).\n` +
            "Possible fixes:\n  - export with exportOnnx(model, { target: 'coreml' }) (static shapes, Core ML ops only)\n  - use executionProviders 'auto' to let unsupported nodes run on the CPU",
          { cause: error },
        );
      }
      throw onnxRuntimeError(`${api}: onnxruntime could not create a session for this graph (execution providers: ${providers.join(', ')})`, error);
    }
  }

  /**
   * One time step, as model.step: x (B×S) or (S), state (B×H) / (H) or `{ h, c }` (default zeros), dt a number
   * or a (B) tensor of elapsed times. Needs a 'step' graph (or a 'sequence' graph of length 1).
   */
  async step(x: Tensor, state?: State, dt: number | Tensor = 1): Promise<ForwardResult> {
    if (!isOnnxCallObserved()) return this.stepImpl(x, state, dt);
    const startMs = performance.now();
    const result = await this.stepImpl(x, state, dt);
    const batch = x.shape.length === 2 ? x.shape[0] : 1;
    emitOnnxCall({ kind: 'step', provider: this.provider, startMs, endMs: performance.now(), batch, steps: 1 });
    return result;
  }

  private async stepImpl(x: Tensor, state: State | undefined, dt: number | Tensor): Promise<ForwardResult> {
    const api = 'OnnxPolicy.step';
    const info = this.info;
    if (info.mode === 'sequence' && info.sequenceLength !== 1) {
      throw new NotImplementedError(`${api}: this graph was exported with mode 'sequence' (L ${info.sequenceLength}); export with mode 'step' to call step(), or call run().`);
    }
    const S = info.inputSize;
    const rank = x?.shape?.length;
    if (rank !== 1 && rank !== 2) {
      throw argumentErrorRendered(RangeError, api, 'x', `a tensor of shape [B, ${S}] or [${S}]`, x?.shape ? `shape [${x.shape.join(', ')}]` : describe(x));
    }
    const isBatched = rank === 2;
    const batch = isBatched ? x.shape[0] : 1;
    const xData = expectFloatTensor(api, 'x', x, isBatched ? [batch, S] : [S], isBatched ? '(B×S)' : '(S)');
    checkBatch(api, 'x', info, batch, x.shape);
    const { h, c } = stateFeeds(api, 'state', info, state, batch, isBatched);
    let dts: Float32Array;
    if (typeof dt === 'number') {
      if (!Number.isFinite(dt) || dt <= 0) throw argumentError(RangeError, api, 'dt', 'a finite number > 0', dt);
      dts = new Float32Array(batch).fill(dt);
    } else {
      dts = toFloat32(expectFloatTensor(api, 'dt', dt, [batch], '(B)'));
      checkTimes(api, 'dt', dts);
    }
    const out = await this.runGraph(batch, toFloat32(xData), dts, h, c);
    return this.result(out, batch, isBatched, xData instanceof Float64Array, isBatched ? [batch, info.outputSize] : [info.outputSize]);
  }

  /**
   * A whole sequence, as model.forward: input (B×L×S) batch first or (L×B×S) time-major (as the exported model
   * was), or (L×S) unbatched; `timespans` (B×L) / (L×B) / (L), default 1. A 'sequence' graph takes exactly its
   * L; a 'step' graph is called once per step, for any L.
   */
  async run(input: Tensor, options?: ForwardOptions): Promise<ForwardResult> {
    if (!isOnnxCallObserved()) return this.runImpl(input, options);
    const startMs = performance.now();
    const result = await this.runImpl(input, options);
    const shape = input.shape;
    const [batch, steps] = shape.length === 2 ? [1, shape[0]] : this.info.batchFirst ? [shape[0], shape[1]] : [shape[1], shape[0]];
    emitOnnxCall({ kind: 'run', provider: this.provider, startMs, endMs: performance.now(), batch, steps });
    return result;
  }

  private async runImpl(input: Tensor, options?: ForwardOptions): Promise<ForwardResult> {
    const api = 'OnnxPolicy.run';
    const info = this.info;
    const opts = expectOptions(api, options, ['state', 'timespans']);
    const S = info.inputSize;
    const shape = input?.shape;
    if (typeof input !== 'object' || input === null || !Array.isArray(shape)) throw argumentError(TypeError, api, 'input', `a tensor { data, shape } of shape [B, L, ${S}]`, input);
    const layoutText = info.batchFirst ? '(B×L×S)' : '(L×B×S)';
    if (shape.length !== 2 && shape.length !== 3) {
      throw argumentErrorRendered(RangeError, api, 'input.shape', `rank 3 ${layoutText} or rank 2 (L×S) with S = ${S}`, `[${shape.join(', ')}]`);
    }
    const isBatched = shape.length === 3;
    const batch = isBatched ? (info.batchFirst ? shape[0] : shape[1]) : 1;
    const steps = isBatched ? (info.batchFirst ? shape[1] : shape[0]) : shape[0];
    if (shape[shape.length - 1] !== S || batch < 1 || steps < 1) {
      throw argumentErrorRendered(RangeError, api, 'input.shape', `${isBatched ? layoutText : '(L×S)'} with B ≥ 1, L ≥ 1, S = ${S}`, `[${shape.join(', ')}]`);
    }
    const data = expectFloatTensor(api, 'input', input, shape, isBatched ? layoutText : '(L×S)');
    if (info.mode === 'sequence' && steps !== info.sequenceLength) {
      throw argumentErrorRendered(RangeError, api, 'input.shape', `L = ${info.sequenceLength} (the graph's unrolled length; export mode 'step' to run any length)`, `[${shape.join(', ')}]`);
    }
    checkBatch(api, 'input', info, batch, shape);
    const isTimeMajor = isBatched && !info.batchFirst;
    let times: Float32Array = new Float32Array(batch * steps).fill(1);
    if (opts.timespans !== undefined) {
      const tsShape = isBatched ? (info.batchFirst ? [batch, steps] : [steps, batch]) : [steps];
      times = toFloat32(expectFloatTensor(api, 'options.timespans', opts.timespans, tsShape, isBatched ? (info.batchFirst ? '(B×L)' : '(L×B)') : '(L)'));
      checkTimes(api, 'options.timespans', times);
    }
    const { h, c } = stateFeeds(api, 'options.state', info, opts.state as State | undefined, batch, isBatched);
    const asFloat64 = data instanceof Float64Array;
    const P = info.outputSize;
    const outShape = !info.returnSequences ? (isBatched ? [batch, P] : [P]) : !isBatched ? [steps, P] : info.batchFirst ? [batch, steps, P] : [steps, batch, P];

    if (info.mode === 'step') {
      // Time-major data makes every step's (B×S) slice contiguous.
      const xTm = isTimeMajor || !isBatched ? toFloat32(data) : swapLeadingAxes(data, batch, steps, S);
      const tTm = isTimeMajor || !isBatched ? times : swapLeadingAxes(times, batch, steps, 1);
      const out = await runStepGraphSequence((x, dt, hh, cc) => this.runGraph(batch, x, dt, hh, cc), { batch, steps, S, P, returnSequences: info.returnSequences }, xTm, tTm, h, c);
      const y = info.returnSequences && isBatched && info.batchFirst ? swapLeadingAxes(out.y, steps, batch, P) : out.y;
      return this.result({ ...out, y }, batch, isBatched, asFloat64, outShape);
    }
    const xBf = isTimeMajor ? swapLeadingAxes(data, steps, batch, S) : toFloat32(data);
    const tBf = isTimeMajor ? swapLeadingAxes(times, steps, batch, 1) : times;
    const out = await this.runGraph(batch, xBf, tBf, h, c);
    const y = info.returnSequences && isTimeMajor ? swapLeadingAxes(out.y, batch, steps, P) : out.y;
    return this.result({ ...out, y }, batch, isBatched, asFloat64, outShape);
  }

  /** Releases the onnxruntime session; later calls throw. */
  async dispose(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release();
  }

  /** One session.run with batch-first float32 feeds. */
  private async runGraph(batch: number, x: Float32Array, times: Float32Array, h: Float32Array, c: Float32Array | undefined): Promise<GraphResult> {
    const session = this.session;
    if (!session) throw new NcpError('OnnxPolicy: this policy was disposed; create a new one with OnnxPolicy.create().', 'NCP_DISPOSED');
    const { Tensor } = this.ort;
    const { inputSize: S, stateSize: H, mode } = this.info;
    const isSequenceGraph = mode === 'sequence';
    const L = isSequenceGraph ? this.info.sequenceLength : 1;
    const feeds: Record<string, Ort.Tensor> = {
      x: new Tensor('float32', x, isSequenceGraph ? [batch, L, S] : [batch, S]),
      [isSequenceGraph ? 'timespans' : 'dt']: new Tensor('float32', times, [batch, L]),
      state: new Tensor('float32', h, [batch, H]),
    };
    if (c) feeds.c = new Tensor('float32', c, [batch, H]);
    let out: Ort.InferenceSession.ReturnType;
    try {
      out = await session.run(feeds);
    } catch (error) {
      throw onnxRuntimeError(`OnnxPolicy: onnxruntime failed running the graph (batch ${batch}, inputs ${Object.keys(feeds).join(', ')})`, error);
    }
    return {
      y: out.y.data as Float32Array,
      h: out.next_state.data as Float32Array,
      c: out.next_c ? (out.next_c.data as Float32Array) : undefined,
    };
  }

  private result(out: GraphResult, batch: number, isBatched: boolean, asFloat64: boolean, outShape: number[]): ForwardResult {
    const H = this.info.stateSize;
    const stateShape = isBatched ? [batch, H] : [H];
    const h = { data: inDtype(out.h, asFloat64), shape: stateShape };
    const state: State = this.info.hasMixedMemory ? { h, c: { data: inDtype(out.c!, asFloat64), shape: [...stateShape] } } : h;
    return { output: { data: inDtype(out.y, asFloat64), shape: outShape }, state };
  }
}

/** `what` failed in onnxruntime: an OnnxRuntimeError with its message appended and the original as `cause`. */
function onnxRuntimeError(what: string, error: unknown): OnnxRuntimeError {
  return new OnnxRuntimeError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/** Drives a 'step' graph over a time-major sequence (x: L×B×S, times: L×B); y is L×B×P (or B×P for the last step). */
async function runStepGraphSequence(
  runStep: (x: Float32Array, dt: Float32Array, h: Float32Array, c: Float32Array | undefined) => Promise<GraphResult>,
  dims: { batch: number; steps: number; S: number; P: number; returnSequences: boolean },
  x: Float32Array,
  times: Float32Array,
  h: Float32Array,
  c: Float32Array | undefined,
): Promise<GraphResult> {
  const { batch: B, steps: L, S, P, returnSequences } = dims;
  const y = new Float32Array(returnSequences ? L * B * P : B * P);
  let state: GraphResult = { y, h, c };
  for (let t = 0; t < L; t++) {
    state = await runStep(x.subarray(t * B * S, (t + 1) * B * S), times.subarray(t * B, (t + 1) * B), state.h, state.c);
    if (returnSequences) y.set(state.y, t * B * P);
    else if (t === L - 1) y.set(state.y);
  }
  return { y, h: state.h, c: state.c };
}

/** Decodes the ModelProto and reads exportOnnx's metadata; a clear error for anything else. */
function readModelInfo(api: string, bytes: Uint8Array, source: Uint8Array | string): OnnxModelInfo {
  const what = typeof source === 'string' ? `the file ${JSON.stringify(source)}` : describe(source);
  let props: Map<string, string>;
  try {
    props = new Map(decodeModel(bytes).metadataProps.map((p) => [p.key ?? '', p.value ?? '']));
  } catch (error) {
    throw argumentErrorRendered(RangeError, api, 'bytesOrPath', 'an ONNX model (ModelProto bytes)', `${what}, which does not parse (${error instanceof Error ? error.message : String(error)})`);
  }
  const info = parseModelInfo(props, METADATA_KEYS);
  if (!info) throw argumentErrorRendered(RangeError, api, 'bytesOrPath', 'an ONNX model written by exportOnnx (with its ncp_silicon metadata)', `${what} without that metadata`);
  return info;
}

/** Runs the graph once on zeros with profiling on, and counts nodes per provider from the trace. */
async function profilePlacement(ort: typeof Ort, bytes: Uint8Array, options: Ort.InferenceSession.SessionOptions, info: OnnxModelInfo): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'ncp-silicon-onnx-profile-'));
  try {
    const session = await ort.InferenceSession.create(bytes, { ...options, enableProfiling: true, profileFilePrefix: join(dir, 'profile') });
    try {
      const B = info.batch === 'dynamic' ? 1 : info.batch;
      const L = info.sequenceLength;
      const isSeq = info.mode === 'sequence';
      const zeros = (shape: number[]) => new ort.Tensor('float32', new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
      const feeds: Record<string, Ort.Tensor> = { x: zeros(isSeq ? [B, L, info.inputSize] : [B, info.inputSize]), state: zeros([B, info.stateSize]) };
      feeds[isSeq ? 'timespans' : 'dt'] = new ort.Tensor('float32', new Float32Array(B * (isSeq ? L : 1)).fill(1), [B, isSeq ? L : 1]);
      if (info.hasMixedMemory) feeds.c = zeros([B, info.stateSize]);
      await session.run(feeds);
      session.endProfiling();
    } finally {
      await session.release();
    }
    const [file] = await readdir(dir);
    return file ? placementFromProfile(JSON.parse(await readFile(join(dir, file), 'utf8'))) : {};
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
