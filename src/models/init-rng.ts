/**
 * Seeded random numbers for parameter initialisation (xoshiro128** over a splitmix32-expanded seed).
 * Same seed ⇒ same weights on every platform. The distributions follow ncps/PyTorch; the streams are our own
 * (bit-equal weights with PyTorch are not a goal: checkpoints carry weights across).
 */
import { Xoshiro128 } from '../random/xoshiro128.js';

export class InitRng extends Xoshiro128 {
  private spareNormal: number | undefined;

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  fillUniform(out: Float64Array | Float32Array | number[], low: number, high: number): void {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
  }
}


/** Xavier/Glorot uniform for a (fanOut × fanIn) weight: U(±√(6 / (fanIn + fanOut))). */
export function xavierUniform(rng: InitRng, rows: number, cols: number): Float64Array {
  const bound = Math.sqrt(6 / (rows + cols));
  const out = new Float64Array(rows * cols);
  rng.fillUniform(out, -bound, bound);
  return out;
}

/** PyTorch nn.Linear's default: weight and bias U(±1/√fanIn). */
export function linearDefault(rng: InitRng, size: number, fanIn: number): Float64Array {
  const bound = 1 / Math.sqrt(fanIn);
  const out = new Float64Array(size);
  rng.fillUniform(out, -bound, bound);
  return out;
}

/** A (rows × cols) matrix with orthonormal rows or columns (PyTorch orthogonal_: QR of a Gaussian matrix). */
export function orthogonal(rng: InitRng, rows: number, cols: number): Float64Array {
  // Orthonormalise the longer dimension's vectors by modified Gram–Schmidt on the transposed problem.
  const tall = rows >= cols;
  const n = tall ? rows : cols; // vector length
  const k = tall ? cols : rows; // number of vectors
  const vectors: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal();
    for (const q of vectors) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += v[i] * q[i];
      for (let i = 0; i < n; i++) v[i] -= dot * q[i];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < n; i++) v[i] /= norm;
    vectors.push(v);
  }
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = tall ? vectors[c][r] : vectors[r][c];
  }
  return out;
}
