/** Per-kernel totals, rates, latency distribution and ratios to the ceilings, from a profile's call records. */
import type { Calibration } from './calibrate.js';
import { summariseLatency } from './latency.js';
import type { KernelCallRecord, KernelSummary } from './profile-data.js';

/** One summary per kernel, by total time (largest first). */
export function summariseKernels(calls: readonly KernelCallRecord[], ceilings: Calibration | undefined): KernelSummary[] {
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
      latencyMs: summariseLatency(list.map((c) => c.durationMs)),
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

/** Whether a kernel name is a single step ('ltc.step', 'wired_cfc.step (f64)'). */
export function isStepKernel(kernel: string): boolean {
  return /\.step\b/.test(kernel);
}
