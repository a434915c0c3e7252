import type { FloatArray } from './float-array.js';

/**
 * One sequence call, as both backends take it (the native NativeModel.forward* and the reference runner).
 * Layouts: input B×L×S (batchFirst) or L×B×S; timespans B×L or L×B; output B×L×P / L×B×P (returnSequences)
 * or B×P; states B×H; hSequence B×L×H. Outputs are written; dParams is accumulated into.
 */
export interface SequenceArgs<A extends FloatArray = FloatArray> {
  /** Parameter version: the native side rebuilds its precomputed parameters when it changes. */
  version: number;
  batch: number;
  steps: number;
  batchFirst: boolean;
  returnSequences: boolean;
  params?: A;
  input: A;
  timespans?: A;
  h0?: A;
  c0?: A;
  output: A;
  hFinal: A;
  cFinal?: A;
  hSequence?: A;
  dOutput?: A;
  dHFinal?: A;
  dCFinal?: A;
  dInput?: A;
  dTimespans?: A;
  dH0?: A;
  dC0?: A;
  dParams?: A;
  /** 0 (default): no dropout. Otherwise the seed of this call's backbone-dropout masks. */
  dropoutSeed?: number;
}

/** The built-in losses a fused forwardBackwardLoss call computes (backend/reference/loss.ts is their reference). */
export type LossKind = 'mse' | 'mae' | 'bce' | 'crossEntropy';

/**
 * The loss of a fused call, beside its SequenceArgs (no dOutput: the loss's gradient is the cotangent). target:
 * the output's layout, or one class index per output position when targetIsIndex (crossEntropy only); mask:
 * one 0/1 per output position (B·L with returnSequences, else B).
 */
export interface LossArgs<A extends FloatArray = FloatArray> {
  loss: LossKind;
  target: A;
  mask?: A;
  targetIsIndex?: boolean;
}

/** What a fused call returns: the batch mean and how many terms it is over. */
export interface LossValue {
  loss: number;
  count: number;
}
