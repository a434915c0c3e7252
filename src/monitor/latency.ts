/**
 * Latency as a distribution: percentiles and a log-spaced histogram of call durations. Agents stepping a model in
 * a control loop care about the tail (p99, max), which a mean hides.
 */

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
}

export interface HistogramBin {
  /** Bin edges, in the durations' unit; the last bin includes its upper edge. */
  low: number;
  high: number;
  count: number;
}

/** Nearest-rank percentiles (a value that occurred, never an interpolation); zeros for no samples. */
export function summariseLatency(durations: readonly number[]): LatencySummary {
  const n = durations.length;
  if (n === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0, min: 0, mean: 0 };
  const sorted = Float64Array.from(durations).sort();
  const rank = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  let sum = 0;
  for (const d of sorted) sum += d;
  return { count: n, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted[n - 1], min: sorted[0], mean: sum / n };
}

/**
 * `bins` log-spaced bins from the shortest to the longest duration (linear when the shortest is 0), so a tail
 * ten times the median still gets bins of its own. Every duration lands in exactly one bin.
 */
export function latencyHistogram(durations: readonly number[], bins = 24): HistogramBin[] {
  if (durations.length === 0) return [];
  let min = Infinity, max = -Infinity;
  for (const d of durations) {
    if (d < min) min = d;
    if (d > max) max = d;
  }
  if (!(max > min)) return [{ low: min, high: max, count: durations.length }];
  const log = min > 0;
  const a = log ? Math.log(min) : min;
  const b = log ? Math.log(max) : max;
  const width = (b - a) / bins;
  const edge = (i: number) => (i === 0 ? min : i === bins ? max : log ? Math.exp(a + i * width) : a + i * width);
  const out: HistogramBin[] = Array.from({ length: bins }, (_, i) => ({ low: edge(i), high: edge(i + 1), count: 0 }));
  for (const d of durations) {
    const x = log ? Math.log(d) : d;
    out[Math.min(bins - 1, Math.max(0, Math.floor((x - a) / width)))].count++;
  }
  return out;
}
