/**
 * The calibration head on the cell's logit u: an online logistic model (Newton steps with forgetting; online
 * Platt when it reads u alone) over [u, 1, the agent's outcome memories as the cell saw them], shared by all
 * agents, plus calibeating's per-agent bias β_agent (Gupta & Ramdas, ICML 2023: track and correct a forecast
 * per context), a one-dimensional Newton update with forgetting. p = σ(head + β). The shared head adapts within
 * a few hundred outcomes, while the cell learns slowly by gradient steps; the memories in the head give the
 * policy at once what the cell would otherwise have to learn first.
 */
import type { AgentTable } from './agent-table.js';
import { OnlineLogistic, clampLogit, sigmoid } from './online-logistic.js';

const AGENT_PRIOR = 5;

export class Calibrator {
  readonly head: OnlineLogistic;
  private readonly row: Float64Array;

  /** `memories`: how many numbers of outcome memory each call carries (a slice of the cell's input row). */
  constructor(readonly agents: AgentTable, readonly memories: number, forgetting: number, readonly agentForgetting: number) {
    this.head = new OnlineLogistic(2 + memories, { forgetting, prior: 1, initial: [1, 0] });
    this.row = new Float64Array(2 + memories);
  }

  /** The head's row: u, 1, then `memories` numbers of `memory` from `at`. */
  private fill(u: number, memory: ArrayLike<number>, at: number): Float64Array {
    this.row[0] = u;
    this.row[1] = 1;
    for (let i = 0; i < this.memories; i++) this.row[2 + i] = memory[at + i];
    return this.row;
  }

  logit(u: number, memory: ArrayLike<number>, at: number, slot: number | undefined): number {
    const bias = slot === undefined ? 0 : this.agents.f.bias[slot];
    return clampLogit(this.head.logit(this.fill(u, memory, at)) + bias);
  }

  /** The head's weight on u. */
  get slope(): number {
    return this.head.weights[0];
  }

  /** One outcome: the agent's bias (when the agent is still tracked) and the shared head both step. */
  learn(u: number, memory: ArrayLike<number>, at: number, slot: number | undefined, y: number): void {
    const row = this.fill(u, memory, at);
    const shared = this.head.logit(row);
    if (slot === undefined) {
      this.head.update(row, y);
      return;
    }
    const f = this.agents.f;
    const p = sigmoid(clampLogit(shared + f.bias[slot]));
    f.biasCurvature[slot] = this.agentForgetting * f.biasCurvature[slot] + Math.max(p * (1 - p), 1e-6);
    // The prior keeps a new agent's first steps small (its curvature starts at 0).
    f.bias[slot] += (y - p) / (f.biasCurvature[slot] + AGENT_PRIOR);
    this.head.update(row, y, f.bias[slot]);
  }
}
