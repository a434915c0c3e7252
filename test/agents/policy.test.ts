import { describe, expect, it } from 'vitest';
import { ConfidencePolicy, UnknownCallError } from '../../src/agents/index.js';
import { logLoss } from '../../bench/agents/metrics.js';
import { callOf, flightsSlice, newPolicy, replaySlice } from './slice.js';

const N = 3000;

describe('ConfidencePolicy on a flights slice', () => {
  const s = flightsSlice();

  it('takes delayed, out-of-order outcomes, each once, and learns from them', () => {
    const policy = newPolicy();
    const { p, ids } = replaySlice(policy, s, 0, N);
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
    expect(new Set(ids).size).toBe(N);
    const m = policy.metrics();
    expect(m.outcomes).toBe(N);
    expect(m.calls).toBe(N);
    expect(policy.learner.steps).toBeGreaterThan(0);
    expect(() => policy.observe(ids[0], true)).toThrow(UnknownCallError);
    // Learning helped: the policy's log loss on this slice is below the agents' own confidence.
    const y = s.outcome.subarray(0, N);
    expect(logLoss(p, y)).toBeLessThan(logLoss(s.confidence.subarray(0, N), y));
    expect(m.logLoss).toBeCloseTo(logLoss(p, y), 10);
  });

  it('deterministic mode: same seed and same call/outcome order give the same probabilities', () => {
    const a = replaySlice(newPolicy(), s, 0, 1500).p;
    const b = replaySlice(newPolicy(), s, 0, 1500).p;
    expect(b).toEqual(a);
    const c = replaySlice(newPolicy({ seed: 2 }), s, 0, 1500).p;
    expect(c).not.toEqual(a);
  });

  it('the first call of an agent starts from the learned initial state, later calls from that agent\'s own state', () => {
    const policy = newPolicy();
    replaySlice(policy, s, 0, 2000);
    expect(policy.h0.some((v) => v !== 0)).toBe(true); // h0 was trained
    const first = policy.score({ agentId: 'NEW', time: s.time[2000], confidence: 0.3, features: [0.5, 0.1, 0] });
    const state = policy.agentState('NEW')!;
    expect(state.calls).toBe(1);
    const twin = newPolicy();
    replaySlice(twin, s, 0, 2000);
    twin.h0.fill(0);
    const other = twin.score({ agentId: 'NEW', time: s.time[2000], confidence: 0.3, features: [0.5, 0.1, 0] });
    expect(other.probability).not.toBe(first.probability);
  });

  it('accepts a Date as time and 0/1 as outcomes', () => {
    const policy = newPolicy();
    const r = policy.score({ ...callOf(s, 0), time: new Date(s.time[0]) });
    policy.observe(r.callId, 1);
    expect(policy.metrics().outcomes).toBe(1);
  });

  it('idle() resolves once queued learning is applied; score() never waits for it (async mode)', async () => {
    const policy = newPolicy({ deterministic: false, learnBatch: 16 });
    const ids: number[] = [];
    for (let j = 0; j < 200; j++) ids.push(policy.score(callOf(s, j)).callId);
    for (let j = 0; j < 200; j++) policy.observe(ids[j], s.outcome[j]);
    expect(policy.learner.queued).toBeGreaterThan(0); // the learner has not caught up synchronously
    const during = policy.score(callOf(s, 200)); // scores while the learner works
    expect(during.probability).toBeGreaterThan(0);
    await policy.idle();
    expect(policy.learner.queued).toBe(0);
    expect(policy.learner.steps).toBe(Math.ceil(200 / 16));
    await policy.idle(); // nothing queued: resolves at once
  });

  it('scoreBatch equals score call by call (also with an agent twice in one batch)', () => {
    const calls = Array.from({ length: 300 }, (_, j) => callOf(s, j));
    const one = newPolicy();
    const single = calls.map((c) => one.score(c));
    const batched = newPolicy().scoreBatch(calls);
    expect(batched.map((r) => r.callId)).toEqual(single.map((r) => r.callId));
    batched.forEach((r, i) => expect(r.probability).toBeCloseTo(single[i].probability, 5));
  });

  it('metrics({ format: "prometheus" }) is the text exposition format', () => {
    const policy = newPolicy();
    replaySlice(policy, s, 0, 500);
    const text = policy.metrics({ format: 'prometheus' });
    expect(text).toMatch(/^# HELP ncp_policy_calls_total /m);
    expect(text).toMatch(/^ncp_policy_outcomes_total 500$/m);
    expect(text).toMatch(/^ncp_policy_agent_log_loss\{agent="[A-Z]{3}"\} [0-9.]+$/m);
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[a-z]+="[^"]*"\})? (NaN|-?[0-9.e+-]+))$/);
  });

  it('is exported from the package root', async () => {
    const root = await import('../../src/index.js');
    expect(root.ConfidencePolicy).toBe(ConfidencePolicy);
  });
});
