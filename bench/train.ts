/**
 * `node --import tsx bench/train.ts`: training throughput of fit() for LTC and wired CfC on AutoNCP(64, 8) with
 * 16 inputs, (B, L) = (64, 100), float32, Adam, MSE, per-step timespans. Each model runs in a fresh process so
 * its peak RSS is its own. Writes bench/results/train.json and train.md.
 *
 * Figures: sample-steps/s of whole training epochs (gather, one fused forward + loss + backward, optimizer), the
 * median over the epochs after a warm-up epoch; the same machine's raw forwardBackward on one batch as the peer
 * (fit can never beat it: the ratio is the loop's overhead); the native optimizer step alone; peak RSS.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AutoNCP, CfC, LTC, backendInfo, type SequenceModel } from '../src/index.js';
import { Optimizer } from '../src/train/optimizer.js';
import { fit } from '../src/train/index.js';
import { fmtBytes, fmtRate, lcgFill } from './common.js';

const INPUTS = 16;
const BATCH = 64;
const STEPS = 100;
const BATCHES_PER_EPOCH = 8;
const ROUNDS = 21; // after one warm-up round
const CASES = ['ltc', 'cfc'] as const;
type CaseId = (typeof CASES)[number];

interface CaseResult {
  id: string;
  model: string;
  trainableParameters: number;
  batch: number;
  steps: number;
  fit: { sampleStepsPerSecond: number; epochSeconds: number[] };
  forwardBackward: { medianSeconds: number; sampleStepsPerSecond: number };
  /** Median over rounds of fit's rate over forwardBackward's, with the rounds' lowest and highest. */
  fitOverRawForwardBackward: number;
  fitOverRawForwardBackwardRange: [number, number];
  optimizerStepMicroseconds: number;
  peakRssBytes: number;
}

const here = fileURLToPath(new URL('.', import.meta.url));

function makeModel(id: CaseId): SequenceModel {
  const wiring = new AutoNCP(64, 8, { seed: 22222 });
  return id === 'ltc' ? new LTC(INPUTS, wiring, { seed: 1 }) : new CfC(INPUTS, wiring, { seed: 1 });
}


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function runCase(id: CaseId): Promise<CaseResult> {
  const model = makeModel(id);
  const N = BATCH * BATCHES_PER_EPOCH;
  const P = model.outputSize;
  const data = {
    inputs: { data: lcgFill(new Float32Array(N * STEPS * INPUTS), 1, -1, 1), shape: [N, STEPS, INPUTS] },
    targets: { data: lcgFill(new Float32Array(N * STEPS * P), 3, -1, 1), shape: [N, STEPS, P] },
    timespans: { data: lcgFill(new Float32Array(N * STEPS), 2, 0.5, 1.5), shape: [N, STEPS] },
  };
  // Rounds alternate one fit() epoch with the same batches through forwardBackwardAsync (the peer: the bare kernel
  // call, to which fit's fused call adds the loss and its gradient), so a load swing on this shared machine hits
  // both sides of a round alike; the ratio is the median of the rounds' ratios. Round 0 is warm-up.
  const P2 = BATCH * STEPS;
  const dOutput = { data: lcgFill(new Float32Array(P2 * P), 4, -1, 1), shape: [BATCH, STEPS, P] };
  const rounds: { fitSeconds: number; forwardBackwardSeconds: number }[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const history = await fit(model, data, { epochs: 1, batchSize: BATCH, verbose: 0, seed: r + 1 });
    const fitSeconds = (N * STEPS) / history.epochs[0].sampleStepsPerSecond;
    const t0 = performance.now();
    for (let b = 0; b < BATCHES_PER_EPOCH; b++) {
      const input = { data: data.inputs.data.subarray(b * P2 * INPUTS, (b + 1) * P2 * INPUTS), shape: [BATCH, STEPS, INPUTS] };
      const timespans = { data: data.timespans.data.subarray(b * P2, (b + 1) * P2), shape: [BATCH, STEPS] };
      await model.forwardBackwardAsync(input, dOutput, { timespans });
    }
    const forwardBackwardSeconds = (performance.now() - t0) / 1000;
    if (r > 0) rounds.push({ fitSeconds, forwardBackwardSeconds });
  }
  const ratios = rounds.map((x) => x.forwardBackwardSeconds / x.fitSeconds);
  const fbSeconds = median(rounds.map((x) => x.forwardBackwardSeconds)) / BATCHES_PER_EPOCH;
  const fitEpochSeconds = rounds.map((x) => x.fitSeconds);

  const T = model.layout.trainableLength;
  const optimizer = new Optimizer({ type: 'adam', lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentum: 0, nesterov: false }, 'float32', T, true);
  const params = lcgFill(new Float32Array(T), 5, -1, 1);
  const grads = lcgFill(new Float32Array(T), 6, -1, 1);
  const reps = 2000;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) optimizer.apply(params, grads, 1e-3);
  const optimizerSeconds = (performance.now() - t0) / 1000 / reps;

  const fitRate = (N * STEPS) / median(fitEpochSeconds);
  return {
    id: `${id}-fit-b${BATCH}-l${STEPS}`,
    model: id === 'ltc' ? 'LTC(16, AutoNCP(64, 8))' : 'CfC(16, AutoNCP(64, 8))',
    trainableParameters: T,
    batch: BATCH,
    steps: STEPS,
    fit: { sampleStepsPerSecond: fitRate, epochSeconds: fitEpochSeconds },
    forwardBackward: { medianSeconds: fbSeconds, sampleStepsPerSecond: (BATCH * STEPS) / fbSeconds },
    fitOverRawForwardBackward: median(ratios),
    fitOverRawForwardBackwardRange: [Math.min(...ratios), Math.max(...ratios)],
    optimizerStepMicroseconds: optimizerSeconds * 1e6,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}



