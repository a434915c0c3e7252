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
import { driftStream } from '../../bench/agents/heldout/synthetic.js';

/** The drift stream of the held-out benchmark (bench/agents/heldout/synthetic.ts), smaller: 40 agents, 30 000 calls. */
function makeStream(seed: number) {
  const s = driftStream(seed, 40, 30_000);
  return { agent: s.agent, time: s.time, confidence: s.confidence, feature: s.features, outcome: s.outcome, reveal: s.revealTime };
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
