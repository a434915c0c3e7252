/** What a profile recorded, summarised per kernel against the machine's ceilings; trace and report writers. */
import { writeFile } from 'node:fs/promises';
import type { SequenceModel } from '../models/sequence-model.js';
import type { Calibration } from './calibrate.js';
import { checkCeilings, type CeilingCheck } from './ceiling-check.js';
import type { MemorySnapshot } from './memory.js';
import type { SystemInfo } from './system.js';
import type { TrainSlice } from './train-events.js';
import { buildTrace, type TraceFile } from './trace.js';
import { renderReport, type ReportOptions } from './report.js';

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
}

export class ProfileResult {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly system: SystemInfo;
  /** The ceilings the ratios use: a calibrate() result, or undefined when this machine was never calibrated. */
  readonly ceilings: Calibration | undefined;
  /** Every native call, in order of start. */
  readonly calls: readonly KernelCallRecord[];
  /** Calls the native log could not keep (it holds 2^21). */
  readonly droppedCalls: number;
  /** The native thread index of the JS main thread (others are libuv workers running async calls). */
  readonly mainThread: number;
  /** memory() over time; timeMs from the profile's start. */
  readonly memory: readonly MemorySnapshot[];
  /** Training batches and epochs; times from the profile's start. */
  readonly training: readonly TrainSlice[];
  readonly model: SequenceModel | undefined;
  /** Per kernel, by total time (largest first). */
  readonly kernels: readonly KernelSummary[];
  /** Whether the ceilings look sound: suspect when measured under contention or when any ratio exceeds 100 %. */
  readonly ceilingCheck: CeilingCheck;

  constructor(data: ProfileData) {
    this.startedAt = data.startedAt;
    this.durationMs = data.durationMs;
    this.system = data.system;
    this.ceilings = data.ceilings;
    this.calls = [...data.calls].sort((a, b) => a.startMs - b.startMs);
    this.droppedCalls = data.droppedCalls;
    this.mainThread = data.mainThread;
    this.memory = data.memory;
    this.training = data.training;
    this.model = data.model;
    this.kernels = summarise(this.calls, this.ceilings);
    this.ceilingCheck = checkCeilings(this.ceilings, this.kernels);
  }

  /** Chrome trace-event JSON (Perfetto, chrome://tracing): a slice per call, batch and epoch; memory counters. */
  trace(): TraceFile {
    return buildTrace(this);
  }

  async writeTrace(path: string): Promise<void> {
    await writeFile(path, JSON.stringify(this.trace()));
  }

  /** The report as HTML (self-contained page with charts), Markdown (for CI logs) or JSON. */
  report(options: ReportOptions): Promise<string> {
    return renderReport(this, options);
  }

  async writeReport(path: string, options: ReportOptions = { format: 'html' }): Promise<void> {
    await writeFile(path, await this.report(options));
  }

  /** Plain data (no model object): what the JSON report holds. */
  toJSON(): object {
    const { model, ...rest } = { ...this };
    return { ...rest, model: model && describeModel(model) };
  }
}

/** 'LTC(16 → 64 units, 8 outputs, AutoNCP wiring, float32)' and similar. */
export function describeModel(model: SequenceModel): string {
  const name = model.constructor.name;
  const wiring = (model as { wiring?: { kind?: string; units: number } }).wiring;
  const kind = wiring ? `, ${wiring.kind ?? 'custom'} wiring` : '';
  return `${name}(${model.inputSize} inputs → ${model.stateSize} units, ${model.outputSize} outputs${kind}, ${model.dtype})`;
}

function summarise(calls: readonly KernelCallRecord[], ceilings: Calibration | undefined): KernelSummary[] {
  const groups = new Map<string, KernelCallRecord[]>();
  for (const c of calls) {
    const list = groups.get(c.kernel);
    if (list) list.push(c);
    else groups.set(c.kernel, [c]);
  }
  const out: KernelSummary[] = [];
  for (const [kernel, list] of groups) {
    let totalMs = 0, sampleSteps = 0, flops = 0, bytesRead = 0, bytesWritten = 0, uniqueBytes = 0;
    for (const c of list) {
      totalMs += c.durationMs;
      sampleSteps += c.batch * c.steps;
      flops += c.flops;
      bytesRead += c.bytesRead;
      bytesWritten += c.bytesWritten;
      uniqueBytes += c.uniqueBytes;
    }
    const seconds = totalMs / 1000;
    const bytes = bytesRead + bytesWritten;
    const s: KernelSummary = {
      kernel,
      backend: list[0].backend,
      device: list[0].device,
      calls: list.length,
      totalMs,
      meanMs: totalMs / list.length,
      sampleSteps,
      flops,
      bytesRead,
      bytesWritten,
      bytes,
      uniqueBytes,
      gflopsPerSecond: seconds > 0 ? flops / seconds / 1e9 : 0,
      gbPerSecond: seconds > 0 ? bytes / seconds / 1e9 : 0,
      arithmeticIntensity: bytes > 0 ? flops / bytes : 0,
    };
    if (ceilings) {
      const peak = ceilings.fmaFlopsPerSecond / 1e9;
      const bandwidth = ceilings.memoryBandwidthBytesPerSecond / 1e9;
      s.fractionOfPeakFlops = s.gflopsPerSecond / peak;
      s.fractionOfPeakBandwidth = s.gbPerSecond / bandwidth;
      const memoryRoof = bandwidth * s.arithmeticIntensity;
      const attainable = Math.min(peak, memoryRoof);
      s.roofline = {
        attainableGflopsPerSecond: attainable,
        boundBy: memoryRoof < peak ? 'memory' : 'compute',
        fractionOfRoofline: attainable > 0 ? s.gflopsPerSecond / attainable : 0,
      };
    }
    out.push(s);
  }
  return out.sort((a, b) => b.totalMs - a.totalMs);
}
