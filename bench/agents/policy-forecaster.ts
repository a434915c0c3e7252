/** The NCP policy as a Forecaster of the benchmark: score() each call, observe() each revealed outcome. */
import { ConfidencePolicy } from '../../src/agents/index.js';
import type { ConfidencePolicyOptions } from '../../src/agents/index.js';
import type { Forecaster } from './replay.js';
import type { AgentStream } from './stream.js';

/** Features per call of a stream (the flights stream has 3; held-out streams have others). */
export const featureWidth = (s: AgentStream): number => (s.time.length ? s.features.length / s.time.length : 0);

export function ncpPolicy(s: AgentStream, options: Partial<ConfidencePolicyOptions> = {}, name = 'NCP policy'): Forecaster & { policy: ConfidencePolicy } {
  const F = featureWidth(s);
  const policy = new ConfidencePolicy({ featureSize: F, seed: 1, deterministic: true, ...options });
  const callIds = new Float64Array(s.time.length);
  const features = new Float32Array(F);
  return {
    name,
    policy,
    predict: (j) => {
      features.set(s.features.subarray(F * j, F * j + F));
      const r = policy.score({ agentId: s.airports[s.agent[j]], time: s.time[j], confidence: s.confidence[j], features });
      callIds[j] = r.callId;
      return r.probability;
    },
    learn: (j) => policy.observe(callIds[j], s.outcome[j] === 1),
    finish: () => policy.idle(),
  };
}
