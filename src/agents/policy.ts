/**
 * ConfidencePolicy: turns each agent call's raw confidence into a calibrated probability of success, learning
 * online from outcomes that arrive later and in any order. Per agent it keeps the cell's state, advanced by the
 * time since that agent's last call (agents/agent-table.ts); the cell (a small NCP, agents/build-cell.ts) reads
 * the call and the agent's outcome memories (agents/cell-inputs.ts) and corrects the confidence's logit; an online
 * calibration head (agents/calibrator.ts) maps that to the probability. See docs/agents.md.
 */
import { argumentError } from '../errors.js';
import type { SequenceModel } from '../models/sequence-model.js';
import { AgentTable } from './agent-table.js';
import { buildCell } from './build-cell.js';
import { Calibrator } from './calibrator.js';
import { OutputCalibration } from './output-calibration.js';
import { CalibrationHistory } from './calibration-history.js';
import { CellInputs, FeatureScaler, cellInputSize } from './cell-inputs.js';
import { UnknownCallError } from './errors.js';
import { CellLearner, type LearningExample } from './learner.js';
import { clampLogit } from './online-logistic.js';
import { resolvePolicyOptions, type ConfidencePolicyOptions, type ResolvedPolicyOptions } from './options.js';
import { PendingCalls } from './pending-calls.js';
import { RunningCalibration } from './running-metrics.js';
import { ScoreBatcher, copy } from './score-batch.js';
import { checkCall, checkOutcome, type AgentCall } from './validate-call.js';
import { AGENT_METRICS } from './agent-table.js';
import { pointLogLoss } from './running-metrics.js';
import { Autosaver, type AutosaveStatus } from './autosave.js';
import { loadPolicy, savePolicy } from './persist.js';
import { policyMetrics, type MetricsOptions, type PolicyMetrics } from './metrics-report.js';
import { policyReportSection, renderPolicyReport, type PolicyReportOptions } from './report.js';
import type { ReportSection } from '../monitor/report-section.js';
import type { PersistablePolicy, PolicyCounters, ScoredCall, ScoringPolicy, SnapshotSaver } from './policy-parts.js';

export type { ScoredCall } from './policy-parts.js';

export interface PolicyMemory {
  agents: number;
  maxAgents: number;
  pendingCalls: number;
  maxPending: number;
  queuedExamples: number;
  /** Bytes each tracked agent costs (documented bound: maxAgents × this). */
  bytesPerAgent: number;
  bytesPerPendingCall: number;
  /** Bytes held now by agent and pending-call slabs, the cell's parameters and optimizer, and queued examples. */
  bytes: number;
}

export class ConfidencePolicy implements ScoringPolicy, PersistablePolicy, SnapshotSaver {
  readonly options: ResolvedPolicyOptions;
  readonly model: SequenceModel;
  readonly inputSize: number;
  /** @internal */ readonly agents: AgentTable;
  /** @internal */ readonly pending: PendingCalls;
  /** @internal */ readonly inputs: CellInputs;
  /** @internal */ readonly scaler: FeatureScaler;
  /** @internal */ readonly calibrator: Calibrator;
  /** @internal */ readonly output: OutputCalibration;
  /** @internal */ readonly learner: CellLearner;
  /** @internal */ readonly overall = new RunningCalibration();
  /** @internal */ readonly history = new CalibrationHistory();
  /** @internal */ readonly h0: Float32Array;
  /** @internal */ counters: PolicyCounters = { nextCallId: 1, outcomes: 0, clock: -Infinity };
  private readonly batcher: ScoreBatcher;
  private pump: Promise<void> | undefined;
  private readonly autosaver: Autosaver | undefined;

  constructor(options: ConfidencePolicyOptions) {
    const o = (this.options = resolvePolicyOptions('ConfidencePolicy', options));
    const K = o.memoryHalfLivesMs.length;
    this.inputSize = cellInputSize(o.featureSize, K);
    this.model = buildCell(o, this.inputSize);
    this.h0 = new Float32Array(this.model.stateSize);
    this.agents = new AgentTable({ units: this.model.stateSize, inputs: this.inputSize, window: o.window, halfLives: K }, o.maxAgents);
    this.pending = new PendingCalls(this.model.stateSize, this.inputSize, o.window, o.maxPending);
    this.inputs = new CellInputs(o.featureSize, o.memoryHalfLivesMs, o.timeUnitMs, this.agents, (id) => this.pending.slots.has(id));
    this.scaler = new FeatureScaler(o.featureSize);
    this.calibrator = new Calibrator(this.agents, this.inputs.memorySize, o.headForgetting, o.agentForgetting);
    this.output = new OutputCalibration(o.outputCalibration, o.outputForgetting);
    this.learner = new CellLearner(this.model, this.h0, this.inputSize, o.learningRate, o.maxQueued);
    this.batcher = new ScoreBatcher(this);
    this.autosaver = o.autosave && new Autosaver(this, o.autosave);
  }

