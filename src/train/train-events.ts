/**
 * The small hook the trainer calls at batch and epoch ends, so a running profile can draw training slices in its
 * trace without the trainer knowing about profiles. With no listener (no profile running) an emit is one size
 * check.
 */

export interface TrainSlice {
  kind: 'batch' | 'epoch';
  /** performance.now() at the start and end of the slice. */
  startMs: number;
  endMs: number;
  /** 1-based epoch, and batch within it (batch slices). */
  epoch: number;
  batch?: number;
  loss?: number;
  /** Epoch slices: the validation loss, when the run has validation data. */
  valLoss?: number;
}

type Listener = (slice: TrainSlice) => void;
const listeners = new Set<Listener>();

/** Called by src/train/trainer.ts. */
export function emitTrainSlice(slice: TrainSlice): void {
  if (listeners.size === 0) return;
  for (const listener of listeners) listener(slice);
}

/** Registers a listener; returns the function that removes it. */
export function onTrainSlice(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
