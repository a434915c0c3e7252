/**
 * The flights stream of the agents benchmark (issue 13): vega-datasets' flights-3m.parquet, one agent per
 * origin airport. Timestamps are the file's local airport times (stored as timezone-less microseconds, read here
 * as if UTC, so date arithmetic never crosses a DST or zone shift). An outcome (delay > 15 min) is revealed at
 * scheduled departure + max(delay, 0).
 *
 * The agent's raw confidence is a logistic model fitted on 1–14 January and then frozen: hour of day (two
 * harmonics), day of week (one-hot), log distance and a per-airport intercept (ridge). The calls that are replayed
 * are the ones from 15 January on. (No package imports here, so notebooks can load this file; the parquet reader
 * is bench/agents/parquet.ts.)
 */
import { readFileSync } from 'node:fs';

export const DELAY_THRESHOLD_MIN = 15;
const MINUTE_MS = 60_000;

export interface FlightRows {
  time: Float64Array; // ms, local airport time
  delay: Float64Array; // minutes
  distance: Float64Array; // miles
  origin: Int32Array; // index into airports
  airports: string[];
}

export interface AgentStream {
  airports: string[];
  /** Replayed calls, in file (local time) order. */
  time: Float64Array;
  revealTime: Float64Array;
  agent: Int32Array;
  confidence: Float64Array;
  /** hour/24, day of week/7, log(distance) − 6: three features per call. */
  features: Float32Array;
  outcome: Uint8Array;
  /** Calls in the fitting period (not replayed). */
  fitCalls: number;
}

/** flights-*.json rows ({date: 'YYYY/MM/DD HH:MM', delay, distance, origin}), for tests and notebooks. */
export function readFlightsJson(path: string): FlightRows {
  const rows = JSON.parse(readFileSync(path, 'utf8')) as { date: string; delay: number; distance: number; origin: string }[];
  return fromRows(rows.map((r) => [new Date(r.date.replace(/\//g, '-').replace(' ', 'T') + ':00Z'), r.delay, r.distance, r.origin]));
}

export function fromRows(rows: [Date, number, number, string][]): FlightRows {
  const n = rows.length;
  const index = new Map<string, number>();
  const out: FlightRows = { time: new Float64Array(n), delay: new Float64Array(n), distance: new Float64Array(n), origin: new Int32Array(n), airports: [] };
  for (let i = 0; i < n; i++) {
    const [date, delay, distance, origin] = rows[i];
    out.time[i] = date.getTime();
    out.delay[i] = delay;
    out.distance[i] = distance;
    let a = index.get(origin);
    if (a === undefined) { a = out.airports.length; index.set(origin, a); out.airports.push(origin); }
    out.origin[i] = a;
  }
  return out;
}

const HARMONICS = 2;
const GLOBAL_FEATURES = 1 + 2 * HARMONICS + 7 + 1; // bias, hour harmonics, day of week, log distance

function globalRow(time: number, distance: number, row: Float64Array): void {
  const d = new Date(time);
  const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
  row[0] = 1;
  for (let k = 1; k <= HARMONICS; k++) {
    row[2 * k - 1] = Math.sin((2 * Math.PI * k * hour) / 24);
    row[2 * k] = Math.cos((2 * Math.PI * k * hour) / 24);
  }
  for (let w = 0; w < 7; w++) row[1 + 2 * HARMONICS + w] = d.getUTCDay() === w ? 1 : 0;
  row[GLOBAL_FEATURES - 1] = Math.log(Math.max(distance, 1)) - 6;
}

/** Builds the replayed stream: fits the frozen agent model on days before `fitUntil` (ms), replays the rest; outcome: delay > `threshold` minutes. */
export function buildStream(rows: FlightRows, fitUntil = Date.UTC(2001, 0, 15), threshold = DELAY_THRESHOLD_MIN): AgentStream {
  const n = rows.time.length;
  let fitCalls = 0;
  while (fitCalls < n && rows.time[fitCalls] < fitUntil) fitCalls++;
  const A = rows.airports.length;
  const weights = fitLogistic(rows, fitCalls, A, threshold);
  const m = n - fitCalls;
  const s: AgentStream = {
    airports: rows.airports, time: new Float64Array(m), revealTime: new Float64Array(m), agent: new Int32Array(m),
    confidence: new Float64Array(m), features: new Float32Array(m * 3), outcome: new Uint8Array(m), fitCalls,
  };
  const row = new Float64Array(GLOBAL_FEATURES);
  for (let j = 0; j < m; j++) {
    const i = fitCalls + j;
    const t = rows.time[i];
    globalRow(t, rows.distance[i], row);
    let z = weights[GLOBAL_FEATURES + rows.origin[i]];
    for (let k = 0; k < GLOBAL_FEATURES; k++) z += weights[k] * row[k];
    s.time[j] = t;
    s.revealTime[j] = t + Math.max(rows.delay[i], 0) * MINUTE_MS;
    s.agent[j] = rows.origin[i];
    s.confidence[j] = 1 / (1 + Math.exp(-z));
    const d = new Date(t);
    s.features[3 * j] = (d.getUTCHours() + d.getUTCMinutes() / 60) / 24;
    s.features[3 * j + 1] = d.getUTCDay() / 7;
    s.features[3 * j + 2] = Math.log(Math.max(rows.distance[i], 1)) - 6;
    s.outcome[j] = rows.delay[i] > threshold ? 1 : 0;
  }
  return s;
}

/** Ridge logistic regression (full-batch Adam, fixed iterations: deterministic) on the first `count` rows. */
function fitLogistic(rows: FlightRows, count: number, airports: number, threshold: number): Float64Array {
  const P = GLOBAL_FEATURES + airports;
  const w = new Float64Array(P);
  const m = new Float64Array(P);
  const v = new Float64Array(P);
  const g = new Float64Array(P);
  const X = new Float64Array(count * GLOBAL_FEATURES);
  const y = new Uint8Array(count);
  const row = new Float64Array(GLOBAL_FEATURES);
  for (let i = 0; i < count; i++) {
    globalRow(rows.time[i], rows.distance[i], row);
    X.set(row, i * GLOBAL_FEATURES);
    y[i] = rows.delay[i] > threshold ? 1 : 0;
  }
  const ridge = 1e-4;
  const lr = 0.05;
  for (let it = 1; it <= 300; it++) {
    g.fill(0);
    for (let i = 0; i < count; i++) {
      const o = i * GLOBAL_FEATURES;
      const a = GLOBAL_FEATURES + rows.origin[i];
      let z = w[a];
      for (let k = 0; k < GLOBAL_FEATURES; k++) z += w[k] * X[o + k];
      const r = 1 / (1 + Math.exp(-z)) - y[i];
      for (let k = 0; k < GLOBAL_FEATURES; k++) g[k] += r * X[o + k];
      g[a] += r;
    }
    for (let k = 0; k < P; k++) {
      const gk = g[k] / Math.max(count, 1) + (k === 0 ? 0 : ridge * w[k]);
      m[k] = 0.9 * m[k] + 0.1 * gk;
      v[k] = 0.999 * v[k] + 0.001 * gk * gk;
      w[k] -= (lr * m[k] / (1 - 0.9 ** it)) / (Math.sqrt(v[k] / (1 - 0.999 ** it)) + 1e-8);
    }
  }
  return w;
}
