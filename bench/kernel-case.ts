/**
 * Runs one benchmark case (argv[2] = case id) on the native CPU backend and on the plain TypeScript reference,
 * and prints one JSON line. The reference runs a smaller batch when the case is large (it is ~100–1000×
 * slower); its throughput is per sample-step, so the ratio stays meaningful.
 */
import { Bench } from 'tinybench';
import { AutoNCP, CfC, LTC, type SequenceModel } from '../src/index.js';
import { CASES, type BenchCase } from './cases.js';
import { lcgFill } from './common.js';

const INPUTS = 16;

function makeModel(c: BenchCase, backend: 'cpu' | 'reference'): SequenceModel {
  const wiring = new AutoNCP(64, 8, { seed: 22222 });
  return c.model === 'ltc' ? new LTC(INPUTS, wiring, { backend, seed: 1 }) : new CfC(INPUTS, wiring, { backend, seed: 1 });
}


async function measure(c: BenchCase, backend: 'cpu' | 'reference', batch: number, budgetMs: number) {
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
  const bench = new Bench({ time: budgetMs, iterations: c.kind === 'step' ? 1000 : 5, warmupIterations: 2 });
  bench.add(c.id, fn);
  await bench.run();
  const result = bench.tasks[0].result as { state: string; latency?: { p50: number; mean: number; samplesCount?: number } ; error?: unknown };
  if (result.state !== 'completed' || !result.latency) throw new Error(`case ${c.id} (${backend}) did not complete: ${String(result.error ?? result.state)}`);
  const medianSeconds = result.latency.p50 / 1000;
  return { batch, medianSeconds, sampleStepsPerSecond: (batch * steps) / medianSeconds };
}

async function main(): Promise<void> {
  const c = CASES.find((k) => k.id === process.argv[2]);
  if (!c) throw new Error(`unknown case ${process.argv[2]}; known: ${CASES.map((k) => k.id).join(', ')}`);
  const native = await measure(c, 'cpu', c.batch, c.kind === 'step' ? 500 : 1500);
  const nativePeakRssBytes = process.resourceUsage().maxRSS * 1024;
  const referenceBatch = Math.min(c.batch, c.kind === 'forwardBackward' ? 2 : 4);
  const reference = await measure(c, 'reference', referenceBatch, c.kind === 'step' ? 500 : 1000);
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
