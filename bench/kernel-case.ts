/**
 * Runs one benchmark case (argv[2] = case id) on the native CPU backend and on the plain TypeScript reference,
 * and prints one JSON line. The reference runs a smaller batch when the case is large (it is ~100–1000×
 * slower); its throughput is per sample-step, so the ratio stays meaningful.
 */
import { Bench } from 'tinybench';
import { AutoNCP, CfC, LTC, startProfile, type SequenceModel } from '../src/index.js';
import { CASES, type BenchCase } from './cases.js';
import { lcgFill } from './common.js';

const INPUTS = 16;

function makeModel(c: BenchCase, backend: 'cpu' | 'reference'): SequenceModel {
  const wiring = new AutoNCP(64, 8, { seed: 22222 });
  return c.model === 'ltc' ? new LTC(INPUTS, wiring, { backend, seed: 1 }) : new CfC(INPUTS, wiring, { backend, seed: 1 });
}


/**
 * Median time of `fn` as the median of `trials` separate tinybench runs of `budgetMs` each. On a shared VM the
 * machine's speed drifts over seconds (a busy SMT sibling slows SIMD code by up to ~2×), so one short window is a
 * lottery ticket; the spread of the trial medians is reported beside their median.
 */
async function timeTrials(id: string, fn: () => void, trials: number, budgetMs: number, iterations: number) {
  const medians: number[] = [];
  for (let t = 0; t < trials; t++) {
    const bench = new Bench({ time: budgetMs, iterations, warmupIterations: 2 });
    bench.add(id, fn);
    await bench.run();
    const result = bench.tasks[0].result as { state: string; latency?: { p50: number }; error?: unknown };
    if (result.state !== 'completed' || !result.latency) throw new Error(`case ${id} did not complete: ${String(result.error ?? result.state)}`);
    medians.push(result.latency.p50 / 1000);
  }
  const sorted = [...medians].sort((a, b) => a - b);
  return { medianSeconds: sorted[sorted.length >> 1], trialMedianSeconds: medians };
}

async function measure(c: BenchCase, backend: 'cpu' | 'reference', batch: number, trials: number, budgetMs: number) {
  const model = makeModel(c, backend);
  const { steps } = c;
  const input = { data: lcgFill(new Float32Array(batch * steps * INPUTS), 1, -1, 1), shape: [batch, steps, INPUTS] };
  const timespans = { data: lcgFill(new Float32Array(batch * steps), 2, 0.5, 1.5), shape: [batch, steps] };
  const dOutput = { data: lcgFill(new Float32Array(batch * steps * model.outputSize), 3, -1, 1), shape: [batch, steps, model.outputSize] };
  const x = { data: input.data.subarray(0, INPUTS), shape: [INPUTS] };
  let state = model.step(x).state;
  const fn =
    c.kind === 'step'
      ? () => {
          state = model.step(x, state, 0.7).state;
        }
      : c.kind === 'forward'
        ? () => void model.forward(input, { timespans })
        : () => void model.forwardBackward(input, dOutput, { timespans });
  const { medianSeconds, trialMedianSeconds } = await timeTrials(c.id, fn, trials, budgetMs, c.kind === 'step' ? 1000 : 5);
  // The work of one call (core/work.h's model: existing synapses only), from a profile of one more call.
  let flopsPerCall = 0;
  if (backend === 'cpu') {
    const profile = startProfile({ sampleIntervalMs: 60_000 });
    fn();
    flopsPerCall = profile.stop().calls.reduce((sum, call) => sum + call.flops, 0);
  }
  return { batch, medianSeconds, sampleStepsPerSecond: (batch * steps) / medianSeconds, trialMedianSeconds, flopsPerCall };
}

async function main(): Promise<void> {
  const c = CASES.find((k) => k.id === process.argv[2]);
  if (!c) throw new Error(`unknown case ${process.argv[2]}; known: ${CASES.map((k) => k.id).join(', ')}`);
  // Native: 7 trials of 300 ms for a single step (where drift shows most), else 3 of 500 ms.
  const native = await measure(c, 'cpu', c.batch, c.kind === 'step' ? 7 : 3, c.kind === 'step' ? 300 : 500);
  const nativePeakRssBytes = process.resourceUsage().maxRSS * 1024;
  const referenceBatch = Math.min(c.batch, c.kind === 'forwardBackward' ? 2 : 4);
  const reference = await measure(c, 'reference', referenceBatch, 1, c.kind === 'step' ? 500 : 1000);
  console.log(
    JSON.stringify({
      ...c,
      native: { ...native, peakRssBytes: nativePeakRssBytes },
      reference,
      speedupVsReference: native.sampleStepsPerSecond / reference.sampleStepsPerSecond,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
