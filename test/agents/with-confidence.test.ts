import { describe, expect, it } from 'vitest';
import { UnknownCallError, withConfidence } from '../../src/agents/index.js';
import { newPolicy } from './slice.js';

describe('withConfidence', () => {
  it('returns { value, confidence, callId } with the calibrated probability, and report() feeds the policy', async () => {
    const policy = newPolicy({ featureSize: 1 });
    const answer = withConfidence(async (q: string) => ({ value: q.toUpperCase(), confidence: 0.9 }), policy, { agentId: 'upper', features: (q) => [q.length] });
    const r = await answer('abc');
    expect(r.value).toBe('ABC');
    expect(r.rawConfidence).toBe(0.9);
    expect(r.confidence).toBeGreaterThan(0);
    expect(r.confidence).toBeLessThan(1);
    answer.report(r.callId, false);
    expect(policy.metrics().outcomes).toBe(1);
    expect(() => answer.report(r.callId, true)).toThrow(UnknownCallError);
  });

  it('takes a bare value with the confidence from options (or 0.5), and learns that the agent is overconfident', async () => {
    const policy = newPolicy({ featureSize: 0, learnBatch: 8 });
    const agent = withConfidence(async (x: number) => x * 2, policy, { agentId: 'doubler', confidence: 0.95 });
    let first = 0, lateSum = 0, seed = 7;
    for (let i = 0; i < 300; i++) {
      const r = await agent(i);
      expect(r.value).toBe(2 * i);
      if (i === 0) first = r.confidence;
      if (i >= 250) lateSum += r.confidence;
      seed = (seed * 1103515245 + 12345) >>> 0;
      agent.report(r.callId, seed >>> 31 === 1); // right half the time (pseudo-random), whatever it claims
    }
    expect(first).toBeGreaterThan(0.8);
    expect(Math.abs(lateSum / 50 - 0.5)).toBeLessThan(0.15);
    const plain = withConfidence(async () => 'x', policy, { agentId: 'plain' });
    expect((await plain()).rawConfidence).toBe(0.5);
  });

  it('refuses a missing agentId', () => {
    expect(() => withConfidence(async () => 1, newPolicy(), {} as { agentId: string })).toThrow(TypeError);
  });
});
