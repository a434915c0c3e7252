/**
 * Held-out streams for the agents policy (issue 13's acceptance, docs/agents.md): streams built unlike the
 * flights benchmark's, each replayed prequentially through score/observe/idle with DEFAULT options (learning
 * off the main thread; the replay awaits idle() every 1,000 calls), beside global online Platt on the same calls.
 * Passes when the policy's log loss is ≥ 5 % below Platt's and its equal-mass ECE (15 bins) ≤ 0.01.
 *   npm run bench:agents:heldout [-- --only drift-303,football]
 * Writes bench/results/agents-heldout.{json,md}. Streams marked "development" were used to choose the output
 * calibration stage (with the flights benchmark); the others were first replayed after that choice.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as baselines from './agents/baselines.js';
import { heldOutPolicy } from './agents/heldout/forecaster.js';
import { renderHeldOut, type HeldOutRow } from './agents/heldout/render.js';
import { driftStream, regimeStream } from './agents/heldout/synthetic.js';
import { footballStream } from './agents/heldout/football.js';
import { flightsDestinationStream } from './agents/heldout/flights-destination.js';
import { calibratedEce, equalMassEce, logLoss } from './agents/metrics.js';
import { replay, type Forecaster } from './agents/replay.js';
import type { AgentStream } from './agents/stream.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const data = `${root}node_modules/vega-datasets/data`;
const STREAMS: { name: string; development: boolean; describe: string; build: () => AgentStream | Promise<AgentStream> }[] = [
  { name: 'drift-101', development: true, describe: 'synthetic: 100 agents, success logit drifting in clock time, irregular calls, 1 feature', build: () => driftStream(101) },
  { name: 'regimes-202', development: true, describe: 'synthetic: 300 agents switching reliability regimes, bursty calls, log-normal reveal delays, 2 features', build: () => regimeStream(202) },
  { name: 'drift-303', development: false, describe: 'as drift-101, another seed', build: () => driftStream(303) },
  { name: 'regimes-404', development: false, describe: 'as regimes-202, another seed', build: () => regimeStream(404) },
  { name: 'flights-destination', development: false, describe: 'flights-3m by destination airport, delay > 30 min, fitted 1 Jan – 7 Feb, replayed 8 Feb – 30 Apr', build: () => flightsDestinationStream(`${data}/flights-3m.parquet`) },
  { name: 'football', development: false, describe: 'football.json: home team forecasts its home win, strengths frozen after 2013/14', build: () => footballStream(`${data}/football.json`) },
];

const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? new Set(process.argv[onlyAt + 1].split(',')) : undefined;

async function evaluate(s: AgentStream, f: Forecaster, onReveal?: () => Promise<void>) {
  const t = performance.now();
  const p = await replay(s, f, s.time.length, onReveal);
  const y = s.outcome;
  return { logLoss: logLoss(p, y), ece: equalMassEce(p, y), calibratedEce: calibratedEce(p), seconds: (performance.now() - t) / 1000 };
}

const rows: HeldOutRow[] = [];
for (const spec of STREAMS) {
  if (only && !only.has(spec.name)) continue;
  const s = await spec.build();
  const platt = await evaluate(s, baselines.globalPlatt(s));
  const withStage = heldOutPolicy(s, {});
  const policy = await evaluate(s, withStage, withStage.yieldEvery(1000));
  const without = heldOutPolicy(s, { outputCalibration: false });
  const ablation = await evaluate(s, without, without.yieldEvery(1000));
  const row: HeldOutRow = {
    stream: spec.name, development: spec.development, describe: spec.describe, calls: s.time.length, agents: s.airports.length,
    platt, policy, withoutOutputCalibration: ablation,
    improvement: 1 - policy.logLoss / platt.logLoss,
    passes: { logLoss: policy.logLoss <= 0.95 * platt.logLoss, ece: policy.ece <= 0.01 },
  };
  rows.push(row);
  console.log(`${spec.name.padEnd(20)} ${row.calls} calls  Platt ${platt.logLoss.toFixed(4)} / ECE ${platt.ece.toFixed(4)}  policy ${policy.logLoss.toFixed(4)} / ECE ${policy.ece.toFixed(4)} (calibrated ${policy.calibratedEce.toFixed(4)}) ${(100 * row.improvement).toFixed(1)} %  without output stage ${ablation.logLoss.toFixed(4)} / ${ablation.ece.toFixed(4)}`);
}
const out = `${root}bench/results`;
mkdirSync(out, { recursive: true });
const report = { date: new Date().toISOString(), rows };
if (!only) {
  writeFileSync(`${out}/agents-heldout.json`, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(`${out}/agents-heldout.md`, renderHeldOut(report));
  console.log('wrote bench/results/agents-heldout.{json,md}');
}
