/**
 * `npm run bench:mlx-compile`: whether `mlx::core::compile` of the per-step function pays on this machine's MLX
 * device. LTC (6 ODE unfolds) and wired CfC on AutoNCP(64, 8), 16 inputs, float32, per-step timespans, L = 100,
 * B = 1, 16, 64, forward and forwardBackward.
 *
 * Warm calls, paired: one process loads two copies of the MLX addon, one with NCP_SILICON_MLX_COMPILE=0 and one
 * with =1 (each copy reads the switch at its first call), and alternates their calls, so the load of the machine's
 * other work falls on both alike. Reported: each side's median wall and process CPU time, and the median of the
 * per-pair ratios compiled / eager.
 *
 * First calls, one fresh process each: eager; compiled with an empty TMPDIR (cold: MLX's CPU device runs the C++
 * compiler for every fused kernel it lacks and keeps the libraries under $TMPDIR/mlx/<version>/cpu); compiled
 * again with that TMPDIR (warm disk cache). A compiled first call also traces, simplifies and fuses the step at
 * that batch size. Writes bench/results/mlx-compile.json and mlx-compile.md.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMlx } from '../src/backend/mlx-load.js';
import type { MlxAddon } from '../src/backend/mlx-types.js';
import type { SequenceArgs } from '../src/backend/sequence-args.js';
import { AutoNCP, CfC, LTC, type SequenceModel } from '../src/index.js';
import { fmtSeconds, lcgFill } from './common.js';

const INPUTS = 16;
const STEPS = 100;
const BATCHES = [1, 16, 64];
const BUDGET_SECONDS = Number(process.env.NCP_BENCH_MLX_SECONDS ?? 4);
const MODELS: [string, () => SequenceModel][] = [
  ['LTC AutoNCP(64, 8)', () => new LTC(INPUTS, new AutoNCP(64, 8, { seed: 22222 }), { seed: 1 })],
  ['wired CfC AutoNCP(64, 8)', () => new CfC(INPUTS, new AutoNCP(64, 8, { seed: 22222 }), { seed: 1 })],
];
const CALLS = ['forward', 'forwardBackward'] as const;
type Call = (typeof CALLS)[number];
type FirstMode = 'eager' | 'cold' | 'warm';

interface Case { model: string; call: Call; batch: number }
interface First extends Case { seconds: number }
interface Paired extends Case {
  pairs: number;
  eager: { wall: number; cpu: number };
  compiled: { wall: number; cpu: number };
  ratio: { wall: number; cpu: number };  // medians of the per-pair ratios
  maxRelativeDifference: number;         // compiled against eager outputs
}

function args(model: SequenceModel, B: number, backward: boolean): SequenceArgs<Float32Array> {
  const H = model.stateSize, P = model.outputSize, L = STEPS;
  const a: SequenceArgs<Float32Array> = {
    version: 1, batch: B, steps: L, batchFirst: true, returnSequences: true,
    input: lcgFill(new Float32Array(B * L * INPUTS), 1, -1, 1),
    timespans: lcgFill(new Float32Array(B * L), 2, 0.5, 1.5),
    output: new Float32Array(B * L * P), hFinal: new Float32Array(B * H),
  };
  if (backward) {
    Object.assign(a, { dOutput: lcgFill(new Float32Array(B * L * P), 3, -1, 1), dInput: new Float32Array(B * L * INPUTS), dParams: new Float32Array(model.parameters.length) });
  }
  return a;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Wall and CPU seconds of one call; CPU time counts every thread of this process and no other process. */
function timed(run: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  run();
  const wall = (performance.now() - t0) / 1e3;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

function relativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0, norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff / Math.max(norm, 1e-30));
}

function* cases(): Generator<Case & { make: () => SequenceModel }> {
  for (const [model, make] of MODELS) for (const batch of BATCHES) for (const call of CALLS) yield { model, call, batch, make };
}

