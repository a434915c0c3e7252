/**
 * Two synthetic held-out streams for the agents benchmark, built unlike the flights stream (docs/agents.md):
 *
 * - `drift`: agents whose true success logit drifts as a mean-reverting random walk in clock time, each reporting
 *   an over- or under-confident raw confidence (its own slope and offset), calling at irregular times (exponential
 *   gaps, per-agent rates), outcomes revealed 5–125 minutes later. One context feature.
 * - `regimes`: agents whose reliability switches between regimes at random times (well calibrated, overconfident,
 *   broken: confidence unrelated to success), calling in bursts (sessions of calls minutes apart, hours to days
 *   between sessions), outcomes revealed after log-normal delays (median 20 minutes, capped at two days). Two features: task
 *   difficulty (which the agent's confidence under-weights) and a domain flag.
 *
 * Deterministic per seed (a 32-bit LCG), no package imports.
 */
import type { AgentStream } from '../stream.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function rng(seed: number): { rand: () => number; normal: () => number } {
  let s = seed >>> 0;
  const rand = (): number => { s = (s * 1664525 + 1013904223) >>> 0; return (s + 0.5) / 4294967296; };
  const normal = (): number => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
  return { rand, normal };
}

function emptyStream(agents: number, calls: number, featureSize: number): AgentStream {
  return {
    airports: Array.from({ length: agents }, (_, a) => `agent-${a}`),
    time: new Float64Array(calls), revealTime: new Float64Array(calls), agent: new Int32Array(calls),
    confidence: new Float64Array(calls), features: new Float32Array(calls * featureSize), outcome: new Uint8Array(calls), fitCalls: 0,
  };
}

/** The agent whose next call comes first (linear scan: agent counts here are small). */
function earliest(next: Float64Array): number {
  let a = 0;
  for (let k = 1; k < next.length; k++) if (next[k] < next[a]) a = k;
  return a;
}

export function driftStream(seed: number, agents = 100, calls = 200_000): AgentStream {
  const { rand, normal } = rng(seed);
  const rate = Array.from({ length: agents }, () => 0.2 + 3 * rand()); // calls per hour
  const slope = Array.from({ length: agents }, () => 0.6 + 1.2 * rand());
  const offset = Array.from({ length: agents }, () => 1.2 * normal());
  const drift = new Float64Array(agents), last = new Float64Array(agents);
  const next = Float64Array.from({ length: agents }, () => rand() * HOUR);
  const s = emptyStream(agents, calls, 1);
  for (let j = 0; j < calls; j++) {
    const a = earliest(next), t = next[a];
    const hours = (t - last[a]) / HOUR;
    drift[a] = drift[a] * Math.exp(-hours / 48) + Math.sqrt(Math.min(hours, 48) / 24) * 0.6 * normal();
    last[a] = t;
    const context = normal();
    s.agent[j] = a; s.time[j] = t; s.features[j] = context;
    s.confidence[j] = sigmoid(slope[a] * (0.8 * context - 0.3) + offset[a]);
    s.outcome[j] = rand() < sigmoid(0.8 * context - 0.3 + drift[a]) ? 1 : 0;
    s.revealTime[j] = t + (5 + 120 * rand()) * MINUTE;
    next[a] = t + (-Math.log(rand()) / rate[a]) * HOUR;
  }
  return s;
}

const REGIMES = 3; // 0 calibrated, 1 overconfident, 2 broken

export function regimeStream(seed: number, agents = 300, calls = 200_000): AgentStream {
  const { rand, normal } = rng(seed);
  const skill = Array.from({ length: agents }, () => 0.5 * normal()); // the agent's own base success logit
  const regime = Int32Array.from({ length: agents }, () => Math.floor(rand() * REGIMES));
  const switchAt = Float64Array.from({ length: agents }, () => -Math.log(rand()) * 72 * HOUR);
  const sessionLeft = new Int32Array(agents);
  const next = Float64Array.from({ length: agents }, () => rand() * 24 * HOUR);
  const s = emptyStream(agents, calls, 2);
  for (let j = 0; j < calls; j++) {
    const a = earliest(next), t = next[a];
    while (switchAt[a] <= t) { regime[a] = Math.floor(rand() * REGIMES); switchAt[a] += -Math.log(rand()) * 72 * HOUR; }
    const difficulty = normal(), domain = rand() < 0.3 ? 1 : 0;
    const truth = skill[a] - 0.9 * difficulty - 0.6 * domain + (regime[a] === 2 ? -1.2 : 0);
    const own = skill[a] - 0.3 * difficulty; // the agent under-weights difficulty and ignores the domain
    const reported = regime[a] === 0 ? own : regime[a] === 1 ? 2.2 * own + 1.0 : 0.4 * normal() + 1.5;
    s.agent[j] = a; s.time[j] = t;
    s.features[2 * j] = difficulty; s.features[2 * j + 1] = domain;
    s.confidence[j] = sigmoid(reported);
    s.outcome[j] = rand() < sigmoid(truth) ? 1 : 0;
    s.revealTime[j] = t + Math.min(Math.exp(Math.log(20) + 1.5 * normal()), 2 * 24 * 60) * MINUTE; // at most 2 days
    if (sessionLeft[a] > 0) { sessionLeft[a]--; next[a] = t + (1 + 10 * rand()) * MINUTE; }
    else { sessionLeft[a] = Math.floor(rand() * 30); next[a] = t + (1 + 60 * rand() ** 2) * HOUR; }
  }
  return s;
}
