/**
 * Learning rate for one optimizer step. A pure function of the position in training (not a stateful
 * scheduler object), so a resumed run computes exactly the rates the uninterrupted run would have.
 */
import type { ResolvedSchedule } from './options.js';

export interface SchedulePosition {
  /** Updates applied before this one (0 for the first batch of training). */
  step: number;
  /** 0-based epoch and batch of this update. */
  epoch: number;
  batch: number;
  batches: number;
  /** Total epochs of the run (cosine's default period). */
  epochs: number;
}

export function learningRate(schedule: ResolvedSchedule, baseLr: number, at: SchedulePosition): number {
  let lr = baseLr;
  if (schedule.type === 'step') {
    // Per epoch, like torch.optim.lr_scheduler.StepLR stepped once per epoch.
    lr = baseLr * Math.pow(schedule.gamma!, Math.floor(at.epoch / schedule.stepSize!));
  } else if (schedule.type === 'cosine') {
    // Evaluated every batch on the fractional epoch, so the rate falls smoothly rather than in epoch stairs;
    // after tMax it stays at minLr (no restarts).
    const tMax = schedule.tMax ?? at.epochs;
    const e = Math.min(at.epoch + at.batch / at.batches, tMax);
    const minLr = schedule.minLr ?? 0;
    lr = minLr + ((baseLr - minLr) * (1 + Math.cos((Math.PI * e) / tMax))) / 2;
  }
  if (schedule.warmupSteps > 0 && at.step < schedule.warmupSteps) lr *= (at.step + 1) / schedule.warmupSteps;
  return lr;
}
