/**
 * `node --import tsx bench/onnx.ts [case-id …]`: the native CPU backend against the same model exported with
 * exportOnnx and run by onnxruntime-node's CPU provider, in the same process and run, so users know when each
 * wins. Models: LTC and wired CfC on AutoNCP(64, 8, seed 22222), 16 inputs, float32, per-sample elapsed times.
 *
 * Cases: single-step latency at B = 1 (`model.step` vs `policy.step`), one-step throughput at B = 64 and 1024,
 * and a 32-step sequence at B = 64 (`model.forward` vs `policy.run` on an unrolled 'sequence' graph).
 * Prints a Markdown table with the ONNX / native time ratio and writes bench/results/onnx.json and onnx.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import ort from 'onnxruntime-node';
import { AutoNCP, CfC, LTC, backendInfo, type SequenceModel, type State } from '../src/index.js';
import { exportOnnx, OnnxPolicy } from '../src/onnx/index.js';
import { fmtRate, fmtSeconds, lcgFill } from './common.js';

const INPUTS = 16;
const SEQUENCE_STEPS = 32;

interface OnnxCase {
  id: string;
  model: 'ltc' | 'cfc';
  kind: 'step' | 'sequence';
  batch: number;
  steps: number;
}

const CASES: OnnxCase[] = (['ltc', 'cfc'] as const).flatMap((model) => [
  ...[1, 64, 1024].map((batch) => ({ id: `${model}-step-b${batch}`, model, kind: 'step' as const, batch, steps: 1 })),
  { id: `${model}-sequence-b64-l${SEQUENCE_STEPS}`, model, kind: 'sequence' as const, batch: 64, steps: SEQUENCE_STEPS },
]);

interface Measurement {
  medianSeconds: number;
  sampleStepsPerSecond: number;
  samples: number;
}

interface CaseResult extends OnnxCase {
  native: Measurement;
  onnx: Measurement;
  /** ONNX median time / native median time: > 1 means the native backend is faster. */
  onnxOverNative: number;
}

function makeModel(kind: 'ltc' | 'cfc'): LTC | CfC {
  const wiring = new AutoNCP(64, 8, { seed: 22222 });
  return kind === 'ltc' ? new LTC(INPUTS, wiring, { seed: 1 }) : new CfC(INPUTS, wiring, { seed: 1 });
}

async function measure(id: string, fn: () => unknown, budgetMs: number, batch: number, steps: number): Promise<Measurement> {
  const bench = new Bench({ time: budgetMs, iterations: 5, warmupIterations: 3 });
  bench.add(id, fn);
  await bench.run();
  const result = bench.tasks[0].result as { state: string; latency?: { p50: number; samplesCount?: number }; error?: unknown };
  if (result.state !== 'completed' || !result.latency) throw new Error(`case ${id} did not complete: ${String(result.error ?? result.state)}`);
  const medianSeconds = result.latency.p50 / 1000;
  return { medianSeconds, sampleStepsPerSecond: (batch * steps) / medianSeconds, samples: result.latency.samplesCount ?? 0 };
}

async function runCase(c: OnnxCase): Promise<CaseResult> {
  const model: SequenceModel & (LTC | CfC) = makeModel(c.model);
  const { batch, steps } = c;
  const budgetMs = c.batch === 1 ? 1000 : 2000;
  if (c.kind === 'step') {
    const x = { data: lcgFill(new Float32Array(batch * INPUTS), 1, -1, 1), shape: [batch, INPUTS] };
    const dt = { data: lcgFill(new Float32Array(batch), 2, 0.5, 1.5), shape: [batch] };
    const policy = await OnnxPolicy.create(exportOnnx(model, { mode: 'step', batch, target: 'coreml' }), { executionProviders: 'cpu' });
    let nativeState: State = model.step(x, undefined, dt).state;
    let onnxState: State = (await policy.step(x, undefined, dt)).state;
    const native = await measure(`${c.id} native`, () => {
      nativeState = model.step(x, nativeState, dt).state;
    }, budgetMs, batch, 1);
    const onnx = await measure(`${c.id} onnx`, async () => {
      onnxState = (await policy.step(x, onnxState, dt)).state;
    }, budgetMs, batch, 1);
    await policy.dispose();
    return { ...c, native, onnx, onnxOverNative: onnx.medianSeconds / native.medianSeconds };
  }
  const input = { data: lcgFill(new Float32Array(batch * steps * INPUTS), 3, -1, 1), shape: [batch, steps, INPUTS] };
  const timespans = { data: lcgFill(new Float32Array(batch * steps), 4, 0.5, 1.5), shape: [batch, steps] };
  const policy = await OnnxPolicy.create(exportOnnx(model, { mode: 'sequence', sequenceLength: steps, batch, target: 'coreml' }), { executionProviders: 'cpu' });
  const native = await measure(`${c.id} native`, () => model.forward(input, { timespans }), budgetMs, batch, steps);
  const onnx = await measure(`${c.id} onnx`, () => policy.run(input, { timespans }), budgetMs, batch, steps);
  await policy.dispose();
  return { ...c, native, onnx, onnxOverNative: onnx.medianSeconds / native.medianSeconds };
}

async function main(): Promise<void> {
  const selected = process.argv.slice(2);
  const cases = selected.length ? CASES.filter((c) => selected.includes(c.id)) : CASES;
  const started = Date.now();
  const results: CaseResult[] = [];
  for (const [i, c] of cases.entries()) {
    process.stdout.write(`[${i + 1}/${cases.length}] ${c.id} … `);
    const r = await runCase(c);
    results.push(r);
    console.log(`native ${fmtSeconds(r.native.medianSeconds)}, onnx ${fmtSeconds(r.onnx.medianSeconds)} (onnx/native ${r.onnxOverNative.toFixed(2)}×)`);
  }
  const info = backendInfo();
  const machine = { cpu: cpus()[0]?.model, cores: cpus().length, platform: info.platform, simd: info.simdLevel, nativeThreads: info.numThreads, node: info.nodeVersion, onnxruntime: ort.env.versions?.node ?? 'unknown' };
  const lines = [
    `# Native vs onnxruntime-node (CPU provider) (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.platform}, SIMD ${machine.simd}, native ${machine.nativeThreads} threads, onnxruntime-node ${machine.onnxruntime} (default threads), Node ${machine.node}.`,
    'Models: LTC and wired CfC on AutoNCP(64, 8, seed 22222), 16 inputs, float32, per-sample elapsed times; ONNX graphs from',
    "exportOnnx (target 'coreml', fixed batch), run by OnnxPolicy on the CPU provider. Medians of tinybench samples, both in this run.",
    'ONNX / native > 1 means the native backend is faster.',
    '',
    '| case | B | L | native median | native sample-steps/s | ONNX median | ONNX sample-steps/s | ONNX / native | faster |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...results.map(
      (r) =>
        `| ${r.id} | ${r.batch} | ${r.steps} | ${fmtSeconds(r.native.medianSeconds)} | ${fmtRate(r.native.sampleStepsPerSecond)} | ${fmtSeconds(r.onnx.medianSeconds)} | ${fmtRate(r.onnx.sampleStepsPerSecond)} | ${r.onnxOverNative.toFixed(2)}× | ${r.onnxOverNative > 1 ? 'native' : 'ONNX'} |`,
    ),
    '',
    `Total time ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  ];
  console.log(`\n${lines.join('\n')}`);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}onnx.json`, `${JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2)}\n`);
  writeFileSync(`${dir}onnx.md`, `${lines.join('\n')}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
