/** The public types of a sequence model's calls (models/sequence-model.ts implements them). */
import type { FloatArray, Tensor } from './tensor.js';

import type { BackendChoice } from '../backend/sequence-backend.js';

/**
 * `'auto'` (default): the CPU kernels, or MLX for large float32 calls where MLX has a Metal GPU. `'cpu'`: the
 * native kernels. `'mlx'`: the MLX addon (float32; `npm run build:mlx`). `'reference'`: the plain TypeScript twin
 * (slow; for checking).
 */
export type Backend = BackendChoice;

export interface MixedState<A extends FloatArray = FloatArray> {
  h: Tensor<A>;
  c: Tensor<A>;
}
export type State<A extends FloatArray = FloatArray> = Tensor<A> | MixedState<A>;

export interface ForwardOptions {
  /** Initial state, (B×H) or (H) for an unbatched input; `{ h, c }` with mixed memory. Default zeros. */
  state?: State;
  /** Elapsed time per sample and step: (B×L) batch first, (L×B) time-major, (L) unbatched. Default 1. */
  timespans?: Tensor;
  /**
   * Seed of backbone-dropout masks (CfC with backboneDropout > 0): the training masks forwardBackward applies
   * with the same seed. 0 or absent: no dropout (inference).
   */
  dropoutSeed?: number;
}

export interface ForwardResult<A extends FloatArray = FloatArray> {
  output: Tensor<A>;
  state: State<A>;
}

export interface ForwardBackwardOptions extends ForwardOptions {
  /** Extra cotangent on the final state (same shape as the returned state). */
  dState?: State;
}

/** The fused call's options: a built-in loss of the output against `target`, then its gradients. */
export interface ForwardBackwardLossOptions extends ForwardBackwardOptions {
  /** 'mse', 'mae' (means over valid elements), 'bce' (on logits), 'crossEntropy' (mean over valid positions). */
  loss: 'mse' | 'mae' | 'bce' | 'crossEntropy';
  /** One 0/1 per output position (the output shape without its last axis): 0 drops it from the loss. */
  mask?: Tensor;
  /** crossEntropy only: target holds one class index per output position. */
  targetIsIndex?: boolean;
}

export interface Gradients<A extends FloatArray = FloatArray> {
  /** dL/dparameter for every trainable parameter, keyed by ncps name (views into `flat`). */
  params: Record<string, Tensor<A>>;
  /** All parameter gradients in the model's flat layout (trainable first), for optimizers. */
  flat: A;
  input: Tensor<A>;
  /** Present when timespans were given. */
  timespans?: Tensor<A>;
  /** dL/d(initial state). */
  state: State<A>;
}

export interface ForwardBackwardResult<A extends FloatArray = FloatArray> extends ForwardResult<A> {
  grads: Gradients<A>;
}

/** Parameter ranges a training step must keep valid after every update (the cell's own constraints). */
export interface ParameterConstraints {
  /** Clipped at 0 after every update (ncps's clamp when an LTC runs without its softplus). */
  nonNegative: { name: string; offset: number; size: number }[];
}

export interface ForwardBackwardLossResult<A extends FloatArray = FloatArray> extends ForwardBackwardResult<A> {
  /** The batch's mean loss (0 when nothing in it is valid). */
  loss: number;
  /** How many terms that mean is over (its weight in an epoch mean). */
  count: number;
}
