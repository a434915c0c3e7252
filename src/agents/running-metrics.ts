/**
 * Running calibration metrics of a policy's probabilities against revealed outcomes: log loss, Brier score,
 * and a reliability table of equal-width bins with its ECE (Σ_b n_b |p̄_b − ȳ_b| / n). Cumulative since the
 * policy was created (they are saved with it).
 */

export const RELIABILITY_BINS = 15;
const EPS = 1e-12;

export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  meanProbability: number;
  observedRate: number;
}

export interface CalibrationSummary {
  outcomes: number;
  logLoss: number;
  brier: number;
  ece: number;
  meanProbability: number;
  observedRate: number;
}

export function pointLogLoss(p: number, y: number): number {
  const q = Math.min(Math.max(p, EPS), 1 - EPS);
  return y ? -Math.log(q) : -Math.log(1 - q);
}

export class RunningCalibration {
  /** Per bin: count, Σ p, Σ y; then Σ log loss, Σ Brier. */
  readonly sums = new Float64Array(3 * RELIABILITY_BINS + 2);

  add(p: number, y: number): void {
    const b = Math.min(RELIABILITY_BINS - 1, Math.floor(p * RELIABILITY_BINS));
    const s = this.sums;
    s[3 * b] += 1;
    s[3 * b + 1] += p;
    s[3 * b + 2] += y;
    s[3 * RELIABILITY_BINS] += pointLogLoss(p, y);
    s[3 * RELIABILITY_BINS + 1] += (p - y) ** 2;
  }

  bins(): ReliabilityBin[] {
    const s = this.sums;
    return Array.from({ length: RELIABILITY_BINS }, (_, b) => ({
      lower: b / RELIABILITY_BINS,
      upper: (b + 1) / RELIABILITY_BINS,
      count: s[3 * b],
      meanProbability: s[3 * b] ? s[3 * b + 1] / s[3 * b] : NaN,
      observedRate: s[3 * b] ? s[3 * b + 2] / s[3 * b] : NaN,
    }));
  }

  summary(): CalibrationSummary {
    const s = this.sums;
    let n = 0, sp = 0, sy = 0, gap = 0;
    for (let b = 0; b < RELIABILITY_BINS; b++) {
      n += s[3 * b];
      sp += s[3 * b + 1];
      sy += s[3 * b + 2];
      gap += Math.abs(s[3 * b + 1] - s[3 * b + 2]);
    }
    return {
      outcomes: n,
      logLoss: n ? s[3 * RELIABILITY_BINS] / n : NaN,
      brier: n ? s[3 * RELIABILITY_BINS + 1] / n : NaN,
      ece: n ? gap / n : NaN,
      meanProbability: n ? sp / n : NaN,
      observedRate: n ? sy / n : NaN,
    };
  }
}
