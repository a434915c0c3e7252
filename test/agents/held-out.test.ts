/**
 * A stream built differently from the flights one: synthetic agents whose hidden success logit drifts as a
 * random walk in clock time, each reporting an over- or under-confident raw confidence (its own slope and
 * offset), calling at irregular times (exponential gaps with per-agent rates), with outcomes revealed after
 * random delays. Replayed through score/observe/idle with default options, the policy must beat global online
 * Platt by at least 5 % on log loss and keep equal-mass ECE ≤ 0.01 (issue 13's acceptance for held-out streams).
 */
import { describe, expect, it } from 'vitest';
import { ConfidencePolicy } from '../../src/agents/index.js';
import { OnlineLogistic, sigmoid } from '../../src/agents/online-logistic.js';
import { equalMassEce, logLoss } from '../../bench/agents/metrics.js';

const MINUTE = 60_000;

function makeStream(seed: number, agents = 40, calls = 30_000) {
  let s = seed >>> 0;
  const rand = (): number => { s = (s * 1664525 + 1013904223) >>> 0; return (s + 0.5) / 4294967296; };
  const normal = (): number => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
  const rate = Array.from({ length: agents }, () => 0.2 + 3 * rand()); // calls per hour
  const slope = Array.from({ length: agents }, () => 0.6 + 1.2 * rand());
  const offset = Array.from({ length: agents }, () => 1.2 * normal());
  const drift = new Float64Array(agents);
  const next = Array.from({ length: agents }, () => rand() * 60 * MINUTE);
  const last = new Float64Array(agents);
  const out = { agent: new Int32Array(calls), time: new Float64Array(calls), confidence: new Float64Array(calls), feature: new Float64Array(calls), outcome: new Uint8Array(calls), reveal: new Float64Array(calls) };
  for (let j = 0; j < calls; j++) {
    let a = 0;
    for (let k = 1; k < agents; k++) if (next[k] < next[a]) a = k;
    const t = next[a];
    const hours = (t - last[a]) / (60 * MINUTE);
    drift[a] = drift[a] * Math.exp(-hours / 48) + Math.sqrt(Math.min(hours, 48) / 24) * 0.6 * normal(); // mean-reverting walk in clock time
    last[a] = t;
    const context = normal();
    const truth = 0.8 * context - 0.3 + drift[a];
    out.agent[j] = a;
    out.time[j] = t;
    out.feature[j] = context;
    out.confidence[j] = sigmoid(slope[a] * (0.8 * context - 0.3) + offset[a]);
    out.outcome[j] = rand() < sigmoid(truth) ? 1 : 0;
    out.reveal[j] = t + (5 + 120 * rand()) * MINUTE;
    next[a] = t + (-Math.log(rand()) / rate[a]) * 60 * MINUTE;
  }
  return out;
}

async function replayBoth(seed: number): Promise<{ policy: Float64Array; platt: Float64Array; y: Uint8Array }> {
  const st = makeStream(seed);
  const n = st.time.length;
  const policy = new ConfidencePolicy({ featureSize: 1 });
  const platt = new OnlineLogistic(2, { forgetting: 0.9999, prior: 1, initial: [1, 0] });
  const row = (j: number): number[] => [Math.log(st.confidence[j] / (1 - st.confidence[j])), 1];
  const pPolicy = new Float64Array(n), pPlatt = new Float64Array(n), ids = new Float64Array(n);
  const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => st.reveal[a] - st.reveal[b] || a - b);
  let revealed = 0;
  for (let j = 0; j < n; j++) {
    while (revealed < n && st.reveal[order[revealed]] <= st.time[j]) {
      const k = order[revealed++];
      policy.observe(ids[k], st.outcome[k] === 1);
      platt.update(row(k), st.outcome[k]);
    }
    const r = policy.score({ agentId: `agent-${st.agent[j]}`, time: st.time[j], confidence: st.confidence[j], features: [st.feature[j]] });
    ids[j] = r.callId;
    pPolicy[j] = r.probability;
    pPlatt[j] = sigmoid(platt.logit(row(j)));
    if (j % 1000 === 999) await policy.idle();
  }
  return { policy: pPolicy, platt: pPlatt, y: st.outcome };
}

describe('held-out synthetic stream (default options)', () => {
  it.each([11, 12])('seed %i: ≥ 5 % better log loss than global online Platt, ECE ≤ 0.01', async (seed) => {
    const { policy, platt, y } = await replayBoth(seed);
    const ours = logLoss(policy, y), theirs = logLoss(platt, y);
    expect(ours).toBeLessThanOrEqual(0.95 * theirs);
    expect(equalMassEce(policy, y, 15)).toBeLessThanOrEqual(0.01);
  }, 120_000);
});
