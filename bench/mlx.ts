/**
 * `npm run bench:mlx`: the kernel cases on the MLX addon beside the CPU addon, in the same run, with the device
 * named (MLX's CPU device on Linux, scalar there; Metal on a Mac). LTC and wired CfC on AutoNCP(64, 8) with
 * 16 inputs, float32, per-step timespans: forward and forwardBackward at (B, L) = (1, 100), (64, 100), and a
 * single step (1, 1), which shows MLX's per-evaluation dispatch cost. Also the first call (graph construction
 * and MLX's lazy set-up) separately from the steady state. Writes bench/results/mlx.json and mlx.md.
 *
 * Figures are the median of repeated calls inside a time budget per case (at least 3 calls).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadNative } from '../src/backend/load.js';
import { loadMlx } from '../src/backend/mlx-load.js';
import type { SequenceArgs } from '../src/backend/sequence-args.js';
import { AutoNCP, CfC, LTC, type SequenceModel } from '../src/index.js';
import { fmtSeconds, lcgFill } from './common.js';

const INPUTS = 16;
const BUDGET_SECONDS = Number(process.env.NCP_BENCH_MLX_SECONDS ?? 4);
const SHAPES: [number, number][] = [[1, 1], [1, 100], [64, 100]];

interface Row {
  model: string;
  call: 'forward' | 'forwardBackward';
  batch: number;
  steps: number;
  cpuSeconds: number;
  mlxSeconds: number;
  mlxFirstCallSeconds: number;
  mlxOverCpu: number;
}

function args(model: SequenceModel, B: number, L: number, backward: boolean): SequenceArgs<Float32Array> {
  const H = model.stateSize, P = model.outputSize;
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

function medianSeconds(run: () => void): number {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start) / 1e3 < BUDGET_SECONDS) {
    const t0 = performance.now();
    run();
    times.push((performance.now() - t0) / 1e3);
    if (times.length >= 200) break;
  }
  return times.sort((x, y) => x - y)[Math.floor(times.length / 2)];
}

const mlx = loadMlx();
const device = mlx.buildInfo();
const rows: Row[] = [];
for (const [name, make] of [
  ['LTC AutoNCP(64, 8)', () => new LTC(INPUTS, new AutoNCP(64, 8, { seed: 22222 }), { seed: 1 })],
  ['wired CfC AutoNCP(64, 8)', () => new CfC(INPUTS, new AutoNCP(64, 8, { seed: 22222 }), { seed: 1 })],
] as const) {
  const model = make();
  const config = model.nativeModelConfig();
  const cpu = new (loadNative().NativeModel)(config);
  for (const [B, L] of SHAPES) {
    for (const call of ['forward', 'forwardBackward'] as const) {
      const backward = call === 'forwardBackward';
      const gpu = new mlx.MlxModel(config);
      const a = args(model, B, L, backward);
      const t0 = performance.now();
      gpu[call](a);
      const first = (performance.now() - t0) / 1e3;
      const mlxSeconds = medianSeconds(() => gpu[call](a));
      const cpuSeconds = medianSeconds(() => cpu[call](a));
      rows.push({ model: name, call, batch: B, steps: L, cpuSeconds, mlxSeconds, mlxFirstCallSeconds: first, mlxOverCpu: mlxSeconds / cpuSeconds });
      console.error(`${name} ${call} (${B}, ${L}): cpu ${fmtSeconds(cpuSeconds)}, mlx ${fmtSeconds(mlxSeconds)} (first ${fmtSeconds(first)})`);
    }
  }
}

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage: loadavg()[0], platform: `${process.platform}-${process.arch}` };
const deviceText = device.device === 'gpu' ? `Metal: ${device.deviceName ?? 'GPU'}` : `MLX CPU device (${device.deviceName ?? device.architecture ?? machine.cpu})`;
const here = fileURLToPath(new URL('.', import.meta.url));
mkdirSync(`${here}results`, { recursive: true });
writeFileSync(`${here}results/mlx.json`, `${JSON.stringify({ date: new Date().toISOString(), machine, mlx: device, budgetSeconds: BUDGET_SECONDS, rows }, null, 2)}\n`);
const lines = [
  `# MLX beside the CPU backend (${new Date().toISOString().slice(0, 10)})`,
  '',
  `MLX ${device.mlxVersion} on ${deviceText}; ncp-silicon CPU kernels on ${machine.cpu} (${machine.cores} threads), ${machine.platform}, load ${machine.loadAverage.toFixed(1)}.`,
  'float32, 16 inputs, per-step timespans; median call time (first MLX call shown separately: graph building and MLX set-up).',
  '',
  '| model | call | (B, L) | CPU backend | MLX | MLX / CPU | MLX first call |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.model} | ${r.call} | (${r.batch}, ${r.steps}) | ${fmtSeconds(r.cpuSeconds)} | ${fmtSeconds(r.mlxSeconds)} | ${r.mlxOverCpu.toFixed(1)}× | ${fmtSeconds(r.mlxFirstCallSeconds)} |`),
  '',
];
writeFileSync(`${here}results/mlx.md`, lines.join('\n'));
console.log(lines.join('\n'));
