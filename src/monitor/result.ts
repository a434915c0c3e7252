/**
 * What a profile recorded, summarised per kernel against the machine's ceilings. The trace and the reports are
 * free functions of the plain data (profile-data.ts); these methods only forward to them, so nothing in monitor/
 * imports this file back.
 */
import { writeFile } from 'node:fs/promises';
import type { SequenceModel } from '../models/sequence-model.js';
import type { Calibration } from './calibrate.js';
import { checkCeilings, type CeilingCheck } from './ceiling-check.js';
import type { MemorySnapshot } from './memory.js';
import { describeModel, type KernelCallRecord, type KernelSummary, type OnnxCallRecord, type ProfileData, type ProfileView } from './profile-data.js';
import { renderReport, type ReportOptions } from './report.js';
import { summariseKernels } from './summarise.js';
import type { SystemInfo } from './system.js';
import type { TrainSlice } from '../train/train-events.js';
import { buildTrace, type TraceFile } from './trace.js';

export { describeModel, type KernelCallRecord, type KernelSummary, type OnnxCallRecord, type ProfileData } from './profile-data.js';

export class ProfileResult implements ProfileView {
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
  /** OnnxPolicy calls made while profiling, in order of start: the reports set them beside the native kernels. */
  readonly onnxCalls: readonly OnnxCallRecord[];
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
    this.onnxCalls = [...(data.onnxCalls ?? [])].sort((a, b) => a.startMs - b.startMs);
    this.kernels = summariseKernels(this.calls, this.ceilings);
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
