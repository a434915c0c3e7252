/**
 * The training figures a report draws, from the trainer's slices (train-events.ts): loss per batch, placed at its
 * fractional epoch (epoch − 1 + batch / batches in that epoch), and per epoch with the validation loss when the
 * trainer reported one.
 */
import type { TrainSlice } from '../train/train-events.js';

export interface BatchLossPoint {
  epoch: number;
  batch: number;
  /** epoch − 1 + batch / (batches in the epoch): the x of the batch on an epoch axis. */
  at: number;
  loss: number;
  ms: number;
}

export interface EpochLossPoint {
  epoch: number;
  loss?: number;
  valLoss?: number;
  batches: number;
  ms: number;
}

export function batchLosses(training: readonly TrainSlice[]): BatchLossPoint[] {
  const batches = training.filter((t) => t.kind === 'batch');
  const perEpoch = new Map<number, number>();
  for (const b of batches) perEpoch.set(b.epoch, Math.max(perEpoch.get(b.epoch) ?? 0, b.batch ?? 0));
  return batches
    .filter((b) => b.loss !== undefined && Number.isFinite(b.loss))
    .map((b) => ({ epoch: b.epoch, batch: b.batch ?? 0, at: b.epoch - 1 + (b.batch ?? 0) / Math.max(1, perEpoch.get(b.epoch) ?? 1), loss: b.loss!, ms: b.endMs - b.startMs }));
}

export function epochLosses(training: readonly TrainSlice[]): EpochLossPoint[] {
  const counts = new Map<number, number>();
  for (const t of training) if (t.kind === 'batch') counts.set(t.epoch, (counts.get(t.epoch) ?? 0) + 1);
  return training
    .filter((t) => t.kind === 'epoch')
    .map((e) => ({
      epoch: e.epoch,
      ...(e.loss !== undefined && Number.isFinite(e.loss) ? { loss: e.loss } : {}),
      ...(e.valLoss !== undefined && Number.isFinite(e.valLoss) ? { valLoss: e.valLoss } : {}),
      batches: counts.get(e.epoch) ?? 0,
      ms: e.endMs - e.startMs,
    }));
}
