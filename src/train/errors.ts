/** Training failures that are neither argument errors nor checkpoint errors. */
import { NcpError } from '../errors.js';

/**
 * The loss became NaN or ±Infinity. The batch's update is not applied, so the weights stay those of the last
 * finite step (save them, lower the learning rate or set clipGradNorm, and resume).
 */
export class TrainingDivergedError extends NcpError {
  readonly epoch: number;
  readonly batch: number;
  constructor(message: string, epoch: number, batch: number, code = 'NCP_TRAINING_DIVERGED') {
    super(message, code);
    this.epoch = epoch;
    this.batch = batch;
  }
}

/**
 * A gradient with NaN/±Inf (or an element whose square overflows the dtype) under nonFiniteGradient 'throw',
 * or too many in a row under 'skip'. Its update was not applied: the weights are those of the last finite step.
 */
export class NonFiniteGradientError extends TrainingDivergedError {
  /** The parameter tensor (ncps name) holding the first non-finite element, or the largest norm on overflow. */
  readonly tensor: string;
  /** Skipped updates in a row, this one included. */
  readonly consecutiveSkips: number;
  constructor(message: string, epoch: number, batch: number, tensor: string, consecutiveSkips: number) {
    super(message, epoch, batch, 'NCP_NON_FINITE_GRADIENT');
    this.tensor = tensor;
    this.consecutiveSkips = consecutiveSkips;
  }
}

/** fit() or resume() on a Trainer whose fit() has not settled yet: both would change the same state. */
export class TrainerBusyError extends NcpError {
  constructor(message: string) {
    super(message, 'NCP_TRAINER_BUSY');
  }
}
