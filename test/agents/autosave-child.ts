/**
 * Child process of persist.test.ts: a policy that autosaves every 25 outcomes while it keeps scoring and
 * observing; it prints `saved <outcomes>` after each completed save, until the parent kills it.
 */
import { ConfidencePolicy } from '../../src/agents/index.js';

const path = process.argv[2];
const policy = new ConfidencePolicy({ featureSize: 3, seed: 1, deterministic: true, learnBatch: 16, autosave: { path, everyOutcomes: 25 } });
let reported = 0;
let j = 0;
const tick = (): void => {
  for (let k = 0; k < 20; k++, j++) {
    const r = policy.score({ agentId: `a${j % 7}`, time: j * 60_000, confidence: 0.3 + 0.4 * ((j * 37) % 11) / 11, features: [j % 24, j % 7, 1] });
    policy.observe(r.callId, (j * 13) % 5 < 2);
  }
  const status = policy.autosaveStatus()!;
  if (status.saves > reported) {
    reported = status.saves;
    process.stdout.write(`saved ${status.savedOutcomes}\n`);
  }
  setImmediate(tick);
};
tick();
