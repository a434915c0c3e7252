/** policy.metrics(): running calibration overall and per agent, as an object or in the Prometheus text format. */
import { argumentError } from '../errors.js';
import { expectOptions } from '../validate.js';
import { AGENT_METRICS } from './agent-table.js';
import type { PolicyState } from './policy-parts.js';
import type { CalibrationSummary, ReliabilityBin } from './running-metrics.js';

export interface MetricsOptions {
  format?: 'object' | 'prometheus';
}

export interface AgentMetrics {
  outcomes: number;
  logLoss: number;
  brier: number;
  meanProbability: number;
  observedRate: number;
}

export interface PolicyMetrics extends CalibrationSummary {
  reliability: ReliabilityBin[];
  calls: number;
  expiredCalls: number;
  droppedCalls: number;
  evictedAgents: number;
  learningSteps: number;
  droppedExamples: number;
  /** Tracked agents only (an evicted agent's figures go with it). */
  agents: Record<string, AgentMetrics>;
}

export function policyMetrics(policy: PolicyState, options?: MetricsOptions): PolicyMetrics | string {
  const api = 'ConfidencePolicy.metrics';
  const o = expectOptions(api, options, ['format']);
  if (o.format !== undefined && o.format !== 'object' && o.format !== 'prometheus') {
    throw argumentError(RangeError, api, 'options.format', "'object' or 'prometheus'", o.format);
  }
  const m = collect(policy);
  return o.format === 'prometheus' ? prometheus(m) : m;
}

function collect(policy: PolicyState): PolicyMetrics {
  const agents: Record<string, AgentMetrics> = {};
  const f = policy.agents.f.metrics;
  for (const [id, slot] of policy.agents.slots) {
    const at = slot * AGENT_METRICS, n = f[at];
    agents[id] = {
      outcomes: n,
      logLoss: n ? f[at + 1] / n : NaN,
      brier: n ? f[at + 2] / n : NaN,
      meanProbability: n ? f[at + 3] / n : NaN,
      observedRate: n ? f[at + 4] / n : NaN,
    };
  }
  return {
    ...policy.overall.summary(),
    reliability: policy.overall.bins(),
    calls: policy.counters.nextCallId - 1,
    expiredCalls: policy.pending.expired,
    droppedCalls: policy.pending.dropped,
    evictedAgents: policy.agents.evictions,
    learningSteps: policy.learner.steps,
    droppedExamples: policy.learner.dropped,
    agents,
  };
}

const num = (v: number): string => (Number.isNaN(v) ? 'NaN' : String(v));
const label = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Prometheus text exposition format 0.0.4. */
function prometheus(m: PolicyMetrics): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: [string, number][]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${num(value)}`);
  };
  metric('ncp_policy_calls_total', 'counter', 'Calls scored.', [['', m.calls]]);
  metric('ncp_policy_outcomes_total', 'counter', 'Outcomes observed.', [['', m.outcomes]]);
  metric('ncp_policy_expired_calls_total', 'counter', 'Pending calls expired without an outcome.', [['', m.expiredCalls]]);
  metric('ncp_policy_dropped_calls_total', 'counter', 'Pending calls dropped at the pending cap.', [['', m.droppedCalls]]);
  metric('ncp_policy_evicted_agents_total', 'counter', 'Agents evicted at the agent cap.', [['', m.evictedAgents]]);
  metric('ncp_policy_learning_steps_total', 'counter', 'Learning steps applied to the cell.', [['', m.learningSteps]]);
  metric('ncp_policy_log_loss', 'gauge', 'Mean log loss of the probabilities given, over observed outcomes.', [['', m.logLoss]]);
  metric('ncp_policy_brier', 'gauge', 'Mean Brier score over observed outcomes.', [['', m.brier]]);
  metric('ncp_policy_ece', 'gauge', 'Expected calibration error over 15 equal-width bins.', [['', m.ece]]);
  metric('ncp_policy_reliability_count', 'gauge', 'Outcomes per reliability bin (upper edge le).', m.reliability.map((b) => [`{le="${b.upper.toFixed(4)}"}`, b.count]));
  metric('ncp_policy_reliability_observed_rate', 'gauge', 'Observed success rate per reliability bin.', m.reliability.map((b) => [`{le="${b.upper.toFixed(4)}"}`, b.observedRate]));
  const agents = Object.entries(m.agents);
  metric('ncp_policy_agent_outcomes', 'gauge', 'Outcomes observed per tracked agent.', agents.map(([id, a]) => [`{agent="${label(id)}"}`, a.outcomes]));
  metric('ncp_policy_agent_log_loss', 'gauge', 'Mean log loss per tracked agent.', agents.map(([id, a]) => [`{agent="${label(id)}"}`, a.logLoss]));
  metric('ncp_policy_agent_calibration_gap', 'gauge', 'Mean probability minus observed rate per tracked agent.', agents.map(([id, a]) => [`{agent="${label(id)}"}`, a.meanProbability - a.observedRate]));
  return lines.join('\n') + '\n';
}
