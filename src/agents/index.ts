/** Confidence-scoring policies for agents (docs/agents.md). */
export { ConfidencePolicy, type ScoredCall, type PolicyMemory } from './policy.js';
export type { ConfidencePolicyOptions } from './options.js';
export type { AgentCall } from './validate-call.js';
export type { PolicyMetrics, AgentMetrics, MetricsOptions } from './metrics-report.js';
export type { ReliabilityBin, CalibrationSummary } from './running-metrics.js';
export type { AutosaveStatus } from './autosave.js';
export type { PolicyReportOptions } from './report.js';
export type { PolicyReportData, AgentCalibration } from './report-section.js';
export type { CalibrationWindow } from './calibration-history.js';
export { UnknownCallError, AgentTimeError } from './errors.js';
export { withConfidence, type WithConfidenceOptions, type CalibratedResult, type ConfidenceWrapped } from './with-confidence.js';
export { OnlineLogistic, type OnlineLogisticOptions } from './online-logistic.js';
