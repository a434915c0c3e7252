/**
 * The cost of profiling: the (64, 100) LTC forward on AutoNCP(64, 8) with 16 inputs (float32, per-step
 * timespans), timed with profiling off and on in alternating repetitions (so drift in machine load hits both
 * alike). The headline overhead is the median of the paired on/off ratios, which a load change between pairs
 * cannot bias; the ratio of the medians and of the minimums are printed too. Also the single step (B = 1), where
 * a per-call cost shows most, from which the cost of recording one call is estimated. Writes
 * bench/results/profile.json and profile.md.
 *
 *   node --import tsx bench/profile.ts [repetitions]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { AutoNCP, LTC, backendInfo } from '../src/index.js';
import { startProfile } from '../src/monitor/index.js';

const INPUTS = 16;
const repetitions = Number(process.argv[2] ?? 101);

function lcgFill(out: Float32Array, seed: number, low: number, high: number): Float32Array {
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = low + ((high - low) * s) / 4294967296;
  }
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Times `run` once with profiling off and once on, `repetitions` times, alternating which goes first. */
function pairs(run: () => void, label: string) {
  const off: number[] = [];
  const on: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    for (const profiled of r % 2 ? [true, false] : [false, true]) {
      const profile = profiled ? startProfile() : undefined;
      const t0 = performance.now();
      run();
      const ms = performance.now() - t0;
      profile?.stop();
      (profiled ? on : off).push(ms);
    }
  }
  const ratios = on.map((x, i) => x / off[i]);
  const result = {
    label,
    repetitions,
    offMedianMs: median(off),
    onMedianMs: median(on),
    offMinMs: Math.min(...off),
    onMinMs: Math.min(...on),
    /** The headline: median over repetitions of (on / off − 1). */
    overheadPercent: (median(ratios) - 1) * 100,
    medianRatioOverheadPercent: (median(on) / median(off) - 1) * 100,
    minRatioOverheadPercent: (Math.min(...on) / Math.min(...off) - 1) * 100,
  };
  console.log(
    `${label}: off ${result.offMedianMs.toFixed(3)} ms, on ${result.onMedianMs.toFixed(3)} ms (medians) → overhead ${result.overheadPercent.toFixed(2)} % ` +
      `(paired median; ratio of medians ${result.medianRatioOverheadPercent.toFixed(2)} %, of minimums ${result.minRatioOverheadPercent.toFixed(2)} %)`,
  );
  return result;
}

const model = new LTC(INPUTS, new AutoNCP(64, 8, { seed: 22222 }), { seed: 1 });
const B = 64, L = 100;
const input = { data: lcgFill(new Float32Array(B * L * INPUTS), 1, -1, 1), shape: [B, L, INPUTS] };
const timespans = { data: lcgFill(new Float32Array(B * L), 2, 0.5, 1.5), shape: [B, L] };
for (let i = 0; i < 3; i++) model.forward(input, { timespans }); // warm-up

const forward = pairs(() => void model.forward(input, { timespans }), 'LTC forward (B 64, L 100)');
const x = { data: lcgFill(new Float32Array(INPUTS), 3, -1, 1), shape: [INPUTS] };
let state = model.step(x).state;
const STEPS = 2000;
const step = pairs(() => {
  for (let i = 0; i < STEPS; i++) state = model.step(x, state, 0.7).state;
}, `LTC step (B 1) × ${STEPS}`);

const recordNs = ((step.onMinMs - step.offMinMs) / STEPS) * 1e6;
console.log(`recording one call costs about ${recordNs.toFixed(0)} ns (from the step minimums)`);

const info = backendInfo();
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, platform: info.platform, simd: info.simdLevel, threads: info.numThreads, node: info.nodeVersion };
const here = fileURLToPath(new URL('.', import.meta.url));
mkdirSync(`${here}results`, { recursive: true });
const load = loadavg()[0];
writeFileSync(`${here}results/profile.json`, JSON.stringify({ date: new Date().toISOString(), machine, loadAverage1m: load, forward, step, recordNsPerCall: recordNs }, null, 2));
const pct = (x: number) => `${x.toFixed(2)} %`;
const row = (r: typeof forward) =>
  `| ${r.label} | ${r.repetitions} | ${r.offMedianMs.toFixed(3)} ms | ${r.onMedianMs.toFixed(3)} ms | **${pct(r.overheadPercent)}** | ${pct(r.medianRatioOverheadPercent)} | ${pct(r.minRatioOverheadPercent)} |`;
const md = [
  `# Profiling overhead (${new Date().toISOString().slice(0, 10)})`,
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.platform}, SIMD ${machine.simd}, ${machine.threads} threads, Node ${machine.node}; 1-minute load average at the end ${load.toFixed(2)}.`,
  'Model: LTC on AutoNCP(64, 8, seed 22222), 16 inputs, float32, per-step timespans. Off and on alternate; medians.',
  'With profiling off the runner pays one relaxed atomic load per call; on, two clock reads, the work formula and one locked append.',
  '',
  '| case | repetitions | off (median) | on (median) | overhead (paired median) | ratio of medians | ratio of minimums |',
  '|---|---:|---:|---:|---:|---:|---:|',
  row(forward),
  row(step),
  '',
  `Recording one call costs about ${recordNs.toFixed(0)} ns (step minimums, on − off, per call).`,
  '',
  `Goal: under 5 % on the (64, 100) forward — ${forward.overheadPercent < 5 ? 'met' : 'NOT met'} (${pct(forward.overheadPercent)}).`,
  '',
].join('\n');
writeFileSync(`${here}results/profile.md`, md);
console.log(`\nprofiling overhead on the (64, 100) LTC forward: ${pct(forward.overheadPercent)} (median of paired ratios over ${repetitions} repetitions)`);
console.log(`written: bench/results/profile.json, bench/results/profile.md`);