/** In a child: each case's first call, on a fresh model, in this process (mode from the environment). */
function firstCalls(): First[] {
  const mlx = loadMlx();
  const out: First[] = [];
  for (const c of cases()) {
    const model = c.make();
    const gpu = new mlx.MlxModel(model.nativeModelConfig());
    const a = args(model, c.batch, c.call === 'forwardBackward');
    out.push({ model: c.model, call: c.call, batch: c.batch, seconds: timed(() => gpu[c.call](a)).wall });
    console.error(`  ${c.model} ${c.call} B ${c.batch}: first ${fmtSeconds(out.at(-1)!.seconds)}`);
  }
  return out;
}

/** A private copy of the addon latched to compiling or not (the switch is read at its first call). */
function addonCopy(dir: string, compile: '0' | '1'): MlxAddon {
  const path = join(dir, `ncp_silicon_mlx_${compile}.node`);
  copyFileSync(fileURLToPath(new URL('../build-mlx/Release/ncp_silicon_mlx.node', import.meta.url)), path);
  process.env.NCP_SILICON_MLX_COMPILE = compile;
  const addon = createRequire(import.meta.url)(path) as MlxAddon;
  const model = new LTC(INPUTS, 3, { seed: 1 });
  new addon.MlxModel(model.nativeModelConfig()).forward(args(model, 1, false) as never);
  return addon;
}

/** In a child: warm calls of both copies, alternating. */
function pairedCalls(dir: string): Paired[] {
  const eager = addonCopy(dir, '0');
  const compiled = addonCopy(dir, '1');
  const out: Paired[] = [];
  for (const c of cases()) {
    const model = c.make();
    const config = model.nativeModelConfig();
    const sides = [new eager.MlxModel(config), new compiled.MlxModel(config)];
    const backward = c.call === 'forwardBackward';
    const a = [args(model, c.batch, backward), args(model, c.batch, backward)];
    sides.forEach((m, i) => m[c.call](a[i]));  // first calls (tracing, any kernel building) are not timed
    const times: { wall: number; cpu: number }[][] = [[], []];
    const start = performance.now();
    while (times[0].length < 3 || ((performance.now() - start) / 1e3 < BUDGET_SECONDS && times[0].length < 100)) {
      const order = times[0].length % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) times[i].push(timed(() => sides[i][c.call](a[i])));
    }
    const side = (t: { wall: number; cpu: number }[]) => ({ wall: median(t.map((x) => x.wall)), cpu: median(t.map((x) => x.cpu)) });
    const ratio = (key: 'wall' | 'cpu') => median(times[1].map((t, i) => t[key] / times[0][i][key]));
    out.push({
      model: c.model, call: c.call, batch: c.batch, pairs: times[0].length,
      eager: side(times[0]), compiled: side(times[1]), ratio: { wall: ratio('wall'), cpu: ratio('cpu') },
      maxRelativeDifference: relativeDifference(a[1].output, a[0].output),
    });
    const p = out.at(-1)!;
    console.error(`  ${c.model} ${c.call} B ${c.batch}: eager ${fmtSeconds(p.eager.wall)}, compiled ${fmtSeconds(p.compiled.wall)}, ratio ${p.ratio.wall.toFixed(2)} (cpu ${p.ratio.cpu.toFixed(2)}), ${p.pairs} pairs`);
  }
  return out;
}

function child<T>(role: string, env: Record<string, string>): T {
  console.error(`${role}:`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, ...env, NCP_BENCH_MLX_COMPILE_ROLE: role }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24,
  });
  if (result.status !== 0) throw new Error(`the ${role} process failed (status ${result.status})`);
  return JSON.parse(result.stdout) as T;
}

function kernelLibraries(tmp: string): number {
  const root = join(tmp, 'mlx');
  let count = 0;
  for (const version of readdirSync(root)) count += readdirSync(join(root, version, 'cpu')).filter((f) => f.endsWith('.so')).length;
  return count;
}

