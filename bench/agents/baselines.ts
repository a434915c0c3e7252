/**
 * The benchmark's baselines, each a Forecaster over the same stream (bench/agents/replay.ts).
 */
import { OnlineLogistic, clampLogit, sigmoid } from '../../src/agents/online-logistic.js';
import { OutputCalibration } from '../../src/agents/output-calibration.js';
import type { Forecaster } from './replay.js';
import type { AgentStream } from './stream.js';

const logit = (p: number): number => clampLogit(Math.log(p / (1 - p)));

export function raw(s: AgentStream): Forecaster {
  return { name: 'raw', predict: (j) => s.confidence[j], learn: () => undefined };
}

/** Online Platt (Newton steps, forgetting λ) on [logit c, 1], one for everyone. */
export function globalPlatt(s: AgentStream, forgetting = 0.9999): Forecaster {
  const head = new OnlineLogistic(2, { forgetting, prior: 1, initial: [1, 0] });
  const x = new Float64Array(2);
  const row = (j: number): Float64Array => { x[0] = logit(s.confidence[j]); x[1] = 1; return x; };
  return {
    name: 'global online Platt',
    predict: (j) => sigmoid(head.logit(row(j))),
    learn: (j) => head.update(row(j), s.outcome[j]),
  };
}

/** One online Platt per agent. */
export function perAgentPlatt(s: AgentStream, forgetting = 0.999): Forecaster {
  const heads = s.airports.map(() => new OnlineLogistic(2, { forgetting, prior: 5, initial: [1, 0] }));
  const x = new Float64Array(2);
  const row = (j: number): Float64Array => { x[0] = logit(s.confidence[j]); x[1] = 1; return x; };
  return {
    name: 'per-agent online Platt',
    predict: (j) => sigmoid(heads[s.agent[j]].logit(row(j))),
    learn: (j) => heads[s.agent[j]].update(row(j), s.outcome[j]),
  };
}

/** Histogram binning over a sliding window: 20 equal-width bins of raw confidence, the last `window` outcomes of each. */
export function windowedBinning(s: AgentStream, bins = 20, window = 5000): Forecaster {
  const rings = Array.from({ length: bins }, () => new Uint8Array(window));
  const filled = new Int32Array(bins), next = new Int32Array(bins), ones = new Int32Array(bins);
  const bin = (j: number): number => Math.min(bins - 1, Math.floor(s.confidence[j] * bins));
  return {
    name: 'windowed histogram binning',
    predict: (j) => {
      const b = bin(j);
      return (ones[b] + 2 * s.confidence[j]) / (filled[b] + 2); // two pseudo-outcomes at the raw confidence
    },
    learn: (j) => {
      const b = bin(j);
      const y = s.outcome[j];
      if (filled[b] === window) ones[b] -= rings[b][next[b]];
      else filled[b]++;
      rings[b][next[b]] = y;
      ones[b] += y;
      next[b] = (next[b] + 1) % window;
    },
  };
}

/** Calibeating (Gupta & Ramdas 2023) as tracking: global online Platt, then a per-agent online bias on its logit. */
export function calibeating(s: AgentStream, forgetting = 0.9999, agentForgetting = 0.995): Forecaster {
  const platt = new OnlineLogistic(2, { forgetting, prior: 1, initial: [1, 0] });
  const bias = s.airports.map(() => new OnlineLogistic(1, { forgetting: agentForgetting, prior: 5 }));
  const x = new Float64Array(2);
  const one = new Float64Array([1]);
  const row = (j: number): Float64Array => { x[0] = logit(s.confidence[j]); x[1] = 1; return x; };
  return {
    name: 'calibeating (Platt + per-agent bias)',
    predict: (j) => sigmoid(clampLogit(platt.logit(row(j)) + bias[s.agent[j]].logit(one))),
    learn: (j) => {
      const z = platt.logit(row(j));
      bias[s.agent[j]].update(one, s.outcome[j], z);
      platt.update(row(j), s.outcome[j]);
    },
  };
}

