/**
 * Calibration over time, bounded: outcomes are summed into windows of `window` outcomes (mean probability, observed
 * rate, log loss, the policy clock at the window's end); at most HISTORY_ROWS windows are kept, and when full,
 * neighbouring windows merge pairwise and the window doubles, so the history always spans the policy's whole life
 * in at most HISTORY_ROWS × 5 numbers. Saved with the policy.
 */
import { pointLogLoss } from './running-metrics.js';

export const HISTORY_ROWS = 256;
const FIRST_WINDOW = 256;
/** Per row: clock at the end (ms), outcomes, Σ p, Σ y, Σ log loss. */
const W = 5;

export interface CalibrationWindow {
  /** Policy clock (latest call time seen, ms) when the window closed. */
  endTime: number;
  outcomes: number;
  meanProbability: number;
  observedRate: number;
  logLoss: number;
}

export class CalibrationHistory {
  window = FIRST_WINDOW;
  rows = 0;
  readonly data = new Float64Array(HISTORY_ROWS * W);
  /** The open window: same layout as a row. */
  readonly open = new Float64Array(W);

  add(clock: number, p: number, y: number): void {
    const o = this.open;
    o[0] = clock; o[1] += 1; o[2] += p; o[3] += y; o[4] += pointLogLoss(p, y);
    if (o[1] < this.window) return;
    if (this.rows === HISTORY_ROWS) this.halve();
    this.data.set(o, this.rows++ * W);
    o.fill(0);
  }

  /** Merges rows pairwise (the later row's end time wins) and doubles the window. */
  private halve(): void {
    const d = this.data;
    for (let r = 0; r < HISTORY_ROWS / 2; r++) {
      const a = 2 * r * W, b = a + W, to = r * W;
      d[to] = d[b];
      for (let k = 1; k < W; k++) d[to + k] = d[a + k] + d[b + k];
    }
    d.fill(0, (HISTORY_ROWS / 2) * W);
    this.rows = HISTORY_ROWS / 2;
    this.window *= 2;
  }

  /** Closed windows, oldest first, then the open one when it holds outcomes. */
  windows(): CalibrationWindow[] {
    const out: CalibrationWindow[] = [];
    const row = (d: Float64Array, at: number): CalibrationWindow => ({
      endTime: d[at], outcomes: d[at + 1], meanProbability: d[at + 2] / d[at + 1], observedRate: d[at + 3] / d[at + 1], logLoss: d[at + 4] / d[at + 1],
    });
    for (let r = 0; r < this.rows; r++) out.push(row(this.data, r * W));
    if (this.open[1] > 0) out.push(row(this.open, 0));
    return out;
  }

  /** One flat array for the policy file: window, rows, the open window, the rows. */
  serialize(): Float64Array {
    const out = new Float64Array(2 + W + this.rows * W);
    out[0] = this.window; out[1] = this.rows;
    out.set(this.open, 2);
    out.set(this.data.subarray(0, this.rows * W), 2 + W);
    return out;
  }

  /** Restores from serialize()'s array; false when it is inconsistent. */
  restore(flat: ArrayLike<number>): boolean {
    const window = flat[0], rows = flat[1];
    if (!(Number.isInteger(window) && window >= FIRST_WINDOW && Number.isInteger(rows) && rows >= 0 && rows <= HISTORY_ROWS)) return false;
    if (flat.length !== 2 + W + rows * W) return false;
    this.window = window; this.rows = rows;
    for (let k = 0; k < W; k++) this.open[k] = flat[2 + k];
    this.data.fill(0);
    for (let i = 0; i < rows * W; i++) this.data[i] = flat[2 + W + i];
    return true;
  }
}