  /** Scores one call (synchronous; never waits for learning). */
  score(call: AgentCall): ScoredCall {
    const checked = checkCall('ConfidencePolicy.score', 'call', call, this.options.featureSize);
    return this.batcher.run([checked])[0];
  }

  /** Scores many calls (any agents, in order) through batched native steps of the cell. */
  scoreBatch(calls: readonly AgentCall[]): ScoredCall[] {
    const api = 'ConfidencePolicy.scoreBatch';
    if (!Array.isArray(calls)) throw argumentError(TypeError, api, 'calls', 'an array of calls', calls);
    const checked = calls.map((c, i) => checkCall(api, `calls[${i}]`, c, this.options.featureSize));
    return this.batcher.run(checked);
  }

  /** Reports the outcome (true/false or 1/0) of a scored call, once, at any time and in any order. */
  observe(callId: number, outcome: boolean | number): void {
    const api = 'ConfidencePolicy.observe';
    const y = checkOutcome(api, outcome);
    const slot = typeof callId === 'number' ? this.pending.slots.get(callId) : undefined;
    if (slot === undefined) {
      if (typeof callId !== 'number') throw argumentError(TypeError, api, 'callId', 'a callId returned by score()', callId);
      throw new UnknownCallError(`${api}: callId ${callId} is not pending (never issued, already observed, expired or dropped).`, callId);
    }
    const p = this.pending.f;
    const agentSlot = p.agentSlot[slot];
    const alive = this.agents.ids[agentSlot] !== undefined && this.agents.f.generation[agentSlot] === p.generation[slot];
    const target = alive ? agentSlot : undefined;
    const probability = p.probability[slot];
    this.overall.add(probability, y);
    this.history.add(this.counters.clock, probability, y);
    if (target !== undefined) {
      const m = this.agents.f.metrics, at = target * AGENT_METRICS;
      m[at] += 1; m[at + 1] += pointLogLoss(probability, y); m[at + 2] += (probability - y) ** 2; m[at + 3] += probability; m[at + 4] += y;
      this.inputs.remember(target, y - p.confidence[slot]);
    }
    const u = p.cellLogit[slot], memoryAt = this.lastRowMemory(slot);
    const slope = this.calibrator.slope, rest = this.calibrator.logit(u, p.inputs, memoryAt, target) - slope * u;
    this.calibrator.learn(u, p.inputs, memoryAt, target, y);
    this.output.learn(p.headLogit[slot], y);
    this.learner.enqueue(this.example(slot, y, slope, rest));
    this.pending.release(callId);
    this.counters.outcomes++;
    if (this.options.deterministic) {
      while (this.learner.queued >= this.options.learnBatch) this.learner.trainSync(this.learner.take(this.options.learnBatch));
    } else if (this.learner.queued >= this.options.learnBatch) {
      this.startPump(false);
    }
    this.autosaver?.outcome();
  }

  /** Resolves once every learning example queued so far has been applied. */
  async idle(): Promise<void> {
    if (this.options.deterministic) {
      while (this.learner.queued) this.learner.trainSync(this.learner.take(this.options.learnBatch));
      return;
    }
    while (this.pump || this.learner.queued) {
      if (!this.pump) this.startPump(true);
      await this.pump;
    }
  }

  /** Running log loss, Brier and ECE (overall with reliability bins, and per agent); Prometheus text on request. */
  metrics(): PolicyMetrics;
  metrics(options: { format: 'prometheus' }): string;
  metrics(options?: MetricsOptions): PolicyMetrics | string;
  metrics(options?: MetricsOptions): PolicyMetrics | string {
    return policyMetrics(this, options);
  }

  /** A report of the policy's calibration: 'html' (one self-contained page with charts), 'md' or 'json'. */
  report(options: PolicyReportOptions): Promise<string> {
    return renderPolicyReport(this, options);
  }

  /** The same as a section of a profile report: `result.report({ format, sections: [policy.reportSection()] })`. */
  reportSection(title?: string): ReportSection {
    return policyReportSection(this, title);
  }

  memory(): PolicyMemory {
    const agentBytes = this.agents.bytesPerAgent();
    const queuedBytes = this.learner.queued * (this.options.window * (this.inputSize + 1) + this.model.stateSize) * 4;
    const modelBytes = (this.model.parameters.length * 3 + this.h0.length * 5) * 4;
    return {
      agents: this.agents.size,
      maxAgents: this.options.maxAgents,
      pendingCalls: this.pending.size,
      maxPending: this.options.maxPending,
      queuedExamples: this.learner.queued,
      bytesPerAgent: agentBytes,
      bytesPerPendingCall: this.pending.bytesPerCall,
      bytes: this.agents.slabs.allocatedBytes + this.pending.allocatedBytes + modelBytes + queuedBytes,
    };
  }

