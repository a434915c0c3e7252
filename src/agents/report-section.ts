/**
 * The data of a confidence policy's report section: reliability diagram (the running reliability bins),
 * calibration over time (agents/calibration-history.ts) and the spread of calibration across agents (each
 * tracked agent's mean probability minus its observed rate). Rendered by agents/report-render.ts.
 */
import type { PolicyState } from './policy-parts.js';
import type { CalibrationWindow } from './calibration-history.js';
import type { CalibrationSummary, ReliabilityBin } from './running-metrics.js';
import { AGENT_METRICS } from './agent-table.js';

/** Agents with fewer outcomes than this are left out of the spread (their gap is mostly noise). */
export const SPREAD_MIN_OUTCOMES = 20;
/** The agents table lists this many, largest calibration gap first. */
const WORST_AGENTS = 10;

export interface AgentCalibration {
  agentId: string;
  outcomes: number;
  logLoss: number;
  meanProbability: number;
  observedRate: number;
  /** Mean probability − observed rate: > 0 overconfident in success, < 0 underconfident. */
  gap: number;
}

export interface PolicyReportData {
  summary: CalibrationSummary & { calls: number; trackedAgents: number; evictedAgents: number; learningSteps: number };
  reliability: ReliabilityBin[];
  history: CalibrationWindow[];
  /** Outcomes per history window now (it doubles as the history fills). */
  historyWindow: number;
  spread: {
    minOutcomes: number;
    agents: number;
    /** 10th, 50th and 90th percentiles of the agents' gaps (NaN without agents). */
    gapP10: number; gapMedian: number; gapP90: number;
    /** Every agent counted, for the histogram. */
    gaps: number[];
    worst: AgentCalibration[];
  };
}

export function policyReportData(policy: PolicyState): PolicyReportData {
  const m = policy.agents.f.metrics;
  const agents: AgentCalibration[] = [];
  for (const [agentId, slot] of policy.agents.slots) {
    const at = slot * AGENT_METRICS, n = m[at];
    if (n < SPREAD_MIN_OUTCOMES) continue;
    const meanProbability = m[at + 3] / n, observedRate = m[at + 4] / n;
    agents.push({ agentId, outcomes: n, logLoss: m[at + 1] / n, meanProbability, observedRate, gap: meanProbability - observedRate });
  }
  const gaps = agents.map((a) => a.gap).sort((a, b) => a - b);
  const quantile = (q: number): number => (gaps.length ? gaps[Math.min(gaps.length - 1, Math.floor(q * gaps.length))] : NaN);
  return {
    summary: {
      ...policy.overall.summary(),
      calls: policy.counters.nextCallId - 1,
      trackedAgents: policy.agents.size,
      evictedAgents: policy.agents.evictions,
      learningSteps: policy.learner.steps,
    },
    reliability: policy.overall.bins(),
    history: policy.history.windows(),
    historyWindow: policy.history.window,
    spread: {
      minOutcomes: SPREAD_MIN_OUTCOMES,
      agents: agents.length,
      gapP10: quantile(0.1), gapMedian: quantile(0.5), gapP90: quantile(0.9),
      gaps,
      worst: [...agents].sort((a, b) => Math.abs(b.gap) - Math.abs(a.gap)).slice(0, WORST_AGENTS),
    },
  };
}
