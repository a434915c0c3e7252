/** The NCP policy as a Forecaster of the benchmark: score() each call, observe() each revealed outcome. */
import { ConfidencePolicy } from '../../src/agents/index.js';
import type { ConfidencePolicyOptions } from '../../src/agents/index.js';
import type { Forecaster } from './replay.js';
import type { AgentStream } from './stream.js';

export function ncpPolicy(s: AgentStream, options: Partial<ConfidencePolicyOptions> = {}, name = 'NCP policy'): Forecaster & { policy: ConfidencePolicy } {
  const policy = new ConfidencePolicy({ featureSize: 3, seed: 1, deterministic: true, ...options });
  const callIds = new Float64Array(s.time.length);
  const features = new Float32Array(3);
  return {
    name,
    policy,
    predict: (j) => {
      features.set(s.features.subarray(3 * j, 3 * j + 3));
      const r = policy.score({ agentId: s.airports[s.agent[j]], time: s.time[j], confidence: s.confidence[j], features });
      callIds[j] = r.callId;
      return r.probability;
    },
    learn: (j) => policy.observe(callIds[j], s.outcome[j] === 1),
    finish: () => policy.idle(),
  };
}
