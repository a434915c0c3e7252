/**
 * The backends `ncp-silicon bench` runs a case on: the CPU addon (always), the MLX addon when mlxStatus() says it
 * is built, and onnxruntime-node (CPU provider, and Core ML on macOS) when installed (onnx-backend.ts). Each
 * prepares one case into a call to time; a case a backend cannot run says why instead.
 */
import { backendInfo } from '../../backend/info.js';
import { mlxStatus } from '../../backend/mlx-load.js';
import type { MlxAddon } from '../../backend/mlx-types.js';
import type { SequenceArgs } from '../../backend/sequence-args.js';
import type { State } from '../../models/sequence-types.js';
import { fit } from '../../train/fit.js';
import { BENCH_INPUTS, type HardwareBenchCase } from './cases.js';
import { benchModel, lcg, sequenceInputs, stepInputs } from './inputs.js';
import type { AbortSignalLike } from './timing.js';

export type BenchBackendId = 'cpu' | 'mlx' | 'onnx-cpu' | 'onnx-coreml';

export interface PreparedCase {
  /** One timed call (a promise for async backends). */
  run(): unknown;
  /** Sample-steps (B·L, or samples·L for fit) one call processes. */
  sampleStepsPerCall: number;
  dispose?(): Promise<void> | void;
}

export interface BenchBackend {
  id: BenchBackendId;
  /** What ran it, for the report: 'ncp-silicon CPU kernels (avx2, 2 threads)'. */
  label: string;
  /** Threads whose share of the measured FMA peak is this backend's ceiling for a case; undefined: not a CPU device. */
  peakThreads(c: HardwareBenchCase): number | undefined;
  /** Why this backend does not run `c`, or undefined when it does. */
  unsupported(c: HardwareBenchCase): string | undefined;
  prepare(c: HardwareBenchCase, signal?: AbortSignalLike): Promise<PreparedCase>;
}

export function cpuBackend(): BenchBackend {
  const info = backendInfo();
  const threads = info.numThreads ?? 1;
  return {
    id: 'cpu',
    label: `ncp-silicon CPU kernels (${info.simdLevel ?? 'unknown SIMD'}, ${threads} threads)`,
    // A call of batch B runs on min(B, threads) threads (the runner splits the batch).
    peakThreads: (c) => Math.max(1, Math.min(c.batch, threads)),
    unsupported: () => undefined,
    prepare: async (c, signal) => {
      const model = benchModel(c);
      if (c.kind === 'step') {
        const { x, dt } = stepInputs(c);
        let state: State = model.step(x, undefined, dt).state;
        return { sampleStepsPerCall: c.batch, run: () => void (state = model.step(x, state, dt).state) };
      }
      const { input, timespans, dOutput } = sequenceInputs(c, model.outputSize);
      if (c.kind === 'forward') return { sampleStepsPerCall: c.batch * c.steps, run: () => model.forward(input, { timespans }) };
      if (c.kind === 'forwardBackward') return { sampleStepsPerCall: c.batch * c.steps, run: () => model.forwardBackward(input, dOutput, { timespans }) };
      return fitCall(c, model, 'cpu', signal);
    },
  };
}

/** One fit() epoch over `samples` sequences on `backend`: forward, loss, backward and the optimizer per batch. */
function fitCall(c: HardwareBenchCase, model: ReturnType<typeof benchModel>, backend: 'cpu' | 'mlx', signal: AbortSignalLike | undefined): PreparedCase {
  const samples = c.samples ?? c.batch;
  const inputs = { data: lcg(samples * c.steps * BENCH_INPUTS, 6, -1, 1), shape: [samples, c.steps, BENCH_INPUTS] };
  const targets = { data: lcg(samples * c.steps * model.outputSize, 7, -1, 1), shape: [samples, c.steps, model.outputSize] };
  const fitTimespans = { data: lcg(samples * c.steps, 8, 0.5, 1.5), shape: [samples, c.steps] };
  return {
    sampleStepsPerCall: samples * c.steps,
    run: () => fit(model, { inputs, targets, timespans: fitTimespans }, { epochs: 1, batchSize: c.batch, verbose: 0, signal, backend }),
  };
}

/** The MLX backend, or why it is absent. */
export function mlxBackend(): BenchBackend | { absent: string } {
  const status = mlxStatus();
  if (!status.available) return { absent: status.reason };
  const mlx: MlxAddon = status.addon;
  const device = mlx.buildInfo();
  const onGpu = device.device === 'gpu';
  return {
    id: 'mlx',
    label: `MLX ${device.mlxVersion} on ${onGpu ? `Metal (${device.deviceName ?? 'GPU'})` : `its CPU device${device.deviceName ? ` (${device.deviceName})` : ''}`}`,
    // MLX's CPU device is held to the whole CPU's peak (the honest, larger ceiling); a GPU has no measured one here.
    peakThreads: () => (onGpu ? undefined : Number.POSITIVE_INFINITY),
    unsupported: () => undefined,
    prepare: async (c, signal) => {
      const model = benchModel(c);
      // Training runs through the model API on MLX (forward, loss and backward on the device, the optimizer on the host).
      if (c.kind === 'fit') return fitCall(c, model, 'mlx', signal);
      const gpu = new mlx.MlxModel(model.nativeModelConfig());
      // A single step is a forward call of one step at B = 1 (the MLX addon has no bound step).
      const steps = c.kind === 'step' ? 1 : c.steps;
      const B = c.batch, S = BENCH_INPUTS, P = model.outputSize, H = model.stateSize;
      const args: SequenceArgs<Float32Array> = {
        version: 1, batch: B, steps, batchFirst: true, returnSequences: true,
        input: lcg(B * steps * S, 1, -1, 1), timespans: lcg(B * steps, 2, 0.5, 1.5),
        output: new Float32Array(B * steps * P), hFinal: new Float32Array(B * H),
      };
      if (c.kind === 'forwardBackward') {
        Object.assign(args, { dOutput: lcg(B * steps * P, 3, -1, 1), dInput: new Float32Array(B * steps * S), dParams: new Float32Array(model.parameters.length) });
        return { sampleStepsPerCall: B * steps, run: () => gpu.forwardBackward(args) };
      }
      return { sampleStepsPerCall: B * steps, run: () => gpu.forward(args) };
    },
  };
}
