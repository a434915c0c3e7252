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
