/** Latency of score() and throughput of scoreBatch(), measured apart from the replay. */
import { ConfidencePolicy } from '../../src/agents/index.js';
import type { AgentStream } from './stream.js';

export interface ScoreLatency { calls: number; p50Us: number; p99Us: number; meanUs: number }
export interface BatchThroughput { agents: number; batches: number; callsPerSecond: number }

/** score() one call at a time on the stream's first calls (after a warm-up), each timed with hrtime. */
export function scoreLatency(s: AgentStream, calls = 100_000, warmup = 20_000): ScoreLatency {
  const policy = new ConfidencePolicy({ featureSize: 3, seed: 1, deterministic: true });
  const features = new Float32Array(3);
  const times = new Float64Array(calls);
  const n = Math.min(calls + warmup, s.time.length);
  for (let j = 0; j < n; j++) {
    features.set(s.features.subarray(3 * j, 3 * j + 3));
    const call = { agentId: s.airports[s.agent[j]], time: s.time[j], confidence: s.confidence[j], features };
    const t0 = process.hrtime.bigint();
    const r = policy.score(call);
    const t1 = process.hrtime.bigint();
    if (j >= warmup) times[j - warmup] = Number(t1 - t0) / 1000;
    policy.observe(r.callId, s.outcome[j] === 1); // keep pending bounded; learning happens in observe, not timed
  }
  const measured = times.subarray(0, n - warmup).sort();
  const at = (q: number): number => measured[Math.min(measured.length - 1, Math.floor(q * measured.length))];
  return { calls: measured.length, p50Us: at(0.5), p99Us: at(0.99), meanUs: measured.reduce((a, b) => a + b, 0) / measured.length };
}

/** 10 000 synthetic agents; each batch holds one call of every agent, one minute after the last. */
export function batchThroughput(agents = 10_000, batches = 20): BatchThroughput {
  const policy = new ConfidencePolicy({ featureSize: 3, seed: 1, deterministic: true, maxAgents: agents, maxPending: 4 * agents });
  let state = 12345;
  const rand = (): number => ((state = (state * 1103515245 + 12345) >>> 0) / 4294967296);
  const make = (b: number) => Array.from({ length: agents }, (_, i) => ({
    agentId: `agent-${i}`, time: b * 60_000 + i, confidence: rand(), features: [rand(), rand(), rand()],
  }));
  policy.scoreBatch(make(0)); // admits every agent
  const prepared = Array.from({ length: batches }, (_, b) => make(b + 1));
  const t0 = performance.now();
  for (const calls of prepared) policy.scoreBatch(calls);
  const seconds = (performance.now() - t0) / 1000;
  return { agents, batches, callsPerSecond: (agents * batches) / seconds };
}
