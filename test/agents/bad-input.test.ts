/**
 * Every bad input the issue lists gets a typed error with a code, and leaves the policy unchanged: a twin that
 * never saw the bad input gives the same next probability and callId, and the same saved bytes.
 */
import { describe, expect, it } from 'vitest';
import { AgentTimeError, UnknownCallError, type ConfidencePolicy } from '../../src/agents/index.js';
import { snapshot } from '../../src/agents/persist.js';
import { callOf, flightsSlice, newPolicy, replaySlice } from './slice.js';

const s = flightsSlice();

function primed(): { policy: ConfidencePolicy; open: number } {
  const policy = newPolicy();
  replaySlice(policy, s, 0, 400);
  const open = policy.score(callOf(s, 400)).callId;
  return { policy, open };
}

function fingerprint(policy: ConfidencePolicy): string {
  const { tensors, metadata } = snapshot(policy);
  const parts = Object.entries(tensors).map(([k, t]) => `${k}:${Array.from(t.data as ArrayLike<number>).join(',')}`);
  return JSON.stringify(metadata) + parts.join('|');
}

const agentId = s.airports[s.agent[400]];
const later = s.time[400] + 60_000;
const cases: [string, (p: ConfidencePolicy, open: number) => unknown, { type: Function; code: string }][] = [
  ['unknown callId', (p) => p.observe(987_654, true), { type: UnknownCallError, code: 'NCP_AGENT_UNKNOWN_CALL' }],
  ['callId already observed', (p, open) => { p.observe(open, true); }, { type: UnknownCallError, code: 'NCP_AGENT_UNKNOWN_CALL' }],
  ['non-number callId', (p) => p.observe('7' as unknown as number, true), { type: TypeError, code: 'NCP_INVALID_TYPE' }],
  ['outcome 2', (p, open) => p.observe(open, 2), { type: RangeError, code: 'NCP_INVALID_RANGE' }],
  ['outcome "yes"', (p, open) => p.observe(open, 'yes' as unknown as boolean), { type: TypeError, code: 'NCP_INVALID_TYPE' }],
  ['NaN confidence', (p) => p.score({ agentId, time: later, confidence: NaN, features: [0, 0, 0] }), { type: RangeError, code: 'NCP_INVALID_RANGE' }],
  ['confidence 1.2', (p) => p.score({ agentId, time: later, confidence: 1.2, features: [0, 0, 0] }), { type: RangeError, code: 'NCP_INVALID_RANGE' }],
  ['confidence -0.1', (p) => p.score({ agentId, time: later, confidence: -0.1, features: [0, 0, 0] }), { type: RangeError, code: 'NCP_INVALID_RANGE' }],
  ['string confidence', (p) => p.score({ agentId, time: later, confidence: '0.5' as unknown as number, features: [0, 0, 0] }), { type: TypeError, code: 'NCP_INVALID_TYPE' }],
  ['two features instead of three', (p) => p.score({ agentId, time: later, confidence: 0.5, features: [0, 0] }), { type: RangeError, code: 'NCP_INVALID_RANGE' }],
  ['missing features', (p) => p.score({ agentId, time: later, confidence: 0.5 }), { type: TypeError, code: 'NCP_INVALID_TYPE' }],
  ['a NaN feature', (p) => p.score({ agentId, time: later, confidence: 0.5, features: [0, NaN, 0] }), { type: RangeError, code: 'NCP_INVALID_RANGE' }],
  ['time going backwards', (p) => p.score({ agentId, time: s.time[400] - 1, confidence: 0.5, features: [0, 0, 0] }), { type: AgentTimeError, code: 'NCP_AGENT_TIME_BACKWARDS' }],
  ['NaN time', (p) => p.score({ agentId, time: NaN, confidence: 0.5, features: [0, 0, 0] }), { type: RangeError, code: 'NCP_INVALID_RANGE' }],
  ['invalid Date', (p) => p.score({ agentId, time: new Date('nope'), confidence: 0.5, features: [0, 0, 0] }), { type: RangeError, code: 'NCP_INVALID_RANGE' }],
  ['numeric agentId', (p) => p.score({ agentId: 42 as unknown as string, time: later, confidence: 0.5, features: [0, 0, 0] }), { type: TypeError, code: 'NCP_INVALID_TYPE' }],
  ['empty agentId', (p) => p.score({ agentId: '', time: later, confidence: 0.5, features: [0, 0, 0] }), { type: TypeError, code: 'NCP_INVALID_TYPE' }],
  ['a batch whose 3rd call is bad', (p) => p.scoreBatch([
    { agentId: 'A1', time: later, confidence: 0.5, features: [0, 0, 0] },
    { agentId, time: later, confidence: 0.5, features: [0, 0, 0] },
    { agentId, time: later - 1, confidence: 0.5, features: [0, 0, 0] },
  ]), { type: AgentTimeError, code: 'NCP_AGENT_TIME_BACKWARDS' }],
  ['a batch with a NaN confidence last', (p) => p.scoreBatch([
    { agentId: 'A1', time: later, confidence: 0.5, features: [0, 0, 0] },
    { agentId: 'A2', time: later, confidence: NaN, features: [0, 0, 0] },
  ]), { type: RangeError, code: 'NCP_INVALID_RANGE' }],
];

describe('ConfidencePolicy bad input', () => {
  it.each(cases)('%s: typed error with a code, state unchanged', (_name, act, expected) => {
    const { policy, open } = primed();
    const twin = primed();
    if (_name === 'callId already observed') {
      policy.observe(open, true);
      twin.policy.observe(twin.open, true);
    }
    const before = fingerprint(policy);
    let thrown: unknown;
    try {
      act(policy, open);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(expected.type);
    expect((thrown as { code?: string }).code).toBe(expected.code);
    expect((thrown as Error).message).toMatch(/ConfidencePolicy|callId/);
    expect(fingerprint(policy)).toBe(before);
    const next = { agentId, time: later + 1, confidence: 0.4, features: [0.5, 0.2, 0.1] };
    expect(policy.score(next)).toEqual(twin.policy.score(next));
  });

  it('rejects bad options with typed errors', () => {
    expect(() => newPolicy({ featureSize: -1 })).toThrow(RangeError);
    expect(() => newPolicy({ maxAgents: 0 })).toThrow(RangeError);
    expect(() => newPolicy({ units: 4 })).toThrow(RangeError);
    expect(() => newPolicy({ cell: 'gru' as 'cfc' })).toThrow(RangeError);
    expect(() => newPolicy({ autosave: { path: 'x' } })).toThrow(TypeError);
    expect(() => newPolicy({ bogus: 1 } as object)).toThrow(TypeError);
  });
});
