/**
 * The pure-TypeScript reference cells: SPEC.md's equations written plainly, in float64 (JS numbers).
 * They are the oracle every native backend is compared with, and the "plain TypeScript" peer in bench/.
 * Same per-sample contract as native/core/cell.h.
 */
export type Vec = Float64Array;

export interface ReferenceCell<Tape = unknown> {
  /** S: features of x. */
  readonly inputSize: number;
  /** H: length of the state. */
  readonly stateSize: number;
  /** O: length of the output. */
  readonly outputSize: number;
  /**
   * One step for one sample. x: S, h: H, dt > 0. Writes hNext (H) and y (O) and returns what backward needs.
   * `dropoutKey` is 0 in inference; nonzero keys (training) let stochastic cells derive dropout masks.
   */
  forward(x: ArrayLike<number>, h: ArrayLike<number>, dt: number, hNext: Vec, y: Vec, dropoutKey?: number): Tape;
  /**
   * Exact reverse-mode step: dx += dL/dx (S), dh = dL/dh (H, overwrite), grad[offset + k] += dL/dp_k for every
   * trainable parameter (flat layout shared with the model); returns dL/d dt.
   */
  backward(
    x: ArrayLike<number>,
    h: ArrayLike<number>,
    dt: number,
    tape: Tape,
    dhNext: ArrayLike<number>,
    dy: ArrayLike<number>,
    dx: Vec,
    dh: Vec,
    grad: Vec,
  ): number;
}