/**
 * Parallax's calibration service: decayed per-agent counts (decay 0.95), error = mean confidence − accuracy,
 * confidence shifted by −error × 0.125 (× 1.2 above 0.8, × 0.8 below 0.5), clamped to ±0.2, after 20 samples.
 */
export function parallaxRule(s: AgentStream, decay = 0.95, factor = 0.125, minSamples = 20): Forecaster {
  const A = s.airports.length;
  const n = new Float64Array(A), sumC = new Float64Array(A), sumY = new Float64Array(A), seen = new Int32Array(A);
  return {
    name: "Parallax's rule",
    predict: (j) => {
      const a = s.agent[j], c = s.confidence[j];
      if (seen[a] < minSamples) return c;
      const error = (sumC[a] - sumY[a]) / n[a];
      const scale = c > 0.8 ? 1.2 : c < 0.5 ? 0.8 : 1;
      const shift = Math.max(-0.2, Math.min(0.2, -error * factor * scale));
      return Math.min(Math.max(c + shift, 1e-4), 1 - 1e-4);
    },
    learn: (j) => {
      const a = s.agent[j];
      n[a] = decay * n[a] + 1; sumC[a] = decay * sumC[a] + s.confidence[j]; sumY[a] = decay * sumY[a] + s.outcome[j]; seen[a]++;
    },
  };
}

/**
 * Per-agent decayed-memory logistic model (the event-count model): each agent keeps exponential moving averages
 * of its residuals y − c over its last ~10, ~50 and ~300 revealed outcomes (decay per outcome, blind to clock
 * time); one online logistic model (Newton, forgetting) reads [logit c, 1, the three memories, an agent bias].
 */
export function eventCountMemory(s: AgentStream, rates = [0.1, 0.02, 0.004], forgetting = 0.9999): Forecaster {
  const A = s.airports.length, K = rates.length;
  const mem = new Float64Array(A * K), weight = new Float64Array(A * K);
  const head = new OnlineLogistic(2 + K, { forgetting, prior: 1, initial: [1, 0] });
  const bias = s.airports.map(() => new OnlineLogistic(1, { forgetting: 0.995, prior: 5 }));
  const one = new Float64Array([1]);
  const x = new Float64Array(2 + K);
  const row = (j: number): Float64Array => {
    const a = s.agent[j];
    x[0] = logit(s.confidence[j]); x[1] = 1;
    for (let k = 0; k < K; k++) x[2 + k] = 4 * mem[a * K + k] / (weight[a * K + k] + 0.05);
    return x;
  };
  return {
    name: 'per-agent decayed memory (event count)',
    predict: (j) => sigmoid(clampLogit(head.logit(row(j)) + bias[s.agent[j]].logit(one))),
    learn: (j) => {
      const a = s.agent[j], y = s.outcome[j];
      const z = head.logit(row(j));
      head.update(x, y, bias[a].logit(one));
      bias[a].update(one, y, z);
      for (let k = 0; k < K; k++) {
        mem[a * K + k] = (1 - rates[k]) * mem[a * K + k] + rates[k] * (y - s.confidence[j]);
        weight[a * K + k] = (1 - rates[k]) * weight[a * K + k] + rates[k];
      }
    },
  };
}

/**
 * The event-count model followed by the policy's own output calibration stage (src/agents/output-calibration.ts,
 * default λ): so that what the policy gains from that stage is not credited to continuous time.
 */
export function eventCountMemoryWithOutputStage(s: AgentStream): Forecaster {
  const base = eventCountMemory(s);
  const stage = new OutputCalibration(true, 0.9999);
  const z = new Float64Array(s.time.length);
  return {
    name: 'per-agent decayed memory (event count) + output stage',
    predict: (j) => { z[j] = logit(base.predict(j)); return stage.probability(z[j]); },
    learn: (j) => { stage.learn(z[j], s.outcome[j]); base.learn(j); },
  };
}
