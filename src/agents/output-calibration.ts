/**
 * The policy's last stage: it recalibrates the calibration head's logit z (head + per-agent bias) against
 * outcomes, online, so the probabilities stay calibrated while the stream drifts. Two parts, both with forgetting:
 *   1. online Platt on [z, 1] (Newton steps): fixes a slope that is off, e.g. when the shared head and the
 *      per-agent biases both chase the same shift and together overshoot;
 *   2. a smooth binned correction on Platt's logit v: BINS fixed centres evenly spaced on [LOW, HIGH] in logit
 *      space, each with a bias learned by a one-dimensional Newton step weighted by v's distance to it
 *      (linear interpolation between the two nearest centres, so the map stays continuous). This fixes a
 *      reliability curve that is bent, which Platt's straight line cannot.
 * p = σ(v + Σ_b w_b(v) β_b). Both start as the identity, so a new policy gives the head's probability.
 * Chosen by measurement (docs/agents.md, bench/results/agents-heldout.md).
 */
import { OnlineLogistic, clampLogit, sigmoid } from './online-logistic.js';

export const OUTPUT_BINS = 13;
const LOW = -5;
const HIGH = 5;
/** Pseudo-curvature of each bin: its first few outcomes move it little. */
const BIN_PRIOR = 5;

export class OutputCalibration {
  readonly platt: OnlineLogistic;
  /** Per bin: bias, then curvature (2 × OUTPUT_BINS). */
  readonly bins = new Float64Array(2 * OUTPUT_BINS);
  private readonly row = new Float64Array(2);

  constructor(readonly enabled: boolean, readonly forgetting: number) {
    this.platt = new OnlineLogistic(2, { forgetting, prior: 1, initial: [1, 0] });
  }

  /** The recalibrated logit of head logit z. */
  logit(z: number): number {
    if (!this.enabled) return z;
    const v = this.plattLogit(z);
    return clampLogit(v + this.correction(v));
  }

  probability(z: number): number {
    return sigmoid(this.logit(z));
  }

  /** One outcome y of a call whose head logit was z when it was scored. */
  learn(z: number, y: number): void {
    if (!this.enabled) return;
    const v = this.plattLogit(z);
    const p = sigmoid(clampLogit(v + this.correction(v)));
    const w = Math.max(p * (1 - p), 1e-6);
    const b = this.bins, C = OUTPUT_BINS, at = binBelow(v), t = shareAbove(v, at);
    for (let k = 0; k < C; k++) b[C + k] *= this.forgetting;
    this.step(at, 1 - t, w, y - p);
    if (t > 0) this.step(at + 1, t, w, y - p);
    this.row[0] = z;
    this.row[1] = 1;
    this.platt.update(this.row, y);
  }

  /** The binned correction at Platt logit v: the two nearest centres' biases, interpolated. */
  private correction(v: number): number {
    const at = binBelow(v), t = shareAbove(v, at);
    return (1 - t) * this.bins[at] + (t > 0 ? t * this.bins[at + 1] : 0);
  }

  /** A one-dimensional Newton step of bin k's bias, for its `share` of an outcome with residual r and weight w. */
  private step(k: number, share: number, w: number, r: number): void {
    const b = this.bins, C = OUTPUT_BINS;
    b[C + k] += share * w;
    b[k] += (share * r) / (b[C + k] + BIN_PRIOR);
  }

  private plattLogit(z: number): number {
    this.row[0] = z;
    this.row[1] = 1;
    return this.platt.logit(this.row);
  }
}

const SPACING = (HIGH - LOW) / (OUTPUT_BINS - 1);

/** The centre at or below v (the first below LOW, the last above HIGH). */
function binBelow(v: number): number {
  if (!(v > LOW)) return 0;
  if (v >= HIGH) return OUTPUT_BINS - 1;
  return Math.min(Math.floor((v - LOW) / SPACING), OUTPUT_BINS - 2);
}

/** v's share towards the centre after `at` (0 outside [LOW, HIGH]). */
function shareAbove(v: number, at: number): number {
  if (!(v > LOW) || v >= HIGH) return 0;
  return Math.min(Math.max((v - LOW) / SPACING - at, 0), 1);
}