function report(): void {
  const scratch = mkdtempSync(join(tmpdir(), 'ncp-mlx-compile-'));
  const dirs = Object.fromEntries(['eager', 'cache', 'paired'].map((d) => [d, join(scratch, d)]));
  Object.values(dirs).forEach((d) => mkdirSync(d));
  try {
    const first: Record<FirstMode, First[]> = {
      eager: child<First[]>('eager', { NCP_SILICON_MLX_COMPILE: '0', TMPDIR: dirs.eager }),
      cold: child<First[]>('cold', { NCP_SILICON_MLX_COMPILE: '1', TMPDIR: dirs.cache }),
      warm: [],
    };
    const libraries = kernelLibraries(dirs.cache);
    first.warm = child<First[]>('warm', { NCP_SILICON_MLX_COMPILE: '1', TMPDIR: dirs.cache });
    const paired = child<Paired[]>('paired', { TMPDIR: dirs.cache, NCP_BENCH_MLX_COMPILE_DIR: dirs.paired });
    write(first, paired, libraries);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function write(first: Record<FirstMode, First[]>, paired: Paired[], libraries: number): void {
  const mlx = loadMlx().buildInfo();
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage: loadavg()[0], platform: `${process.platform}-${process.arch}` };
  const deviceText = mlx.device === 'gpu' ? `Metal: ${mlx.deviceName ?? 'GPU'}` : `MLX CPU device (${mlx.deviceName ?? mlx.architecture ?? machine.cpu})`;
  const here = fileURLToPath(new URL('.', import.meta.url));
  mkdirSync(`${here}results`, { recursive: true });
  writeFileSync(`${here}results/mlx-compile.json`, `${JSON.stringify({ date: new Date().toISOString(), machine, mlx, budgetSeconds: BUDGET_SECONDS, kernelLibraries: libraries, first, paired }, null, 2)}\n`);
  const lines = [
    `# mlx::core::compile of the per-step function (${new Date().toISOString().slice(0, 10)})`,
    '',
    `MLX ${mlx.mlxVersion} on ${deviceText}, ${machine.cpu} (${machine.cores} threads), ${machine.platform}, load ${machine.loadAverage.toFixed(1)}`,
    `(the machine is shared). float32, 16 inputs, per-step timespans, L = ${STEPS}. Eager: \`NCP_SILICON_MLX_COMPILE=0\`;`,
    'compiled: `=1`. Warm: two copies of the addon in one process, one eager and one compiled, calls alternating;',
    'median wall time per call, and the median of the per-pair ratios in wall and in process CPU time. First call: each',
    'case\'s first call in a new process; compiled with an empty `$TMPDIR` (cold: the run-time C++ compiler builds',
    `every fused kernel, ${libraries} libraries in all) and again with those libraries on disk (warm cache). Inside`,
    'forwardBackward MLX runs compiled functions uncompiled (their inputs are vector-Jacobian tracers), so those rows',
    'show how far this machine\'s noise alone moves the ratio.',
    '',
    '| model | call | B | eager | compiled | compiled / eager, wall (CPU) | pairs | eager first | compiled first, cold cache | compiled first, warm cache |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...paired.map((p, i) => `| ${p.model} | ${p.call} | ${p.batch} | ${fmtSeconds(p.eager.wall)} | ${fmtSeconds(p.compiled.wall)} | ${p.ratio.wall.toFixed(2)}× (${p.ratio.cpu.toFixed(2)}×) | ${p.pairs} | ${fmtSeconds(first.eager[i].seconds)} | ${fmtSeconds(first.cold[i].seconds)} | ${fmtSeconds(first.warm[i].seconds)} |`),
    '',
    `Compiled outputs against eager ones: largest relative difference (2-norm) ${Math.max(...paired.map((p) => p.maxRelativeDifference)).toExponential(1)}.`,
    '',
  ];
  writeFileSync(`${here}results/mlx-compile.md`, lines.join('\n'));
  console.log(lines.join('\n'));
}

const role = process.env.NCP_BENCH_MLX_COMPILE_ROLE;
if (role === 'paired') process.stdout.write(JSON.stringify(pairedCalls(process.env.NCP_BENCH_MLX_COMPILE_DIR!)));
else if (role) process.stdout.write(JSON.stringify(firstCalls()));
else report();
