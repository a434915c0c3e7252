/**
 * startProfile() / stop(): per-kernel calls, time, FLOPs and bytes of every native model call in between, the
 * memory over time, and the training batches and epochs, with the ratios to this machine's ceilings.
 *
 *   const prof = startProfile({ model });
 *   await fit(model, data);               // or forward / step / predict …
 *   const result = prof.stop();
 *   await result.writeReport('profile.html');  result.writeTrace('trace.json');
 *
 * The native runner appends one record per call while a profile runs (native/core/profiler.h); with no profile
 * running it pays one relaxed atomic load per call. One profile runs at a time in a process.
 */
import { loadNative, isReferenceOnly } from '../backend/load.js';
import { onBackendCall, type BackendCallEvent } from '../backend/call-events.js';
import { workOfCall } from './call-work.js';
import type { NativeAddon } from '../backend/native-types.js';
import { NcpError, argumentError } from '../errors.js';
import type { SequenceModel } from '../models/sequence-model.js';
import { expectNumber, expectOptions } from '../validate.js';
import { cachedCalibration, type Calibration } from './calibrate.js';
import { memory, type MemorySnapshot } from './memory.js';
import { ProfileResult, type KernelCallRecord } from './result.js';
import { systemInfo } from './system.js';
import { onOnnxCall, type OnnxCallSlice } from '../onnx/onnx-events.js';
import { onTrainSlice, type TrainSlice } from '../train/train-events.js';

export interface ProfileOptions {
  /** How often memory() is sampled while the event loop is free, in ms (default 100). */
  sampleIntervalMs?: number;
  /** The model being profiled: the report draws its wiring and names it. */
  model?: SequenceModel;
  /** Ceilings for the ratios; default: this machine's cached calibrate() result, if any. */
  ceilings?: Calibration;
}

/** startProfile() while another profile is running. */
export class ProfileBusyError extends NcpError {
  constructor(message: string) {
    super(message, 'NCP_PROFILE_BUSY');
  }
}

let active: Profile | undefined;

/** Starts recording every native model call, memory over time and training slices until `stop()`. */
export function startProfile(options?: ProfileOptions): Profile {
  const api = 'startProfile';
  const o = expectOptions(api, options, ['sampleIntervalMs', 'model', 'ceilings']);
  const interval = o.sampleIntervalMs === undefined ? 100 : expectNumber(api, 'options.sampleIntervalMs', o.sampleIntervalMs, { min: 1 });
  if (o.ceilings !== undefined && (typeof o.ceilings !== 'object' || o.ceilings === null || typeof (o.ceilings as Calibration).fmaFlopsPerSecond !== 'number')) {
    throw argumentError(TypeError, api, 'options.ceilings', 'a calibrate() result', o.ceilings);
  }
  if (active) throw new ProfileBusyError(`${api}: a profile is already running (started at ${active.startedAt}); call its stop() first.`);
  active = new Profile(interval, o.model as SequenceModel | undefined, o.ceilings as Calibration | undefined);
  return active;
}

