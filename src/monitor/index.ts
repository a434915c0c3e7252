/** Monitoring: memory, work accounting (FLOPs, bytes), ceilings, traces and reports. docs/monitoring.md explains every figure. */
export { memory, type MemorySnapshot } from './memory.js';
export { calibrate, cachedCalibration, type Calibration, type CalibrateOptions, type CeilingFigures } from './calibrate.js';
export { measureCrossover, type MeasureCrossoverOptions, type CrossoverProgress, type CrossoverResult } from './crossover-measure.js';
export { CONTENTION_LIMITS, type ContentionReport } from './contention.js';
export type { CeilingCheck } from './ceiling-check.js';
export { APPLE_DATASHEETS, appleDatasheet, type AppleChipDatasheet } from './apple-datasheet.js';
export { startProfile, Profile, ProfileBusyError, type ProfileOptions } from './profile.js';
export { ProfileResult, type KernelCallRecord, type KernelSummary, type OnnxCallRecord } from './result.js';
export type { ReportOptions } from './report.js';
export type { TraceFile, TraceEvent } from './trace.js';
export type { TrainSlice } from '../train/train-events.js';
export type { SystemInfo } from './system.js';
export type { ReportSection } from './report-section.js';
