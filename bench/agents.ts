/**
 * The agents benchmark (issue 13, docs/agents.md): flights-3m.parquet replayed as a stream of agent calls, every
 * baseline and the NCP confidence policy in the same run, prequential (score, then learn on reveal), one pass.
 *   npm run bench:agents [-- --calls N] [--seeds K]
 * Writes bench/results/agents.json and bench/results/agents.md. `-- --render` only re-judges the goals and
 * re-renders agents.md from agents.json (after a change to bench/agents/render.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as baselines from './agents/baselines.js';
import { ncpPolicy } from './agents/policy-forecaster.js';
import { replay, type Forecaster } from './agents/replay.js';
import { figures, indexStream, type Figures } from './agents/report.js';
import { batchThroughput, scoreLatency } from './agents/speed.js';
import { buildStream } from './agents/stream.js';
import { readFlightsParquet } from './agents/parquet.js';
import { renderMarkdown, judgeGoals } from './agents/render.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}bench/results`;
if (process.argv.includes('--render')) {
  const saved = JSON.parse(readFileSync(`${out}/agents.json`, 'utf8'));
  saved.goals = judgeGoals(saved.policies, saved.baselines, saved.latency, saved.throughput);
  writeFileSync(`${out}/agents.json`, JSON.stringify(saved, null, 2) + '\n');
  writeFileSync(`${out}/agents.md`, renderMarkdown(saved));
  console.log('re-rendered bench/results/agents.md');
  process.exit(0);
}
const t0 = performance.now();
const rows = await readFlightsParquet(`${root}node_modules/vega-datasets/data/flights-3m.parquet`);
const stream = buildStream(rows);
const count = Math.min(arg('calls', Infinity), stream.time.length);
const seeds = arg('seeds', 3);
const loadSeconds = (performance.now() - t0) / 1000;
console.log(`stream: ${count} calls of ${stream.airports.length} agents (${stream.fitCalls} fitting calls) in ${loadSeconds.toFixed(1)} s`);
const index = indexStream(stream, count);

async function run(f: Forecaster): Promise<Figures> {
  const t = performance.now();
  const p = await replay(stream, f, count);
  const seconds = (performance.now() - t) / 1000;
  const r = figures(f.name, seconds, p, stream, index);
  console.log(`${f.name.padEnd(42)} log loss ${r.logLoss.toFixed(4)}  Brier ${r.brier.toFixed(4)}  AUROC ${r.auroc.toFixed(4)}  ECE ${r.ece.toFixed(4)}  ${seconds.toFixed(1)} s`);
  return r;
}

const results: Figures[] = [];
for (const make of [baselines.raw, baselines.globalPlatt, baselines.perAgentPlatt, baselines.windowedBinning, baselines.calibeating, baselines.parallaxRule, baselines.eventCountMemory, baselines.eventCountMemoryWithOutputStage]) {
  results.push(await run(make(stream)));
}
const policies: Figures[] = [];
for (let seed = 1; seed <= seeds; seed++) policies.push(await run(ncpPolicy(stream, { seed }, `NCP policy (seed ${seed})`)));
const latency = scoreLatency(stream);
console.log(`score(): p50 ${latency.p50Us.toFixed(1)} µs, p99 ${latency.p99Us.toFixed(1)} µs`);
const throughput = batchThroughput();
console.log(`scoreBatch(): ${Math.round(throughput.callsPerSecond)} calls/s with ${throughput.agents} agents`);

const goals = judgeGoals(policies, results, latency, throughput);
const report = { date: new Date().toISOString(), calls: count, agents: stream.airports.length, loadSeconds, baselines: results, policies, latency, throughput, goals };
mkdirSync(out, { recursive: true });
writeFileSync(`${out}/agents.json`, JSON.stringify(report, null, 2) + '\n');
writeFileSync(`${out}/agents.md`, renderMarkdown(report));
console.log(`wrote bench/results/agents.{json,md}`);
