/**
 * `node --import tsx bench/tfjs.ts [case-id …]`: the native CPU kernels against the same model as a TensorFlow.js
 * layer (toTfjs) on tfjs's `cpu` (pure JS) and `wasm` backends, in the same process and run. Models: LTC and wired
 * CfC on AutoNCP(32, 4, seed 22222), 8 inputs, float32, per-sample elapsed times. Cases: a forward pass over a
 * sequence (B 16, L 16) and a training step's forward + backward (native forwardBackward vs tf.variableGrads).
 * Prints a Markdown table and writes bench/results/tfjs.json and tfjs.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { AutoNCP, CfC, LTC, backendInfo } from '../src/index.js';
import { toTfjs, withTimespans } from '../src/tfjs/index.js';
import { fmtRate, fmtSeconds, lcgFill } from './common.js';

const INPUTS = 8;
const BATCH = 16;
const STEPS = 16;
const BACKENDS = ['native', 'tfjs-cpu', 'tfjs-wasm'] as const;
type Runner = (typeof BACKENDS)[number];

interface TfjsCase {
  id: string;
  model: 'ltc' | 'cfc';
  kind: 'forward' | 'forward+backward';
}

const CASES: TfjsCase[] = (['ltc', 'cfc'] as const).flatMap((model) => [
  { id: `${model}-forward-b${BATCH}-l${STEPS}`, model, kind: 'forward' as const },
  { id: `${model}-train-step-b${BATCH}-l${STEPS}`, model, kind: 'forward+backward' as const },
]);

function makeModel(kind: 'ltc' | 'cfc'): LTC | CfC {
  const wiring = new AutoNCP(32, 4, { seed: 22222 });
  return kind === 'ltc' ? new LTC(INPUTS, wiring, { seed: 1 }) : new CfC(INPUTS, wiring, { seed: 1 });
}

async function median(id: string, fn: () => unknown): Promise<number> {
  const bench = new Bench({ time: 1500, iterations: 3, warmupIterations: 2 });
  bench.add(id, fn);
  await bench.run();
  const result = bench.tasks[0].result as { state: string; latency?: { p50: number }; error?: unknown };
  if (result.state !== 'completed' || !result.latency) throw new Error(`case ${id} did not complete: ${String(result.error ?? result.state)}`);
  return result.latency.p50 / 1000;
}

async function runCase(c: TfjsCase): Promise<Record<Runner, number>> {
  const model = makeModel(c.model);
  const input = { data: lcgFill(new Float32Array(BATCH * STEPS * INPUTS), 1, -1, 1), shape: [BATCH, STEPS, INPUTS] };
  const timespans = { data: lcgFill(new Float32Array(BATCH * STEPS), 2, 0.5, 1.5), shape: [BATCH, STEPS] };
  const out: Partial<Record<Runner, number>> = {};
  const dOutput = { data: new Float32Array(BATCH * STEPS * model.outputSize).fill(1), shape: [BATCH, STEPS, model.outputSize] };
  out.native =
    c.kind === 'forward'
      ? await median(`${c.id} native`, () => model.forward(input, { timespans }))
      : await median(`${c.id} native`, () => model.forwardBackward(input, dOutput, { timespans }));
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    await tf.ready();
    const layer = toTfjs(model, { timespans: true });
    const x = withTimespans(tf.tensor3d(input.data, input.shape as [number, number, number]), tf.tensor2d(timespans.data, [BATCH, STEPS]));
    const run =
      c.kind === 'forward'
        ? () => tf.tidy(() => (layer.apply(x) as tf.Tensor).dataSync())
        : () => {
            const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor));
            value.dataSync();
            tf.dispose([value, ...Object.values(grads)]);
          };
    out[`tfjs-${backend}`] = await median(`${c.id} tfjs ${backend}`, run);
    tf.dispose(x);
  }
  return out as Record<Runner, number>;
}

async function main(): Promise<void> {
  const selected = process.argv.slice(2);
  const cases = selected.length ? CASES.filter((c) => selected.includes(c.id)) : CASES;
  const started = Date.now();
  const results: (TfjsCase & { seconds: Record<Runner, number> })[] = [];
  for (const [i, c] of cases.entries()) {
    process.stdout.write(`[${i + 1}/${cases.length}] ${c.id} … `);
    const seconds = await runCase(c);
    results.push({ ...c, seconds });
    console.log(BACKENDS.map((b) => `${b} ${fmtSeconds(seconds[b])}`).join(', '));
  }
  const info = backendInfo();
  const machine = { cpu: cpus()[0]?.model, cores: cpus().length, platform: info.platform, simd: info.simdLevel, nativeThreads: info.numThreads, node: info.nodeVersion, tfjs: tf.version.tfjs };
  const rate = (s: number) => fmtRate((BATCH * STEPS) / s);
  const lines = [
    `# Native vs TensorFlow.js (cpu, wasm) (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.platform}, SIMD ${machine.simd}, native ${machine.nativeThreads} threads, tfjs ${machine.tfjs}, Node ${machine.node}.`,
    `Models: LTC and wired CfC on AutoNCP(32, 4, seed 22222), ${INPUTS} inputs, float32, per-sample elapsed times, B ${BATCH}, L ${STEPS};`,
    'the tfjs layer is toTfjs(model) (same weights, same outputs within 1e-5). "train step" is forward + backward',
    '(native forwardBackward, tfjs tf.variableGrads over every weight). Medians of tinybench samples, all in this run.',
    '',
    '| case | native | tfjs cpu | tfjs wasm | native sample-steps/s | tfjs cpu / native | tfjs wasm / native |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => {
      const s = r.seconds;
      return `| ${r.id} | ${fmtSeconds(s.native)} | ${fmtSeconds(s['tfjs-cpu'])} | ${fmtSeconds(s['tfjs-wasm'])} | ${rate(s.native)} | ${(s['tfjs-cpu'] / s.native).toFixed(0)}× | ${(s['tfjs-wasm'] / s.native).toFixed(0)}× |`;
    }),
    '',
    `Total time ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  ];
  console.log(`\n${lines.join('\n')}`);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}tfjs.json`, `${JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2)}\n`);
  writeFileSync(`${dir}tfjs.md`, `${lines.join('\n')}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
