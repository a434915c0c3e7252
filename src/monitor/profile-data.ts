/**
 * The plain data a profile produces, shared by ProfileResult and the free functions that render it (summary,
 * trace, reports). Renderers depend on this file, never on result.ts, so monitor/ has no import circle.
 */
import type { SequenceModel } from '../models/sequence-model.js';
import type { Calibration } from './calibrate.js';
import type { CeilingCheck } from './ceiling-check.js';
import type { LatencySummary } from './latency.js';
import type { MemorySnapshot } from './memory.js';
import type { SystemInfo } from './system.js';
import type { TrainSlice } from '../train/train-events.js';

/** One native model call. Times are ms from the profile's start. */
export interface KernelCallRecord {
  /**
   * 'ltc.forward', 'cfc.forwardBackward', 'wired_cfc.step', with ' (f64)' for float64 models; calls on another
   * backend than the CPU name their device too: 'ltc.forward on mlx cpu'.
   */
  kernel: string;
  /** The backend that ran the call: 'cpu', 'mlx'. */
  backend: string;
  /** Its device: 'cpu', 'mlx cpu', 'mlx gpu (Apple M3 Max)'. */
  device: string;
  startMs: number;
  durationMs: number;
  batch: number;
  steps: number;
  flops: number;
  bytesRead: number;
  bytesWritten: number;
  /** Compulsory traffic: parameters once, inputs and outputs. */
  uniqueBytes: number;
  /** Native thread index (the JS main thread's is the profile's `mainThread`). */
  thread: number;
  /** nativeMemory().liveBytes when the call ended. */
  nativeLiveBytes: number;
}

export interface KernelSummary {
  kernel: string;
  backend: string;
  device: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  /** The distribution of one call's duration (p50, p90, p99, max), in ms. */
  latencyMs: LatencySummary;
  /** Σ B·L over the calls. */
  sampleSteps: number;
  flops: number;
  bytesRead: number;
  bytesWritten: number;
  /** bytesRead + bytesWritten. */
  bytes: number;
  uniqueBytes: number;
  gflopsPerSecond: number;
  gbPerSecond: number;
  /** FLOPs per byte moved. */
  arithmeticIntensity: number;
  /** Achieved over the measured ceilings (absent without a calibration). */
  fractionOfPeakFlops?: number;
  fractionOfPeakBandwidth?: number;
  /** The roofline at this intensity: min(FMA peak, bandwidth × intensity), what bounds it, and the share reached. */
  roofline?: { attainableGflopsPerSecond: number; boundBy: 'memory' | 'compute'; fractionOfRoofline: number };
}

/** One OnnxPolicy call (src/onnx/onnx-events.ts). Times are ms from the profile's start, JS-side (what a caller waits). */
export interface OnnxCallRecord {
  kind: 'step' | 'run';
  provider: string;
  startMs: number;
  durationMs: number;
  batch: number;
  steps: number;
}

/** What profile.stop() collected. */
export interface ProfileData {
  startedAt: string;
  durationMs: number;
  system: SystemInfo;
  ceilings: Calibration | undefined;
  calls: KernelCallRecord[];
  droppedCalls: number;
  mainThread: number;
  memory: MemorySnapshot[];
  training: TrainSlice[];
  model: SequenceModel | undefined;
  /** OnnxPolicy calls made while profiling (absent: none). */
  onnxCalls?: OnnxCallRecord[];
}

/** A profile with its per-kernel summary and ceiling check: what the trace and the reports read. */
export interface ProfileView {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly system: SystemInfo;
  readonly ceilings: Calibration | undefined;
  readonly calls: readonly KernelCallRecord[];
  readonly droppedCalls: number;
  readonly mainThread: number;
  readonly memory: readonly MemorySnapshot[];
  readonly training: readonly TrainSlice[];
  readonly model: SequenceModel | undefined;
  readonly kernels: readonly KernelSummary[];
  readonly ceilingCheck: CeilingCheck;
  readonly onnxCalls: readonly OnnxCallRecord[];
}

/** 'LTC(16 → 64 units, 8 outputs, AutoNCP wiring, float32)' and similar. */
export function describeModel(model: SequenceModel): string {
  const name = model.constructor.name;
  const wiring = (model as { wiring?: { kind?: string; units: number } }).wiring;
  const kind = wiring ? `, ${wiring.kind ?? 'custom'} wiring` : '';
  return `${name}(${model.inputSize} inputs → ${model.stateSize} units, ${model.outputSize} outputs${kind}, ${model.dtype})`;
}
