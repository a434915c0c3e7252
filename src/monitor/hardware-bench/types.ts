/** What `ncp-silicon bench` writes as JSON (and reads back for --compare). */
import type { Calibration } from '../calibrate.js';
import type { LatencySummary } from '../latency.js';
import type { SystemInfo } from '../system.js';
import type { BenchBackendId } from './backends.js';
import type { BenchCaseKind, BenchModelKind } from './cases.js';

export const BENCH_FORMAT = 'ncp-silicon-bench';
export const BENCH_FORMAT_VERSION = 1;

export interface BenchCaseResult {
  /** The case ('ltc-forward-b64-l100') and the backend it ran on; (caseId, backend) is unique in a report. */
  caseId: string;
  backend: BenchBackendId;
  model: BenchModelKind;
  kind: BenchCaseKind;
  batch: number;
  steps: number;
  samples?: number;
  /** Timed calls (a fit call is one epoch). */
  calls: number;
  /** Time per call, ms: the distribution (p50, p90, p99, max). */
  latencyMs: LatencySummary;
  /** Sample-steps per second at the median call time. */
  sampleStepsPerSecond: number;
  /** FLOPs of one call in the work model of docs/monitoring.md (the CPU kernels' count; the same math on every backend). */
  flopsPerCall?: number;
  gflopsPerSecond?: number;
  /** The measured FMA peak of the threads this backend can use for the case (absent on a GPU or Core ML). */
  peakGflopsPerSecond?: number;
  /** gflopsPerSecond / peakGflopsPerSecond. */
  fractionOfPeak?: number;
}

export interface BenchBackendInfo {
  id: BenchBackendId;
  available: boolean;
  /** What ran the cases, or why the backend is absent. */
  label?: string;
  reason?: string;
}

export interface BenchSkip {
  caseId: string;
  backend: BenchBackendId;
  reason: string;
}

export interface BenchReport {
  format: typeof BENCH_FORMAT;
  version: typeof BENCH_FORMAT_VERSION;
  ncpSiliconVersion: string;
  startedAt: string;
  durationMs: number;
  quick: boolean;
  /** True when Ctrl-C / the signal stopped the run: the results are the cases that finished. */
  interrupted: boolean;
  system: SystemInfo;
  ceilings?: Calibration;
  /** Why the share-of-peak figures may be too high (ceilings measured under contention, or a ratio over 100 %). */
  ceilingWarnings: string[];
  backends: BenchBackendInfo[];
  results: BenchCaseResult[];
  skipped: BenchSkip[];
}
