/** Small pieces shared by the benchmark scripts. */

/** Fills `out` with a fixed LCG stream scaled to [low, high): the same inputs in every run and every script. */
export function lcgFill(out: Float32Array, seed: number, low: number, high: number): Float32Array {
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = low + ((high - low) * s) / 4294967296;
  }
  return out;
}

/** A duration for a table: µs below a millisecond, ms below a second. */
export function fmtSeconds(s: number): string {
  if (s < 1e-3) return `${(s * 1e6).toFixed(1)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(2)} ms`;
  return `${s.toFixed(2)} s`;
}

/** A rate for a table: k and M suffixes. */
export function fmtRate(r: number): string {
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)} M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)} k`;
  return r.toFixed(0);
}

/** A byte count for a table, in MiB. */
export function fmtBytes(b: number): string {
  return `${(b / 1048576).toFixed(0)} MiB`;
}
