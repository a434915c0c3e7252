/**
 * Scoring: checks every call of a batch (times per agent) before changing anything, then runs the cell once per
 * group of calls with distinct agents (one native batched step per group; a second call of the same agent waits
 * for the next group, since it starts from the state the first call leaves), and commits each call: agent state,
 * its BPTT ring, the pending record.
 */
import { AgentTimeError } from './errors.js';
import { clampLogit } from './online-logistic.js';
import { RECENT_CALLS } from './agent-table.js';
import type { ScoredCall, ScoringPolicy } from './policy-parts.js';
import type { CheckedCall } from './validate-call.js';

/** Shortest elapsed time the cell is stepped by (calls of one agent at the same millisecond). */
export const MIN_ELAPSED_MS = 1000;

export class ScoreBatcher {
  private rows = new Float32Array(0);
  private states = new Float32Array(0);
  private dts = new Float32Array(0);

  constructor(private readonly policy: ScoringPolicy) {}

  run(calls: CheckedCall[]): ScoredCall[] {
    this.checkTimes(calls);
    const results: ScoredCall[] = new Array(calls.length);
    const maxGroup = this.policy.options.maxAgents;
    let start = 0;
    while (start < calls.length) {
      const seen = new Set<string>();
      let end = start;
      while (end < calls.length && !seen.has(calls[end].agentId) && seen.size < maxGroup) seen.add(calls[end++].agentId);
      this.runGroup(calls, start, end, results);
      start = end;
    }
    return results;
  }

  private checkTimes(calls: CheckedCall[]): void {
    const { agents } = this.policy;
    const last = new Map<string, number>();
    calls.forEach((c, i) => {
      let previous = last.get(c.agentId);
      if (previous === undefined) {
        const slot = agents.slots.get(c.agentId);
        if (slot !== undefined && agents.f.calls[slot] > 0) previous = agents.f.lastTime[slot];
      }
      if (previous !== undefined && c.time < previous) {
        const where = calls.length > 1 ? `calls[${i}]` : 'call';
        throw new AgentTimeError(`ConfidencePolicy: ${where}.time ${c.time} is before agent ${JSON.stringify(c.agentId)}'s previous call at ${previous}; each agent's times must not go backwards.`, c.agentId);
      }
      last.set(c.agentId, c.time);
    });
  }

  private runGroup(calls: CheckedCall[], start: number, end: number, results: ScoredCall[]): void {
    const policy = this.policy;
    const { agents, inputs, scaler, model } = policy;
    const B = end - start, I = policy.inputSize, N = model.stateSize;
    if (this.rows.length < B * I) {
      this.rows = new Float32Array(B * I);
      this.states = new Float32Array(B * N);
      this.dts = new Float32Array(B);
    }
    const rows = this.rows.subarray(0, B * I), states = this.states.subarray(0, B * N), dts = this.dts.subarray(0, B);
    const f = agents.f;
    for (let b = 0; b < B; b++) {
      const c = calls[start + b];
      const slot = agents.slots.get(c.agentId);
      inputs.write(rows, b * I, slot, c.time, c.confidence, c.features, scaler);
      const known = slot !== undefined && f.calls[slot] > 0;
      if (known) copy(f.state, slot * N, states, b * N, N);
      else copy(policy.h0, 0, states, b * N, N);
      dts[b] = known ? Math.max(c.time - f.lastTime[slot], MIN_ELAPSED_MS) / policy.options.timeUnitMs : 1;
    }
    const result = model.step({ data: rows, shape: [B, I] }, { data: states, shape: [B, N] }, { data: dts, shape: [B] });
    const out = result.output.data;
    const next = (result.state as { data: Float32Array }).data;
    const W = policy.options.window;
    for (let b = 0; b < B; b++) {
      const c = calls[start + b];
      const slot = agents.touch(c.agentId) ?? agents.admit(c.agentId);
      const calls0 = f.calls[slot];
      const r = calls0 % W;
      copy(rows, b * I, f.ringInputs, (slot * W + r) * I, I);
      f.ringDt[slot * W + r] = dts[b];
      copy(states, b * N, f.ringState, (slot * W + r) * N, N);
      copy(next, b * N, f.state, slot * N, N);
      f.lastTime[slot] = c.time;
      if (calls0 === 0) f.memTime[slot] = c.time;
      f.calls[slot] = calls0 + 1;
      f.since[2 * slot] = 0;
      f.since[2 * slot + 1] = 0;
      const cc = Math.min(Math.max(c.confidence, 1e-6), 1 - 1e-6);
      const u = clampLogit(Math.log(cc / (1 - cc)) + out[b]);
      const z = policy.headLogit(u, rows, b * I, slot);
      const probability = policy.output.probability(z);
      const callId = policy.addPending(slot, c.time, c.confidence, u, z, probability);
      results[start + b] = { callId, probability };
      f.recentIds[slot * RECENT_CALLS + (calls0 % RECENT_CALLS)] = callId;
      f.recentTimes[slot * RECENT_CALLS + (calls0 % RECENT_CALLS)] = c.time;
      if (c.time > policy.counters.clock) policy.counters.clock = c.time;
    }
    policy.pending.expire(policy.counters.clock - policy.options.pendingTtlMs);
  }
}

/** Element copy: for the few numbers of one row, a loop beats creating a subarray view to set() from. */
export function copy(from: ArrayLike<number>, at: number, to: Float32Array, into: number, count: number): void {
  for (let i = 0; i < count; i++) to[into + i] = from[at + i];
}
