/**
 * The trainer's random stream (shuffling, dropout seeds): the shared xoshiro128** (random/xoshiro128.ts), with
 * its whole state readable and writable so a checkpoint can resume it exactly.
 */
import { argumentError } from '../errors.js';
import { Xoshiro128 } from '../random/xoshiro128.js';

export class TrainRng extends Xoshiro128 {
  /** Uniform integer in [0, n) for n ≤ 2^32, without modulo bias (rejection on the top range). */
  below(n: number): number {
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const r = this.nextU32();
      if (r < limit) return r % n;
    }
  }

  /** 0, 1, …, n-1 in a uniformly random order (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }

  /** The four state words, for a checkpoint. */
  getState(): number[] {
    return Array.from(this.s);
  }

  setState(state: readonly number[]): void {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff) || state.every((w) => w === 0)) {
      throw argumentError(RangeError, 'TrainRng.setState', 'state', 'four uint32 words, not all zero', state);
    }
    this.s = Uint32Array.from(state);
  }
}

