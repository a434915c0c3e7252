/** Training failures that are neither argument errors nor checkpoint errors. */
import { NcpError } from '../errors.js';

/**
 * The loss became NaN or ±Infinity. The batch's update is not applied, so the weights stay those of the last
 * finite step (save them, lower the learning rate or set clipGradNorm, and resume).
 */
export class TrainingDivergedError extends NcpError {
  readonly epoch: number;
  readonly batch: number;
  constructor(message: string, epoch: number, batch: number) {
    super(message, 'NCP_TRAINING_DIVERGED');
    this.epoch = epoch;
    this.batch = batch;
  }
}

/** fit() or resume() on a Trainer whose fit() has not settled yet: both would change the same state. */
export class TrainerBusyError extends NcpError {
  constructor(message: string) {
    super(message, 'NCP_TRAINER_BUSY');
  }
}
