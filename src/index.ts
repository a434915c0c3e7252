/**
 * ncp-silicon: Neural Circuit Policies (LTC, CfC) for TypeScript, with fused native kernels.
 * Public exports only; everything else is internal.
 */
import './backend/require-native.js';
export { backendInfo, setNumThreads, getNumThreads } from './backend/info.js';
export type { BackendInfo, BackendDescription } from './backend/info.js';
export type { Crossover } from './backend/select.js';
export type { CrossoverMeasurement, CrossoverRung, CrossoverCase } from './backend/crossover-ladder.js';
export { CrossoverCacheError } from './backend/crossover-cache.js';
export type { BackendMemory, SequenceBackend } from './backend/sequence-backend.js';
export type { CellSpec, ModelSpec } from './backend/cell-spec.js';
export {
  NcpError,
  BackendUnavailableError,
  NotImplementedError,
  CheckpointError,
  NativeError,
  NonFiniteWeightsError,
  OnnxRuntimeError,
  SizeLimitError,
} from './errors.js';
export type { NativeErrorCode } from './errors.js';
export { LIMITS, type LimitName } from './limits.js';

export { Wiring, FullyConnected, Random, NCP, AutoNCP, PolarityMatrix } from './wiring/index.js';
export type {
  NeuronType,
  WiringKind,
  WiringJSON,
  NcpsWiringConfig,
  FullyConnectedOptions,
  RandomOptions,
  NCPOptions,
  AutoNCPOptions,
  WiringSVGOptions,
} from './wiring/index.js';

export { LTC, type LTCOptions } from './models/ltc.js';
export { CfC, type CfCOptions } from './models/cfc.js';
export type {
  Backend,
  State,
  MixedState,
  ForwardOptions,
  ForwardResult,
  ForwardBackwardOptions,
  ForwardBackwardResult,
  Gradients,
  ParameterConstraints,
} from './models/sequence-model.js';
export type { SequenceModel } from './models/sequence-model.js';
export { tensor, type Tensor, type Dtype, type FloatArray } from './models/tensor.js';
export type { ParamLayout, ParamEntry } from './backend/param-layout.js';
export type { ModelSummary, SummaryParameter, SummaryWiring } from './models/summary.js';

export { loadSafetensors, loadSafetensorsSync, saveSafetensors, saveSafetensorsSync } from './io/safetensors.js';
export type { SafeTensor, SafetensorsDtype } from './io/safetensors.js';
export { fromNcps, type NcpsModelConfig } from './io/from-ncps.js';

export { exportOnnx, OnnxPolicy, COREML_MLPROGRAM_OPS } from './onnx/index.js';
export { onnxRuntimeInfo } from './onnx/index.js';
export type { ExportOnnxOptions, OnnxPolicyOptions, OnnxExecutionProvider, OnnxProvider, OnnxModelInfo, OnnxRuntimeInfo } from './onnx/index.js';

export { fit, evaluate, predict, Trainer, TrainingDivergedError, NonFiniteGradientError, TrainerBusyError } from './train/index.js';
export type * from './train/index.js'; // TrainData, FitOptions, History, … (listed once, in train/index.ts)
export { saveModel, loadModel, type LoadModelOptions, type ModelConfig, type CheckpointModel } from './io/checkpoint.js';

export { memory, calibrate, cachedCalibration, measureCrossover, startProfile, Profile, ProfileBusyError, ProfileResult, APPLE_DATASHEETS, appleDatasheet } from './monitor/index.js';
export type {
  MemorySnapshot,
  Calibration,
  CalibrateOptions,
  CeilingFigures,
  MeasureCrossoverOptions,
  CrossoverProgress,
  CrossoverResult,
  ContentionReport,
  CeilingCheck,
  AppleChipDatasheet,
  ProfileOptions,
  KernelCallRecord,
  KernelSummary,
  ReportOptions,
  TraceFile,
  TraceEvent,
  TrainSlice,
  SystemInfo,
} from './monitor/index.js';

export { ConfidencePolicy, withConfidence, UnknownCallError, AgentTimeError } from './agents/index.js';
export type * from './agents/index.js';

// The windowing `ncp-silicon train` / `predict` use (docs/training.md, "Forecast windows").
export { forecastWindows, calendarSeasons, windowOrigins, numericSequence, fitNormalisation, encodeTarget, decodeTarget, inputWidth } from './train/forecast-windows.js';
export type { DataSpec, TargetMode, NumericSequence, Sequence, Row, WindowOrigin, CliWindows } from './train/forecast-windows.js';
export { readSequences } from './io/read-sequences.js';
