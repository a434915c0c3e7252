/**
 * Call latencies grouped for the reports: each native kernel, and each kind of OnnxPolicy call per provider
 * ('onnx step (cpu)'), so ONNX runs sit beside the native ones when both ran. Native times are the kernel's own;
 * ONNX times are what the JS caller waited (feeds and validation included), so small gaps favour native slightly.
 */
import { summariseLatency, type LatencySummary } from './latency.js';
import type { ProfileView } from './profile-data.js';
import { isStepKernel } from './summarise.js';

export interface LatencySeries {
  name: string;
  source: 'native' | 'onnx';
  /** A single step, or a whole sequence (forward, forwardBackward, OnnxPolicy.run). */
  isStep: boolean;
  durationsMs: number[];
  latencyMs: LatencySummary;
  /** Sample-steps per second at the median call. */
  sampleStepsPerSecond: number;
}

export function latencySeries(view: ProfileView): LatencySeries[] {
  const groups = new Map<string, { source: 'native' | 'onnx'; isStep: boolean; durations: number[]; sampleSteps: number }>();
  const add = (name: string, source: 'native' | 'onnx', isStep: boolean, durationMs: number, sampleSteps: number) => {
    const g = groups.get(name) ?? { source, isStep, durations: [], sampleSteps: 0 };
    g.durations.push(durationMs);
    g.sampleSteps += sampleSteps;
    groups.set(name, g);
  };
  for (const c of view.calls) add(c.kernel, 'native', isStepKernel(c.kernel), c.durationMs, c.batch * c.steps);
  for (const c of view.onnxCalls) add(`onnx ${c.kind} (${c.provider})`, 'onnx', c.kind === 'step', c.durationMs, c.batch * c.steps);
  return [...groups].map(([name, g]) => {
    const latencyMs = summariseLatency(g.durations);
    const perCall = g.sampleSteps / g.durations.length;
    return { name, source: g.source, isStep: g.isStep, durationsMs: g.durations, latencyMs, sampleStepsPerSecond: latencyMs.p50 > 0 ? perCall / (latencyMs.p50 / 1000) : 0 };
  });
}
