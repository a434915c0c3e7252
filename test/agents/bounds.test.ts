/** Bounded memory: agent cap with LRU eviction, pending cap, expiry, and what memory() counts. */
import { describe, expect, it } from 'vitest';
import { UnknownCallError } from '../../src/agents/index.js';
import { newPolicy } from './slice.js';

const HOUR = 3_600_000;
const call = (agentId: string, time: number, confidence = 0.6) => ({ agentId, time, confidence, features: [0.1, 0.2, 0.3] });

describe('ConfidencePolicy bounds', () => {
  it('tracks at most maxAgents, evicting the least recently scored', () => {
    const policy = newPolicy({ maxAgents: 5 });
    for (let i = 0; i < 5; i++) policy.score(call(`a${i}`, i * HOUR));
    policy.score(call('a0', 10 * HOUR)); // a0 is now the most recently used; a1 the least
    policy.score(call('new', 11 * HOUR));
    expect(policy.agentState('a1')).toBeUndefined();
    expect(policy.agentState('a0')).toBeDefined();
    for (let i = 0; i < 50; i++) policy.score(call(`b${i}`, (20 + i) * HOUR));
    const m = policy.memory();
    expect(m.agents).toBe(5);
    expect(policy.metrics().evictedAgents).toBe(51);
    expect(m.bytes).toBeLessThanOrEqual(5 * m.bytesPerAgent + m.pendingCalls * m.bytesPerPendingCall + 64 * 1024);
  });

  it('an outcome for an evicted agent updates the shared parts but never the agent that took its slot', () => {
    const policy = newPolicy({ maxAgents: 1 });
    const old = policy.score(call('old', 0)).callId;
    policy.score(call('new', HOUR)); // evicts 'old'; 'new' gets its slot
    const before = policy.agentState('new')!;
    policy.observe(old, true);
    const after = policy.agentState('new')!;
    expect(after.bias).toBe(before.bias);
    expect(policy.metrics().agents.new.outcomes).toBe(0);
    expect(policy.metrics().outcomes).toBe(1);
  });

  it('keeps at most maxPending calls, dropping the oldest', () => {
    const policy = newPolicy({ maxPending: 10 });
    const ids = Array.from({ length: 25 }, (_, i) => policy.score(call('a', i * 1000)).callId);
    expect(policy.memory().pendingCalls).toBe(10);
    expect(policy.metrics().droppedCalls).toBe(15);
    expect(() => policy.observe(ids[0], true)).toThrow(UnknownCallError);
    policy.observe(ids[24], true);
  });

  it('expires pending calls older than pendingTtlMs on the policy clock', () => {
    const policy = newPolicy({ pendingTtlMs: 2 * HOUR });
    const early = policy.score(call('a', 0)).callId;
    const mid = policy.score(call('b', HOUR)).callId;
    policy.score(call('c', 2.5 * HOUR));
    expect(() => policy.observe(early, true)).toThrow(UnknownCallError);
    policy.observe(mid, false);
    expect(policy.metrics().expiredCalls).toBe(1);
  });

  it('grows its slabs with use, not up front', () => {
    const policy = newPolicy({ maxAgents: 100_000 });
    const small = policy.memory().bytes;
    expect(small).toBeLessThan(1_000_000);
    for (let i = 0; i < 1000; i++) policy.score(call(`a${i}`, i));
    const m = policy.memory();
    expect(m.bytes).toBeGreaterThan(small);
    expect(m.bytes).toBeLessThan(small + 2 * 1024 * m.bytesPerAgent + 2 * 1024 * m.bytesPerPendingCall);
  });
});
