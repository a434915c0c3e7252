/** Offline metrics of the agents benchmark over a whole replay. */

const EPS = 1e-12;

export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>, pick?: ArrayLike<number>): number {
  let s = 0, n = 0;
  const each = (i: number): void => { const q = Math.min(Math.max(p[i], EPS), 1 - EPS); s -= y[i] ? Math.log(q) : Math.log(1 - q); n++; };
  if (pick) for (let k = 0; k < pick.length; k++) each(pick[k]);
  else for (let i = 0; i < p.length; i++) each(i);
  return n ? s / n : NaN;
}

export function brier(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - y[i]) ** 2;
  return s / p.length;
}

/**
 * Indices of `pick` (default all) ordered by p, ties by index: one native sort of packed keys
 * (p quantized to 2⁻²⁰ in the high bits, the index in the low 22 bits), so 2.77M calls sort in well under a second.
 */
export function orderByProbability(p: ArrayLike<number>, pick?: ArrayLike<number>): Int32Array {
  const n = pick ? pick.length : p.length;
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = pick ? pick[k] : k;
    keys[k] = Math.floor(Math.min(Math.max(p[i], 0), 1) * 2 ** 20) * 2 ** 22 + i;
  }
  keys.sort();
  return Int32Array.from(keys, (key) => key % 2 ** 22);
}

/** Equal-mass ECE: sort by p, `bins` groups of (nearly) equal size, Σ n_b |p̄_b − ȳ_b| / n. */
export function equalMassEce(p: ArrayLike<number>, y: ArrayLike<number>, bins = 15, pick?: ArrayLike<number>, order = orderByProbability(p, pick)): number {
  const n = order.length;
  if (n === 0) return NaN;
  let total = 0;
  for (let b = 0; b < bins; b++) {
    const lo = Math.floor((b * n) / bins), hi = Math.floor(((b + 1) * n) / bins);
    let sp = 0, sy = 0;
    for (let k = lo; k < hi; k++) { sp += p[order[k]]; sy += y[order[k]]; }
    total += Math.abs(sp - sy);
  }
  return total / n;
}

/** The ECE a perfectly calibrated predictor shows on the same probabilities: outcomes drawn from p (seeded). */
export function calibratedEce(p: ArrayLike<number>, bins = 15, seed = 7, draws = 3, pick?: ArrayLike<number>, order = orderByProbability(p, pick)): number {
  let s = seed >>> 0 || 1;
  const next = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const y = new Uint8Array(p.length);
  let total = 0;
  for (let d = 0; d < draws; d++) {
    for (let i = 0; i < p.length; i++) y[i] = next() < p[i] ? 1 : 0;
    total += equalMassEce(p, y, bins, pick, order);
  }
  return total / draws;
}

/** AUROC by ranks (ties get their mean rank). */
export function auroc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = p.length;
  const idx = orderByProbability(p);
  let rankSum = 0, pos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && p[idx[j + 1]] === p[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[idx[k]]) { rankSum += rank; pos++; }
    i = j + 1;
  }
  const neg = n - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Calibration in the large per group, weighted: Σ_g |Σp − Σy| / n (groups: airport-days, months, …). */
export function groupEce(p: ArrayLike<number>, y: ArrayLike<number>, group: ArrayLike<number>): number {
  const sums = new Map<number, number>();
  for (let i = 0; i < p.length; i++) sums.set(group[i], (sums.get(group[i]) ?? 0) + p[i] - y[i]);
  let total = 0;
  for (const d of sums.values()) total += Math.abs(d);
  return total / p.length;
}
