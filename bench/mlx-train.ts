/**
 * `node --import tsx bench/mlx-train.ts`: one training batch on the MLX backend, two ways, in the same run:
 *
 * - device: what fit runs on MLX: forward, loss, backward and the Adam update in one MLX call, the parameters and
 *   moments staying on the device (Model#trainStepOnDevice);
 * - host: the fused forward + loss + backward on MLX, the gradient copied to the host, the CPU addon's Adam step
 *   on the host buffer, and the new parameters uploaded by the next call (what fit did before the device update).
 *
 * Rounds alternate the two (so load swings hit both alike); figures are medians over rounds, the ratio the median
 * of the rounds' ratios. Writes bench/results/mlx-train.json and mlx-train.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AutoNCP, CfC, LTC, backendInfo, type SequenceModel } from '../src/index.js';
import { loadMlx } from '../src/backend/mlx-load.js';
import { Optimizer } from '../src/train/optimizer.js';
import type { ResolvedOptimizer } from '../src/train/options.js';
import { fmtSeconds, lcgFill } from './common.js';

const INPUTS = 16;
const ROUNDS = 9; // after one warm-up round
const BATCHES = 4; // per round and way
const CASES: { name: string; batch: number; steps: number; make: () => SequenceModel }[] = [
  { name: 'CfC(16, AutoNCP(64, 8))', batch: 16, steps: 16, make: () => new CfC(INPUTS, new AutoNCP(64, 8, { seed: 22222 }), { seed: 1, backend: 'mlx' }) },
  { name: 'CfC(16, 64 units)', batch: 64, steps: 32, make: () => new CfC(INPUTS, 64, { seed: 1, backend: 'mlx' }) },
  { name: 'LTC(16, AutoNCP(32, 4))', batch: 16, steps: 8, make: () => new LTC(INPUTS, new AutoNCP(32, 4, { seed: 22222 }), { seed: 1, backend: 'mlx' }) },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const here = fileURLToPath(new URL('.', import.meta.url));
const ADAM: ResolvedOptimizer = { type: 'adam', lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentum: 0, nesterov: false };

interface Row {
  model: string;
  batch: number;
  steps: number;
  trainableParameters: number;
  deviceSeconds: number;
  hostSeconds: number;
  hostOverDevice: number;
  hostOverDeviceRange: [number, number];
}

async function runCase(c: (typeof CASES)[number]): Promise<Row> {
  const model = c.make();
  const B = c.batch, L = c.steps, P = model.outputSize;
  const input = { data: lcgFill(new Float32Array(B * L * INPUTS), 1, -1, 1), shape: [B, L, INPUTS] };
  const target = { data: lcgFill(new Float32Array(B * L * P), 2, -1, 1), shape: [B, L, P] };
  const T = model.layout.trainableLength;
  const device = model.sequenceBackend.deviceTraining!;
  const onDevice = new Optimizer(ADAM, 'float32', T, model.sequenceBackend);
  const onHost = new Optimizer(ADAM, 'float32', T, model.sequenceBackend);
  const ratios: number[] = [], deviceTimes: number[] = [], hostTimes: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    let t0 = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      const result = await model.trainStepOnDevice(input, target, { loss: 'mse' }, onDevice.deviceUpdate(device, 1e-3, undefined, []));
      onDevice.settledOnDevice(device, result.applied);
    }
    const deviceSeconds = (performance.now() - t0) / 1000 / BATCHES;
    t0 = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      const { grads } = await model.forwardBackwardLossAsync(input, target, { loss: 'mse' });
      onHost.apply(model.parameters.subarray(0, T), grads.flat.subarray(0, T), 1e-3);
      model.markParametersChanged();
    }
    const hostSeconds = (performance.now() - t0) / 1000 / BATCHES;
    if (r === 0) continue;
    deviceTimes.push(deviceSeconds);
    hostTimes.push(hostSeconds);
    ratios.push(hostSeconds / deviceSeconds);
  }
  return {
    model: c.name, batch: B, steps: L, trainableParameters: T,
    deviceSeconds: median(deviceTimes), hostSeconds: median(hostTimes),
    hostOverDevice: median(ratios), hostOverDeviceRange: [Math.min(...ratios), Math.max(...ratios)],
  };
}

const mlx = loadMlx().buildInfo();
const loadBefore = loadavg()[0];
const rows: Row[] = [];
for (const c of CASES) {
  const row = await runCase(c);
  rows.push(row);
  console.error(`${row.model} (${row.batch}, ${row.steps}): device ${fmtSeconds(row.deviceSeconds)}, host ${fmtSeconds(row.hostSeconds)}, host / device ${row.hostOverDevice.toFixed(2)}`);
}
const info = backendInfo();
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, platform: info.platform, node: info.nodeVersion, loadAverage: [loadBefore, loadavg()[0]] };
const deviceText = mlx.device === 'gpu' ? `Metal (${mlx.deviceName ?? 'GPU'})` : "MLX's CPU device";
const lines = [
  `# One training batch on MLX: the update on the device vs on the host (${new Date().toISOString().slice(0, 10)})`,
  '',
  `MLX ${mlx.mlxVersion} on ${deviceText}; ${machine.cpu} (${machine.cores} cores), ${machine.platform}, Node ${machine.node}; 1-min load average ${machine.loadAverage.map((l) => l.toFixed(1)).join(' → ')}.`,
  `Adam, MSE, float32, ${BATCHES} batches per way per round, ${ROUNDS} rounds after a warm-up round, the two ways alternating.`,
  '',
  '| model | (B, L) | trainable params | device: one MLX call | host: MLX call + host Adam + upload | host / device (range) |',
  '|---|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.model} | (${r.batch}, ${r.steps}) | ${r.trainableParameters} | ${fmtSeconds(r.deviceSeconds)} | ${fmtSeconds(r.hostSeconds)} | ${r.hostOverDevice.toFixed(2)} (${r.hostOverDeviceRange.map((x) => x.toFixed(2)).join('–')}) |`),
  '',
];
mkdirSync(`${here}results`, { recursive: true });
writeFileSync(`${here}results/mlx-train.json`, `${JSON.stringify({ date: new Date().toISOString(), machine, mlx, rounds: ROUNDS, rows }, null, 2)}\n`);
writeFileSync(`${here}results/mlx-train.md`, lines.join('\n'));
console.log(lines.join('\n'));
