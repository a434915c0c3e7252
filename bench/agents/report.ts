/** Every figure the agents benchmark reports for one forecaster's probabilities over the replay. */
import type { AgentStream } from './stream.js';
import { auroc, brier, calibratedEce, equalMassEce, groupEce, logLoss, orderByProbability } from './metrics.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface SliceFigures { calls: number; logLoss: number; ece: number; calibratedEce: number }

export interface Figures {
  name: string;
  seconds: number;
  logLoss: number;
  brier: number;
  ece: number;
  /** The ECE a perfectly calibrated predictor shows on the same probabilities and n. */
  calibratedEce: number;
  auroc: number;
  airportDayEce: number;
  months: Record<string, SliceFigures>;
  afterGap6h: SliceFigures;
  afterGap24h: SliceFigures;
}

export interface StreamIndex {
  airportDay: Float64Array;
  month: Int32Array;
  byMonth: Map<number, Int32Array>;
  gap6h: Int32Array;
  gap24h: Int32Array;
}

export function indexStream(s: AgentStream, count: number): StreamIndex {
  const last = new Float64Array(s.airports.length).fill(NaN);
  const airportDay = new Float64Array(count), month = new Int32Array(count);
  const g6: number[] = [], g24: number[] = [];
  for (let j = 0; j < count; j++) {
    const a = s.agent[j], t = s.time[j];
    airportDay[j] = a * 1000 + Math.floor(t / DAY);
    month[j] = new Date(t).getUTCMonth() + 1;
    const gap = t - last[a];
    if (gap > 6 * HOUR) g6.push(j);
    if (gap > 24 * HOUR) g24.push(j);
    last[a] = t;
  }
  const byMonth = new Map<number, number[]>();
  month.forEach((m, j) => { if (!byMonth.has(m)) byMonth.set(m, []); byMonth.get(m)!.push(j); });
  const months = new Map([...byMonth].map(([m, list]) => [m, Int32Array.from(list)]));
  return { airportDay, month, byMonth: months, gap6h: Int32Array.from(g6), gap24h: Int32Array.from(g24) };
}

function slice(p: Float64Array, y: Uint8Array, pick: ArrayLike<number>): SliceFigures {
  const order = orderByProbability(p, pick);
  return { calls: pick.length, logLoss: logLoss(p, y, pick), ece: equalMassEce(p, y, 15, pick, order), calibratedEce: calibratedEce(p, 15, 7, 3, pick, order) };
}

export function figures(name: string, seconds: number, p: Float64Array, s: AgentStream, index: StreamIndex): Figures {
  const y = s.outcome.subarray(0, p.length);
  const months: Record<string, SliceFigures> = {};
  for (const [m, pick] of index.byMonth) months[String(m)] = slice(p, y, pick);
  const order = orderByProbability(p);
  return {
    name,
    seconds,
    logLoss: logLoss(p, y),
    brier: brier(p, y),
    ece: equalMassEce(p, y, 15, undefined, order),
    calibratedEce: calibratedEce(p, 15, 7, 3, undefined, order),
    auroc: auroc(p, y),
    airportDayEce: groupEce(p, y, index.airportDay),
    months,
    afterGap6h: slice(p, y, index.gap6h),
    afterGap24h: slice(p, y, index.gap24h),
  };
}