if (process.argv[2] === '--case') {
  const result = await runCase(process.argv[3] as CaseId);
  console.log(JSON.stringify(result));
} else {
  const results: CaseResult[] = [];
  const loadBefore = loadavg()[0];
  for (const id of CASES) {
    process.stdout.write(`${id} … `);
    const out = execFileSync(process.execPath, ['--import', 'tsx', `${here}train.ts`, '--case', id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const r = JSON.parse(out.trim().split('\n').pop()!) as CaseResult;
    results.push(r);
    console.log(`${fmtRate(r.fit.sampleStepsPerSecond)} sample-steps/s`);
  }
  const info = backendInfo();
  // Other processes competing for the cores skew every figure here: the load average is reported with them.
  const machine = { cpu: cpus()[0]?.model, cores: cpus().length, platform: info.platform, simd: info.simdLevel, threads: info.numThreads, node: info.nodeVersion, loadAverage: [loadBefore, loadavg()[0]] };
  const lines = [
    `# Training benchmark (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.platform}, SIMD ${machine.simd}, ${machine.threads} threads, Node ${machine.node}; 1-min load average ${machine.loadAverage.map((l) => l.toFixed(1)).join(' → ')} (other processes share the cores when it exceeds ${machine.cores}).`,
    `fit(): AutoNCP(64, 8, seed 22222), 16 inputs, float32, (B, L) = (${BATCH}, ${STEPS}), ${BATCHES_PER_EPOCH} batches per epoch, Adam, MSE, timespans in [0.5, 1.5).`,
    `${ROUNDS} rounds after a warm-up round, each one fit() epoch then the same ${BATCHES_PER_EPOCH} batches through forwardBackwardAsync alone (the peer), so load swings hit both alike; rates are medians over rounds, the ratio is the median of the rounds' ratios (their range beside it).`,
    '',
    '| case | trainable params | fit sample-steps/s | forwardBackward sample-steps/s | fit / forwardBackward (range) | optimizer step | peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.model} | ${r.trainableParameters} | ${fmtRate(r.fit.sampleStepsPerSecond)} | ${fmtRate(r.forwardBackward.sampleStepsPerSecond)} | ${r.fitOverRawForwardBackward.toFixed(2)} (${r.fitOverRawForwardBackwardRange.map((x) => x.toFixed(2)).join('–')}) | ${r.optimizerStepMicroseconds.toFixed(1)} µs | ${fmtBytes(r.peakRssBytes)} |`),
    '',
    'fit runs one fused forwardBackwardLoss per batch (one forward, the loss and its gradient, one backward), so its',
    'ceiling is forwardBackward itself; the rest is the loop (gather, optimizer step, progress), a small share.',
  ];
  const markdown = lines.join('\n');
  console.log(`\n${markdown}`);
  mkdirSync(`${here}results`, { recursive: true });
  writeFileSync(`${here}results/train.json`, JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2));
  writeFileSync(`${here}results/train.md`, `${markdown}\n`);
  console.log('\nwrote bench/results/train.json and bench/results/train.md');
}
