/** The policy on a held-out stream with default options: learning runs off the main thread, the replay yields to it. */
import type { ConfidencePolicyOptions } from '../../../src/agents/index.js';
import { ncpPolicy } from '../policy-forecaster.js';
import type { Forecaster } from '../replay.js';
import type { AgentStream } from '../stream.js';

export function heldOutPolicy(s: AgentStream, options: Partial<ConfidencePolicyOptions>): Forecaster & { yieldEvery(calls: number): () => Promise<void> } {
  const f = ncpPolicy(s, { deterministic: false, ...options }, 'NCP policy (default options)');
  let calls = 0;
  return {
    ...f,
    /** An onReveal hook for replay(): every `n` calls, wait for queued learning (score/observe/idle as a platform would). */
    yieldEvery: (n) => async () => {
      if (++calls % n === 0) await f.policy.idle();
    },
  };
}
