/** Training: fit / evaluate / predict, the resumable Trainer, and the types they take and return. */
export { fit, evaluate, predict } from './fit.js';
export { Trainer } from './trainer.js';
export { TrainingDivergedError, NonFiniteGradientError, TrainerBusyError } from './errors.js';
export type {
  AbortSignalLike,
  TrainData,
  MaskTensor,
  FitOptions,
  EvaluateOptions,
  PredictOptions,
  LossName,
  LossFunction,
  OptimizerName,
  OptimizerOptions,
  ScheduleOptions,
  EarlyStoppingOptions,
  BatchInfo,
  EpochInfo,
  EpochRecord,
  History,
} from './types.js';