  /** One agent's state now (a copy), or undefined for an agent that is not tracked. */
  agentState(agentId: string): { calls: number; lastTime: number; state: Float32Array; bias: number } | undefined {
    const slot = this.agents.slots.get(agentId);
    if (slot === undefined) return undefined;
    const f = this.agents.f, N = this.model.stateSize;
    return { calls: f.calls[slot], lastTime: f.lastTime[slot], state: f.state.slice(slot * N, (slot + 1) * N), bias: f.bias[slot] };
  }

  /** Saves everything (after queued learning is applied) to one safetensors file, atomically. */
  async save(path: string): Promise<void> {
    if (typeof path !== 'string' || path === '') throw argumentError(TypeError, 'ConfidencePolicy.save', 'path', 'a file path', path);
    await savePolicy(this, path);
  }

  /** Loads a saved policy; `options` may add autosave or change determinism (everything else comes from the file). */
  static async load(path: string, options?: Pick<ConfidencePolicyOptions, 'autosave' | 'deterministic'>): Promise<ConfidencePolicy> {
    if (typeof path !== 'string' || path === '') throw argumentError(TypeError, 'ConfidencePolicy.load', 'path', 'a file path', path);
    return loadPolicy(path, (o) => new ConfidencePolicy(o), options);
  }

  /** @internal Autosave's save: resolves with the number of outcomes the file holds. */
  saveSnapshot(path: string): Promise<number> {
    return savePolicy(this, path);
  }

  /** Autosave's progress, or undefined without autosave. */
  autosaveStatus(): AutosaveStatus | undefined {
    return this.autosaver && { ...this.autosaver.status };
  }

  /** Stops the autosave timer and waits for a save in flight (the policy stays usable). */
  async close(): Promise<void> {
    this.autosaver?.stop();
    await this.autosaver?.flush();
  }

  /** @internal The calibration head's logit (before the output calibration) for a cell logit u of an agent slot, given the call's cell input row. */
  headLogit(u: number, rows: Float32Array, at: number, slot: number): number {
    return this.calibrator.logit(u, rows, at + this.inputs.memoryOffset, slot);
  }

  /** Where the outcome memories of a pending call, as it was scored, start in the pending inputs (its window's last row). */
  private lastRowMemory(slot: number): number {
    const W = this.options.window, I = this.inputSize;
    return (slot * W + this.pending.f.length[slot] - 1) * I + this.inputs.memoryOffset;
  }

  /** @internal Records a scored call as pending, copying its BPTT window from the agent's ring. */
  addPending(slot: number, time: number, confidence: number, cellLogit: number, headLogit: number, probability: number): number {
    const callId = this.counters.nextCallId++;
    const ps = this.pending.add(callId);
    const p = this.pending.f, a = this.agents.f;
    const W = this.options.window, I = this.inputSize, N = this.model.stateSize;
    const calls = a.calls[slot];
    const length = Math.min(calls, W);
    p.time[ps] = time; p.agentSlot[ps] = slot; p.generation[ps] = a.generation[slot];
    p.confidence[ps] = confidence; p.cellLogit[ps] = cellLogit; p.headLogit[ps] = headLogit; p.probability[ps] = probability;
    p.length[ps] = length; p.isStart[ps] = calls <= W ? 1 : 0;
    for (let k = 0; k < length; k++) {
      const r = (calls - length + k) % W; // ring position of the k-th call of the window
      copy(a.ringInputs, (slot * W + r) * I, p.inputs, (ps * W + k) * I, I);
      p.dt[ps * W + k] = a.ringDt[slot * W + r];
      if (k === 0) copy(a.ringState, (slot * W + r) * N, p.state, ps * N, N);
    }
    return callId;
  }

  private example(slot: number, y: number, slope: number, rest: number): LearningExample {
    const p = this.pending.f;
    const W = this.options.window, I = this.inputSize, N = this.model.stateSize;
    const L = p.length[slot];
    const data = new Float32Array(L * I + L + N);
    data.set(p.inputs.subarray(slot * W * I, slot * W * I + L * I), 0);
    data.set(p.dt.subarray(slot * W, slot * W + L), L * I);
    data.set(p.state.subarray(slot * N, (slot + 1) * N), L * I + L);
    const c = Math.min(Math.max(p.confidence[slot], 1e-6), 1 - 1e-6);
    return { length: L, isStart: p.isStart[slot] === 1, baseLogit: clampLogit(Math.log(c / (1 - c))), slope, rest, outcome: y, data };
  }

  private startPump(drainPartial: boolean): void {
    if (this.pump) return;
    const run = async (): Promise<void> => {
      try {
        while (this.learner.queued >= (drainPartial ? 1 : this.options.learnBatch)) {
          await this.learner.trainAsync(this.learner.take(this.options.learnBatch));
        }
      } finally {
        this.pump = undefined;
      }
    };
    this.pump = run();
  }
}
