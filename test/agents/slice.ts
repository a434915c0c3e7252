/** A small real stream for the agents tests: flights-20k.json through the benchmark's stream builder. */
import { fileURLToPath } from 'node:url';
import { buildStream, readFlightsJson, type AgentStream } from '../../bench/agents/stream.js';
import { ConfidencePolicy, type ConfidencePolicyOptions } from '../../src/agents/index.js';

let cached: AgentStream | undefined;

export function flightsSlice(): AgentStream {
  cached ??= buildStream(readFlightsJson(fileURLToPath(new URL('../../node_modules/vega-datasets/data/flights-20k.json', import.meta.url))));
  return cached;
}

export function newPolicy(options: Partial<ConfidencePolicyOptions> = {}): ConfidencePolicy {
  return new ConfidencePolicy({ featureSize: 3, seed: 1, deterministic: true, learnBatch: 32, ...options });
}

export function callOf(s: AgentStream, j: number): { agentId: string; time: number; confidence: number; features: number[] } {
  return { agentId: s.airports[s.agent[j]], time: s.time[j], confidence: s.confidence[j], features: Array.from(s.features.subarray(3 * j, 3 * j + 3)) };
}

/**
 * Scores calls [from, to) in order and delivers each outcome `lag` calls later, in reverse order within each
 * block of `lag` (out of order on purpose). Returns the probabilities and the callIds.
 */
export function replaySlice(policy: ConfidencePolicy, s: AgentStream, from: number, to: number, lag = 7): { p: number[]; ids: number[] } {
  const p: number[] = [], ids: number[] = [];
  const waiting: number[] = [];
  for (let j = from; j < to; j++) {
    const r = policy.score(callOf(s, j));
    p.push(r.probability);
    ids.push(r.callId);
    waiting.push(j);
    if (waiting.length === lag) {
      while (waiting.length) {
        const k = waiting.pop()!;
        policy.observe(ids[k - from], s.outcome[k] === 1);
      }
    }
  }
  while (waiting.length) {
    const k = waiting.pop()!;
    policy.observe(ids[k - from], s.outcome[k]);
  }
  return { p, ids };
}
