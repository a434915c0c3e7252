/**
 * The calibration head on the cell's logit u: online Platt (a·u + b, Newton steps with forgetting) shared by
 * all agents, plus calibeating's per-agent bias β_agent (Gupta & Ramdas, ICML 2023: track and correct an
 * expert's forecast per context), itself a one-dimensional Newton update with forgetting. p = σ(a·u + b + β).
 */
import type { AgentTable } from './agent-table.js';
import { OnlineLogistic, clampLogit, sigmoid } from './online-logistic.js';

const AGENT_PRIOR = 5;

export class Calibrator {
  readonly platt: OnlineLogistic;
  private readonly row = new Float64Array(2);

  constructor(readonly agents: AgentTable, plattForgetting: number, readonly agentForgetting: number) {
    this.platt = new OnlineLogistic(2, { forgetting: plattForgetting, prior: 1, initial: [1, 0] });
  }

  logit(u: number, slot: number | undefined): number {
    this.row[0] = u;
    this.row[1] = 1;
    const bias = slot === undefined ? 0 : this.agents.f.bias[slot];
    return clampLogit(this.platt.logit(this.row) + bias);
  }

  /** One outcome: the agent's bias (when the agent is still tracked) and the shared Platt head both step. */
  learn(u: number, slot: number | undefined, y: number): void {
    this.row[0] = u;
    this.row[1] = 1;
    const shared = this.platt.logit(this.row);
    if (slot !== undefined) {
      const f = this.agents.f;
      const p = sigmoid(clampLogit(shared + f.bias[slot]));
      const lambda = this.agentForgetting;
      f.biasCurvature[slot] = lambda * f.biasCurvature[slot] + Math.max(p * (1 - p), 1e-6);
      // The prior keeps a new agent's first steps small (its curvature starts at 0).
      f.bias[slot] += (y - p) / (f.biasCurvature[slot] + AGENT_PRIOR);
      this.platt.update(this.row, y, f.bias[slot]);
    } else {
      this.platt.update(this.row, y);
    }
  }
}
