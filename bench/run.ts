/**
 * `npm run bench [-- case-id …]`: runs each kernel case in a fresh process (so peak RSS is per case), prints
 * progress and a Markdown table, and writes bench/results/kernels.json and kernels.md (kernels-partial.* when
 * only some cases are named, so a quick check never overwrites the full record).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { backendInfo, calibrate } from '../src/index.js';
import { CASES, NCPS_GOALS, PEAK_RSS_GOAL } from './cases.js';
import { fmtBytes, fmtRate, fmtSeconds } from './common.js';

interface CaseResult {
  id: string;
  kind: string;
  batch: number;
  steps: number;
  native: { medianSeconds: number; sampleStepsPerSecond: number; peakRssBytes: number; trialMedianSeconds: number[]; flopsPerCall: number };
  reference: { batch: number; medianSeconds: number; sampleStepsPerSecond: number };
  speedupVsReference: number;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const selected = process.argv.slice(2);
const cases = selected.length ? CASES.filter((c) => selected.includes(c.id)) : CASES;
const results: CaseResult[] = [];
const started = Date.now();
// The machine's measured FMA peak, the ceiling the FLOP rates are set against (calibrate(): a few seconds).
process.stdout.write('calibrating (FMA peak, memory bandwidth) … ');
const ceilings = await calibrate({ remeasure: true });
console.log(`${(ceilings.fmaFlopsPerSecondOneThread / 1e9).toFixed(0)} GFLOP/s on one thread, ${(ceilings.fmaFlopsPerSecond / 1e9).toFixed(0)} on ${ceilings.threads}`);
cases.forEach((c, i) => {
  process.stdout.write(`[${i + 1}/${cases.length}] ${c.id} … `);
  const out = execFileSync(process.execPath, ['--import', 'tsx', `${here}kernel-case.ts`, c.id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const r = JSON.parse(out.trim().split('\n').pop()!) as CaseResult;
  results.push(r);
  console.log(`${fmtSeconds(r.native.medianSeconds)} (${fmtRate(r.native.sampleStepsPerSecond)} sample-steps/s, ${r.speedupVsReference.toFixed(0)}× the TS reference)`);
});

const info = backendInfo();
// A call of batch B runs on min(B, threads) threads (the runner splits the batch), so its ceiling is that many
// threads' share of the FMA peak.
const peakFor = (batch: number) => (batch <= 1 ? ceilings.fmaFlopsPerSecondOneThread : (ceilings.fmaFlopsPerSecond * Math.min(batch, info.numThreads)) / ceilings.threads);
const gflops = (r: CaseResult) => r.native.flopsPerCall / r.native.medianSeconds / 1e9;
const ofPeak = (r: CaseResult) => ((gflops(r) * 1e9) / peakFor(r.batch)) * 100;
const goals = NCPS_GOALS.flatMap((g) => {
  const r = results.find((x) => x.id === g.id);
  if (!r) return [];
  const speedup = g.ncpsSeconds / r.native.medianSeconds;
  const slowestTrial = Math.max(...r.native.trialMedianSeconds);
  return [{ id: g.id, ncpsSeconds: g.ncpsSeconds, ourSeconds: r.native.medianSeconds, speedup, slowestTrialSpeedup: g.ncpsSeconds / slowestTrial, goal: g.minSpeedup, met: speedup >= g.minSpeedup, note: g.note }];
});
const rssCase = results.find((x) => x.id === PEAK_RSS_GOAL.id);
const rssGoal = rssCase ? { id: PEAK_RSS_GOAL.id, peakRssBytes: rssCase.native.peakRssBytes, maxBytes: PEAK_RSS_GOAL.maxBytes, met: rssCase.native.peakRssBytes < PEAK_RSS_GOAL.maxBytes, note: PEAK_RSS_GOAL.note } : undefined;

const machine = { cpu: cpus()[0]?.model, cores: cpus().length, platform: info.platform, simd: info.simdLevel, threads: info.numThreads, node: info.nodeVersion };
const lines = [
  `# Kernel benchmark (${new Date().toISOString().slice(0, 10)})`,
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.platform}, SIMD ${machine.simd}, ${machine.threads} threads, Node ${machine.node}.`,
  'Models: LTC and wired CfC on AutoNCP(64, 8, seed 22222), 16 inputs, float32, per-step timespans.',
  'Native median: the median of several separate tinybench trials (7 of 300 ms for a single step, else 3 of 500 ms); "trials" is the range of',
  'their medians, which shows how much the machine drifted during the case.',
  'The TypeScript reference is measured in the same run (on a batch of at most 4, or 2 for forward+backward; ratios are per sample-step).',
  `GFLOP/s: the work model of docs/monitoring.md (existing synapses only) over the median; "of peak" sets it against this run's calibrate() FMA peak (${(ceilings.fmaFlopsPerSecondOneThread / 1e9).toFixed(0)} GFLOP/s per thread) for the threads the call runs on.`,
  '',
  '| case | B | L | median | trials | sample-steps/s | GFLOP/s | of peak | peak RSS | TS reference sample-steps/s | native / reference |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.id} | ${r.batch} | ${r.steps} | ${fmtSeconds(r.native.medianSeconds)} | ${fmtSeconds(Math.min(...r.native.trialMedianSeconds))} – ${fmtSeconds(Math.max(...r.native.trialMedianSeconds))} | ${fmtRate(r.native.sampleStepsPerSecond)} | ${gflops(r).toFixed(1)} | ${ofPeak(r).toFixed(1)} % | ${fmtBytes(r.native.peakRssBytes)} | ${fmtRate(r.reference.sampleStepsPerSecond)} | ${r.speedupVsReference.toFixed(0)}× |`),
  '',
  '## Against ncps 1.0.1 (PyTorch CPU, 2 threads; medians from issue #3, measured on a machine like this one)',
  '',
  'Speed-up from the median of the trials; the slowest trial alone is shown beside it.',
  '',
  '| case | ncps | ncp-silicon | speed-up | slowest trial | goal | met |',
  '|---|---:|---:|---:|---:|---:|:---:|',
  ...goals.map((g) => `| ${g.id} | ${fmtSeconds(g.ncpsSeconds)} | ${fmtSeconds(g.ourSeconds)} | ${g.speedup.toFixed(0)}× | ${g.slowestTrialSpeedup.toFixed(0)}× | ≥ ${g.goal}× | ${g.met ? 'yes' : 'NO'} |`),
  ...(rssGoal ? [`| ${rssGoal.id} peak RSS | 18.4 GiB | ${fmtBytes(rssGoal.peakRssBytes)} | | | < 256 MiB | ${rssGoal.met ? 'yes' : 'NO'} |`] : []),
  '',
  `Total time ${((Date.now() - started) / 1000).toFixed(0)} s.`,
];
const markdown = lines.join('\n');
console.log(`\n${markdown}`);
mkdirSync(`${here}results`, { recursive: true });
// A run of selected cases is written beside the full record, never over it.
const stem = selected.length ? 'kernels-partial' : 'kernels';
writeFileSync(`${here}results/${stem}.json`, JSON.stringify({ date: new Date().toISOString(), machine, ceilings, results, goals, peakRss: rssGoal }, null, 2));
writeFileSync(`${here}results/${stem}.md`, `${markdown}\n`);
console.log(`\nwrote bench/results/${stem}.json and bench/results/${stem}.md`);