export class Profile {
  readonly startedAt: string;
  private readonly startMs: number;
  private readonly native: NativeAddon | undefined;
  /** native monotonicMs() − performance.now(), so native timestamps land on the JS clock. */
  private readonly clockOffsetMs: number;
  private readonly mainThread: number;
  private readonly samples: MemorySnapshot[] = [];
  private readonly slices: TrainSlice[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly removeTrainListener: () => void;
  private readonly onnxSlices: OnnxCallSlice[] = [];
  private readonly removeOnnxListener: () => void;
  private readonly removeCallListener: () => void;
  private readonly backendCalls: BackendCallEvent[] = [];
  private result: ProfileResult | undefined;

  /** @internal use startProfile() */
  constructor(
    intervalMs: number,
    private readonly model: SequenceModel | undefined,
    private readonly ceilings: Calibration | undefined,
  ) {
    this.native = isReferenceOnly() ? undefined : tryLoad();
    this.startedAt = new Date().toISOString();
    if (this.native) {
      this.native.drainProfile(); // records of an earlier, unfinished profile are not ours
      this.native.resetNativePeak();
      const before = performance.now();
      const nativeNow = this.native.monotonicMs();
      this.clockOffsetMs = nativeNow - (before + performance.now()) / 2;
      this.mainThread = this.native.threadIndex();
    } else {
      this.clockOffsetMs = 0;
      this.mainThread = 0;
    }
    this.startMs = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.removeCallListener = onBackendCall((event) => this.backendCalls.push(event));
    this.removeTrainListener = onTrainSlice((slice) => {
      this.slices.push(slice);
      if (slice.kind === 'batch') this.sample();
    });
    this.removeOnnxListener = onOnnxCall((slice) => this.onnxSlices.push(slice));
    this.native?.setProfiling(true);
  }

  /** Whether stop() has not been called yet. */
  get isRunning(): boolean {
    return this.result === undefined;
  }

  /** Ends the profile and returns what it recorded; a second call returns the same result. */
  stop(): ProfileResult {
    if (this.result) return this.result;
    this.native?.setProfiling(false);
    clearInterval(this.timer);
    this.removeTrainListener();
    this.removeOnnxListener();
    this.removeCallListener();
    this.sample();
    const endMs = performance.now();
    if (active === this) active = undefined;
    const calls = this.drainCalls();
    let ceilings = this.ceilings;
    if (!ceilings && this.native) {
      try {
        ceilings = cachedCalibration();
      } catch {
        ceilings = undefined; // an unreadable cache only costs the ratios
      }
    }
    const start = this.startMs;
    this.result = new ProfileResult({
      startedAt: this.startedAt,
      durationMs: endMs - start,
      system: systemInfo(),
      ceilings,
      calls: calls.records,
      droppedCalls: calls.dropped,
      mainThread: this.mainThread,
      memory: this.samples.map((s) => ({ ...s, timeMs: s.timeMs - start })),
      training: this.slices.map((s) => ({ ...s, startMs: s.startMs - start, endMs: s.endMs - start })),
      model: this.model,
      onnxCalls: this.onnxSlices.map(({ endMs, ...c }) => ({ ...c, startMs: c.startMs - start, durationMs: endMs - c.startMs })),
    });
    return this.result;
  }

  private sample(): void {
    this.samples.push(memory());
  }

  private drainCalls(): { records: KernelCallRecord[]; dropped: number } {
    if (!this.native) return { records: [], dropped: 0 };
    const c = this.native.drainProfile();
    const shift = this.clockOffsetMs + this.startMs;
    const records: KernelCallRecord[] = new Array(c.count);
    for (let i = 0; i < c.count; i++) {
      records[i] = {
        kernel: c.kernels[c.kernel[i]],
        backend: 'cpu',
        device: 'cpu',
        startMs: c.startMs[i] - shift,
        durationMs: c.durationMs[i],
        batch: c.batch[i],
        steps: c.steps[i],
        flops: c.flops[i],
        bytesRead: c.bytesRead[i],
        bytesWritten: c.bytesWritten[i],
        uniqueBytes: c.uniqueBytes[i],
        thread: c.thread[i],
        nativeLiveBytes: c.nativeLiveBytes[i],
      };
    }
    const all = [...records, ...this.otherCalls(shift - this.clockOffsetMs)].sort((x, y) => x.startMs - y.startMs);
    return { records: all, dropped: c.dropped };
  }

  /**
   * Calls on backends the native profiler does not see (MLX), timed in TypeScript, their FLOPs and bytes counted
   * with the CPU runner's formulas (call-work.ts).
   */
  private otherCalls(startMs: number): KernelCallRecord[] {
    return this.backendCalls.map((e) => ({
      kernel: `${e.kernel} on ${e.device}`,
      backend: e.backend,
      device: e.device,
      startMs: e.startMs - startMs,
      durationMs: e.durationMs,
      batch: e.batch,
      steps: e.steps,
      ...workOfCall(e.spec, e),
      thread: this.mainThread,
      nativeLiveBytes: 0,
    }));
  }
}

function tryLoad(): NativeAddon | undefined {
  try {
    return loadNative();
  } catch {
    return undefined; // memory() says why; a profile without the addon records memory and training only
  }
}
