/**
 * What the cell reads at each call of an agent (one row of `inputSize` numbers):
 *   [ logit(c)/4 | standardized features | log1p(elapsed / timeUnit) | per half-life k: 4·m̂_k, log1p(n_k)/4 |
 *     log1p(outcomes since the agent's last call)/4, their mean residual |
 *     per overdue age a_k: share of the agent's recent calls older than a_k still awaiting their outcome, log1p(count)/4 ]
 * m̂_k is the agent's residual y − c over revealed outcomes, decayed in clock time with half-life k and shrunk
 * towards 0 by one pseudo-outcome; n_k its decayed count. These are the policy's own observations of the agent:
 * the cell sees outcome evidence as it arrives, and its state carries it (and anything else it learns) across
 * the irregular gaps between calls. An outcome that is overdue is evidence too (a task that has not come back
 * is more often a failure; a flight not reported departed is late): the overdue inputs count the agent's
 * recent calls (its last RECENT_CALLS, younger than OVERDUE_HORIZON time units) that are still pending.
 */
import { clampLogit } from './online-logistic.js';
import { RECENT_CALLS, type AgentTable } from './agent-table.js';

/** Overdue ages, in time units (default unit one hour: 15 min, 1 h, 3 h). */
export const OVERDUE_AGES = [0.25, 1, 3];
/** Calls older than this many time units no longer count as overdue evidence. */
export const OVERDUE_HORIZON = 12;

export function cellInputSize(featureSize: number, halfLives: number): number {
  return 1 + featureSize + 1 + 2 * halfLives + 2 + 2 * OVERDUE_AGES.length;
}

/** Running mean and variance per feature (Welford), for standardizing features the caller passes raw. */
export class FeatureScaler {
  /** count, then means, then sums of squared deviations. */
  readonly stats: Float64Array;
  constructor(readonly size: number) {
    this.stats = new Float64Array(1 + 2 * size);
  }

  /** Standardizes `x` into `out` at `at` (with the stats before this call), then folds `x` into the stats. */
  scaleAndLearn(x: ArrayLike<number>, out: Float32Array, at: number): void {
    const s = this.stats, F = this.size;
    const n = s[0];
    for (let i = 0; i < F; i++) {
      const sd = n > 1 ? Math.sqrt(s[1 + F + i] / (n - 1)) : 1;
      const z = n > 0 ? (x[i] - s[1 + i]) / (sd > 1e-9 ? sd : 1) : 0;
      out[at + i] = z > 5 ? 5 : z < -5 ? -5 : z;
    }
    s[0] = n + 1;
    for (let i = 0; i < F; i++) {
      const delta = x[i] - s[1 + i];
      s[1 + i] += delta / (n + 1);
      s[1 + F + i] += delta * (x[i] - s[1 + i]);
    }
  }
}

export class CellInputs {
  readonly size: number;
  /** Where the outcome memories start in a row (after the confidence, the features and the elapsed time). */
  readonly memoryOffset: number;
  /** How many numbers of outcome memory a row holds (they run to its end). */
  readonly memorySize: number;
  private readonly rates: Float64Array;
  private readonly older = new Float64Array(OVERDUE_AGES.length);
  private readonly pendingCounts = new Float64Array(OVERDUE_AGES.length);

  constructor(
    readonly featureSize: number,
    halfLivesMs: number[],
    readonly timeUnitMs: number,
    readonly agents: AgentTable,
    private readonly isPending: (callId: number) => boolean,
  ) {
    this.size = cellInputSize(featureSize, halfLivesMs.length);
    this.memoryOffset = featureSize + 2;
    this.memorySize = this.size - this.memoryOffset;
    this.rates = Float64Array.from(halfLivesMs, (h) => Math.LN2 / h);
  }

  /** Writes the row of a call into `out` from `start` (the agent's memories decayed to `time`; nothing is mutated but the scaler). */
  write(out: Float32Array, start: number, slot: number | undefined, time: number, confidence: number, features: ArrayLike<number>, scaler: FeatureScaler): void {
    const F = this.featureSize, K = this.rates.length;
    const c = Math.min(Math.max(confidence, 1e-6), 1 - 1e-6);
    out[start] = clampLogit(Math.log(c / (1 - c))) / 4;
    scaler.scaleAndLearn(features, out, start + 1);
    let at = start + 1 + F;
    const f = this.agents.f;
    if (slot === undefined || f.calls[slot] === 0) {
      for (; at < start + this.size; at++) out[at] = 0;
      return;
    }
    out[at++] = Math.log1p(Math.max(time - f.lastTime[slot], 0) / this.timeUnitMs);
    const age = Math.max(time - f.memTime[slot], 0);
    for (let k = 0; k < K; k++) {
      const decay = Math.exp(-this.rates[k] * age);
      const sum = f.memSum[slot * K + k] * decay, weight = f.memWeight[slot * K + k] * decay;
      out[at++] = (4 * sum) / (weight + 1);
      out[at++] = Math.log1p(weight) / 4;
    }
    const count = f.since[2 * slot];
    out[at++] = Math.log1p(count) / 4;
    out[at++] = count ? f.since[2 * slot + 1] / count : 0;
    this.writeOverdue(out, at, slot, time);
  }

  /** Recent calls of the agent are a ring of RECENT_CALLS (id, time) pairs, written by the scorer. */
  private writeOverdue(out: Float32Array, at: number, slot: number, time: number): void {
    const f = this.agents.f, U = this.timeUnitMs, K = OVERDUE_AGES.length;
    const older = this.older.fill(0), pending = this.pendingCounts.fill(0);
    const n = Math.min(f.calls[slot], RECENT_CALLS);
    for (let r = 0; r < n; r++) {
      const age = (time - f.recentTimes[slot * RECENT_CALLS + r]) / U;
      if (age < OVERDUE_AGES[0] || age > OVERDUE_HORIZON) continue;
      const isPending = this.isPending(f.recentIds[slot * RECENT_CALLS + r]);
      for (let k = 0; k < K && age >= OVERDUE_AGES[k]; k++) {
        older[k]++;
        if (isPending) pending[k]++;
      }
    }
    for (let k = 0; k < K; k++) {
      out[at++] = pending[k] / (older[k] + 1);
      out[at++] = Math.log1p(pending[k]) / 4;
    }
  }

  /** Folds one revealed outcome (residual y − c) into the agent's memories, at the agent's latest time. */
  remember(slot: number, residual: number): void {
    const f = this.agents.f, K = this.rates.length;
    const now = f.lastTime[slot];
    const age = Math.max(now - f.memTime[slot], 0);
    for (let k = 0; k < K; k++) {
      const decay = Math.exp(-this.rates[k] * age);
      f.memSum[slot * K + k] = f.memSum[slot * K + k] * decay + residual;
      f.memWeight[slot * K + k] = f.memWeight[slot * K + k] * decay + 1;
    }
    f.memTime[slot] = now;
    f.since[2 * slot] += 1;
    f.since[2 * slot + 1] += residual;
  }
}
