/**
 * The parts of a ConfidencePolicy that its helpers (scoring, persistence, metrics, reports, autosave) read and
 * call, declared apart from the class so that those helpers depend on these interfaces and never import
 * policy.ts, which imports them (no import circle). ConfidencePolicy implements every interface here.
 */
import type { SequenceModel } from '../models/sequence-model.js';
import type { AgentTable } from './agent-table.js';
import type { Calibrator } from './calibrator.js';
import type { CalibrationHistory } from './calibration-history.js';
import type { CellInputs, FeatureScaler } from './cell-inputs.js';
import type { CellLearner } from './learner.js';
import type { ResolvedPolicyOptions } from './options.js';
import type { OutputCalibration } from './output-calibration.js';
import type { PendingCalls } from './pending-calls.js';
import type { RunningCalibration } from './running-metrics.js';

export interface ScoredCall {
  /** Pass it to observe() with the outcome. */
  callId: number;
  /** Calibrated probability that the call succeeds. */
  probability: number;
}

/** The policy's running counters, saved with it. */
export interface PolicyCounters {
  nextCallId: number;
  outcomes: number;
  /** Latest call time seen (ms); -Infinity before the first call. */
  clock: number;
}

/** Everything the policy has learned and counted: what metrics and reports read, and persistence saves and restores. */
export interface PolicyState {
  readonly options: ResolvedPolicyOptions;
  readonly model: SequenceModel;
  readonly h0: Float32Array;
  readonly agents: AgentTable;
  readonly pending: PendingCalls;
  readonly scaler: FeatureScaler;
  readonly calibrator: Calibrator;
  readonly output: OutputCalibration;
  readonly learner: CellLearner;
  readonly overall: RunningCalibration;
  readonly history: CalibrationHistory;
  counters: PolicyCounters;
}

/** What a save needs besides the state: a way to wait until queued learning has been applied. */
export interface PersistablePolicy extends PolicyState {
  idle(): Promise<void>;
}

/** What scoring a batch of calls needs: the cell's inputs, the calibration head, and a way to record pending calls. */
export interface ScoringPolicy extends PolicyState {
  readonly inputSize: number;
  readonly inputs: CellInputs;
  headLogit(u: number, rows: Float32Array, at: number, slot: number): number;
  addPending(slot: number, time: number, confidence: number, cellLogit: number, headLogit: number, probability: number): number;
}

/** What autosave calls: a save that resolves with the number of outcomes the file holds. */
export interface SnapshotSaver {
  saveSnapshot(path: string): Promise<number>;
}
