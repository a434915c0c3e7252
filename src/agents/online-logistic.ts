/**
 * Online logistic regression by Newton steps with exponential forgetting: the calibration heads of the policy
 * (online Platt, per-agent bias) and the benchmark's baselines. After each outcome the curvature is
 * H ← λ·H + p(1−p)·x·xᵀ + (1−λ)·δ·I and the weights take the step H⁻¹·x·(y − p). λ < 1 forgets old outcomes
 * (effective memory ≈ 1/(1−λ) outcomes), which is what keeps a calibrator honest when its input drifts;
 * the (1−λ)·δ·I term keeps H invertible when one direction stops being excited.
 */

export interface OnlineLogisticOptions {
  /** λ in (0, 1]; 1 never forgets. */
  forgetting: number;
  /** δ: prior precision (also the initial curvature). */
  prior: number;
  /** Initial weights (default zeros). */
  initial?: ArrayLike<number>;
}

/** Largest |logit| a head produces: keeps log loss finite when the data are nearly pure. */
export const MAX_LOGIT = 12;

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function clampLogit(z: number): number {
  return z > MAX_LOGIT ? MAX_LOGIT : z < -MAX_LOGIT ? -MAX_LOGIT : z;
}

export class OnlineLogistic {
  readonly dims: number;
  readonly weights: Float64Array;
  /** Curvature, row-major d×d. */
  readonly curvature: Float64Array;
  private readonly forgetting: number;
  private readonly prior: number;
  private readonly scratch: Float64Array;

  constructor(dims: number, options: OnlineLogisticOptions) {
    this.dims = dims;
    this.forgetting = options.forgetting;
    this.prior = options.prior;
    this.weights = new Float64Array(dims);
    if (options.initial) this.weights.set(options.initial);
    this.curvature = new Float64Array(dims * dims);
    for (let i = 0; i < dims; i++) this.curvature[i * dims + i] = options.prior;
    this.scratch = new Float64Array(dims * (dims + 1));
  }

  logit(x: ArrayLike<number>): number {
    let z = 0;
    for (let i = 0; i < this.dims; i++) z += this.weights[i] * x[i];
    return clampLogit(z);
  }

  /** One Newton step towards outcome y ∈ {0, 1} at input x; `offset` is added to the logit (fixed part). */
  update(x: ArrayLike<number>, y: number, offset = 0): void {
    const d = this.dims;
    const p = sigmoid(clampLogit(this.logit(x) + offset));
    const w = Math.max(p * (1 - p), 1e-6);
    const H = this.curvature;
    const lambda = this.forgetting;
    const ridge = (1 - lambda) * this.prior;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) H[i * d + j] = lambda * H[i * d + j] + w * x[i] * x[j] + (i === j ? ridge : 0);
    }
    // Solve H·s = x·(y − p) by Gaussian elimination on a copy (d is tiny; H is symmetric positive definite).
    const A = this.scratch;
    const r = y - p;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) A[i * (d + 1) + j] = H[i * d + j];
      A[i * (d + 1) + d] = x[i] * r;
    }
    for (let c = 0; c < d; c++) {
      const pivot = A[c * (d + 1) + c];
      for (let i = c + 1; i < d; i++) {
        const f = A[i * (d + 1) + c] / pivot;
        for (let j = c; j <= d; j++) A[i * (d + 1) + j] -= f * A[c * (d + 1) + j];
      }
    }
    for (let i = d - 1; i >= 0; i--) {
      let s = A[i * (d + 1) + d];
      for (let j = i + 1; j < d; j++) s -= A[i * (d + 1) + j] * A[j * (d + 1) + d];
      A[i * (d + 1) + d] = s / A[i * (d + 1) + i];
    }
    for (let i = 0; i < d; i++) {
      const step = A[i * (d + 1) + d];
      if (Number.isFinite(step)) this.weights[i] += step;
    }
  }
}
