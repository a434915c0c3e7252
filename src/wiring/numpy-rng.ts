/**
 * Bit-exact ports of the two numpy random streams ncps uses to draw wirings (SPEC §1 "Random number streams"):
 * - `RandomState(seed)`: legacy MT19937 (`init_genrand`), used by NCP / AutoNCP;
 * - `DefaultRng(seed)` = `np.random.default_rng(seed)`: SeedSequence → PCG64 (XSL-RR 128/64), used by
 *   FullyConnected / Random.
 * Reference: numpy 1.24 `random/mtrand.pyx`, `_generator.pyx`, `bit_generator.pyx`, `src/pcg64/pcg64.{h,c}`,
 * `src/distributions/distributions.c`. Only what the wirings need is ported, and only for ranges below 2^32.
 *
 * The PCG64 step uses plain 32-bit number arithmetic (see below); BigInt is used only for seeding and to expose raw
 * states and 64-bit outputs to tests.
 */

/** One recorded `choice` call, in the shape of the fixtures' `rng_trace`. */
export interface RngCall {
  method: 'choice';
  population: unknown[];
  /** `null` when one element was drawn (numpy `size=None`). */
  size: number | null;
  replace: boolean;
  result: unknown;
}

let activeTrace: RngCall[] | undefined;

/**
 * Runs `fn` and returns every `choice` call made meanwhile, in order. Tests use it to compare a wiring's draws
 * with the fixtures' `rng_trace`; outside it, tracing costs one `undefined` check per call.
 */
export function recordRngCalls<T>(fn: () => T): { result: T; calls: RngCall[] } {
  const previous = activeTrace;
  const calls: RngCall[] = [];
  activeTrace = calls;
  try {
    return { result: fn(), calls };
  } finally {
    activeTrace = previous;
  }
}

/** Whether `recordRngCalls` is running; callers build a trace entry only then (a population may be large). */
export function isTracingRngCalls(): boolean {
  return activeTrace !== undefined;
}

/** Adds a call to the running trace (check `isTracingRngCalls()` first). */
export function traceRngCall(call: RngCall): void {
  activeTrace?.push(call);
}

const UINT32_MAX = 0xffffffff;

function assertSupportedRange(max: number): void {
  // numpy switches to 64-bit draws above this; no wiring gets near it (it would need a 4-GiB matrix).
  if (!(max >= 0 && max <= UINT32_MAX)) {
    throw new RangeError(`numpy-rng: bounded draws are only ported for ranges below 2^32, got ${max}.`);
  }
}

/** Smallest all-ones mask ≥ max (numpy `gen_mask`), for max < 2^32. */
function maskFor(max: number): number {
  let mask = max >>> 0;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Legacy RandomState (MT19937)
// ---------------------------------------------------------------------------------------------------------------

const MT_N = 624;
const MT_M = 397;

/** `np.random.RandomState(seed)`: MT19937 seeded with `init_genrand(seed)`; seed in [0, 2^32 - 1]. */
export class RandomState {
  private readonly mt = new Uint32Array(MT_N);
  private index = MT_N;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > UINT32_MAX) {
      throw new RangeError(`RandomState: seed must be an integer in [0, 2^32 - 1], got ${seed}.`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < MT_N; i++) {
      const prev = mt[i - 1];
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
  }

  /** Next 32-bit output (`genrand_int32`). */
  nextUint32(): number {
    if (this.index >= MT_N) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < MT_N; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % MT_N] & 0x7fffffff);
      mt[i] = mt[(i + MT_M) % MT_N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  /** Integer in [0, max] by mask-and-reject (`random_interval`, and `randint`'s masked path); max 0 draws nothing. */
  bounded(max: number): number {
    if (max === 0) return 0;
    assertSupportedRange(max);
    const mask = maskFor(max);
    let value: number;
    do value = (this.nextUint32() & mask) >>> 0;
    while (value > max);
    return value;
  }

  /** `permutation(n)`: Fisher–Yates from the end, one bounded draw per i = n-1 … 1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i >= 1; i--) {
      const j = this.bounded(i);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** `choice(population)`: one element (index = randint(0, n)). */
  choice<T>(population: readonly T[]): T;
  /** `choice(population, size, replace=False)`: the first `size` of a full permutation (all n-1 draws are made). */
  choice<T>(population: readonly T[], size: number, replace: false): T[];
  choice<T>(population: readonly T[], size?: number, replace?: false): T | T[] {
    if (size === undefined) {
      const result = population[this.bounded(population.length - 1)];
      if (activeTrace) traceRngCall({ method: 'choice', population: [...population], size: null, replace: true, result });
      return result;
    }
    if (replace !== false) throw new RangeError('RandomState.choice: only replace=false is ported for size ≠ None.');
    if (size > population.length) throw new RangeError('RandomState.choice: size larger than the population.');
    const order = this.permutation(population.length);
    const result: T[] = [];
    for (let i = 0; i < size; i++) result.push(population[order[i]]);
    if (activeTrace) traceRngCall({ method: 'choice', population: [...population], size, replace: false, result: [...result] });
    return result;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SeedSequence and PCG64
// ---------------------------------------------------------------------------------------------------------------

const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const POOL_SIZE = 4;

/** numpy `_int_to_uint32_array`: 32-bit words, lowest first; 0 gives [0]. */
function entropyWords(seed: number): number[] {
  if (seed === 0) return [0];
  const words: number[] = [];
  for (let n = seed; n > 0; n = Math.floor(n / 2 ** 32)) words.push(n % 2 ** 32);
  return words;
}

/** `SeedSequence(seed).generate_state(nWords32, uint32)` for a non-negative safe-integer seed (no spawn key). */
export function seedSequenceState(seed: number, nWords32: number): Uint32Array {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`SeedSequence: seed must be a non-negative safe integer, got ${seed}.`);
  }
  const entropy = entropyWords(seed);
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> 16)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (r ^ (r >>> 16)) >>> 0;
  };
  const pool = new Uint32Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(entropy[src]));
  }
  const out = new Uint32Array(nWords32);
  let genConst = INIT_B;
  for (let i = 0; i < nWords32; i++) {
    let value = (pool[i % POOL_SIZE] ^ genConst) >>> 0;
    genConst = Math.imul(genConst, MULT_B) >>> 0;
    value = Math.imul(value, genConst) >>> 0;
    out[i] = (value ^ (value >>> 16)) >>> 0;
  }
  return out;
}

/** PCG's default 128-bit multiplier (`PCG_DEFAULT_MULTIPLIER_128`); BigInt, for seeding. */
const PCG_MULT = (2549297995355413924n << 64n) | 4865540595714422341n;
const MASK128 = (1n << 128n) - 1n;

/*
 * The per-draw step works on plain numbers, since BigInt arithmetic is several times too slow for wirings of thousands
 * of units (millions of draws). The state and increment are four 32-bit words each and the multiplier is split into
 * eight 16-bit limbs: a 32-bit word times a 16-bit limb is below 2^48, so a sum of up to four such products stays
 * below 2^53 and is exact in a double. That takes 20 products where 16-bit limbs on both sides would take 36.
 * M0..M7 are those limbs, lowest first.
 */
const [M0, M1, M2, M3, M4, M5, M6, M7] = Array.from({ length: 8 }, (_, k) =>
  Number((PCG_MULT >> BigInt(16 * k)) & 0xffffn),
);
const TWO_16 = 0x10000;
const TWO_32 = 0x100000000;

/** The 128-bit value as four 32-bit words, lowest first. */
function toWords(value: bigint): Uint32Array {
  return Uint32Array.from({ length: 4 }, (_, i) => Number((value >> BigInt(32 * i)) & 0xffffffffn));
}

function fromWords(words: Uint32Array): bigint {
  return words.reduceRight((acc, word) => (acc << 32n) | BigInt(word), 0n);
}

/**
 * High 32 bits of x·y for 32-bit x and y. The full product can exceed 2^53, so x is split into 16-bit halves; the low
 * 16 bits dropped from the lower partial product cannot carry into the high word.
 */
function mulHi32(x: number, y: number): number {
  return Math.floor(((x >>> 16) * y + Math.floor(((x & 0xffff) * y) / TWO_16)) / TWO_16);
}

/** PCG64 (XSL-RR 128/64) seeded as numpy's `PCG64(SeedSequence(seed))`. */
export class PCG64 {
  // Private fields, so deep-equality checks of wirings ignore the generator (compare getState() instead).
  readonly #state = new Uint32Array(4);
  readonly #inc = new Uint32Array(4);
  /** High half of the latest 64-bit output (as int32 bits, see #next32). */
  #outHi = 0;
  /** numpy `has_uint32` / `uinteger`: the high half of an output not yet handed out by nextUint32. */
  #hasBuffered = false;
  #buffered = 0;

  constructor(seed: number) {
    const w = seedSequenceState(seed, 8);
    // generate_state(4, uint64) views pairs of uint32 as little-endian uint64 words v0..v3;
    // pcg64_set_seed takes initstate = v0·2^64 + v1 and initseq = v2·2^64 + v3.
    const word = (lo: number, hi: number) => (BigInt(hi) << 32n) | BigInt(lo);
    const initState = (word(w[0], w[1]) << 64n) | word(w[2], w[3]);
    const initSeq = (word(w[4], w[5]) << 64n) | word(w[6], w[7]);
    // pcg_setseq_128_srandom_r: state = 0, inc = initseq << 1 | 1, step, state += initstate, step.
    const inc = ((initSeq << 1n) | 1n) & MASK128;
    let state = inc;
    state = (((state + initState) & MASK128) * PCG_MULT + inc) & MASK128;
    this.#state.set(toWords(state));
    this.#inc.set(toWords(inc));
  }

  /**
   * One PCG64 step, `state = state * MULT + inc (mod 2^128)`, then the XSL-RR output of the new state:
   * rotr64(hi64 ^ lo64, hi64 >> 58). Returns the output's low 32 bits and leaves its high 32 bits in #outHi (both as
   * int32 bits).
   */
  #step(): number {
    const s = this.#state;
    const inc = this.#inc;
    const a0 = s[0];
    const a1 = s[1];
    const a2 = s[2];
    const a3 = s[3];
    // Column sums of the product, truncated to 128 bits: eN collects the even limbs (aligned with word N), oN the
    // odd limbs (16 bits above word N).
    const e0 = a0 * M0;
    const o0 = a0 * M1;
    const e1 = a0 * M2 + a1 * M0;
    const o1 = a0 * M3 + a1 * M1;
    const e2 = a0 * M4 + a1 * M2 + a2 * M0;
    const o2 = a0 * M5 + a1 * M3 + a2 * M1;
    const e3 = a0 * M6 + a1 * M4 + a2 * M2 + a3 * M0;
    const o3 = a0 * M7 + a1 * M5 + a2 * M3 + a3 * M1;
    // oN·2^16 would not be exact, so oN's low 16 bits go into word N and the rest into word N+1 (`& 0xffff` is
    // exact: bitwise operators take numbers mod 2^32). Only the carries depend on each other, so they are added last,
    // which keeps that dependency chain short. Every sum stays below 2^53.
    const w0 = e0 + (o0 & 0xffff) * TWO_16 + inc[0];
    const w1 = e1 + Math.floor(o0 / TWO_16) + (o1 & 0xffff) * TWO_16 + inc[1];
    const w2 = e2 + Math.floor(o1 / TWO_16) + (o2 & 0xffff) * TWO_16 + inc[2];
    const w3 = e3 + Math.floor(o2 / TWO_16) + (o3 & 0xffff) * TWO_16 + inc[3];
    const t1 = w1 + Math.floor(w0 / TWO_32);
    const t2 = w2 + Math.floor(t1 / TWO_32);
    const t3 = w3 + Math.floor(t2 / TWO_32);
    // `>>> 0` keeps a word's low 32 bits; word 3 drops its carry (mod 2^128).
    const r0 = w0 >>> 0;
    const r1 = t1 >>> 0;
    const r2 = t2 >>> 0;
    const r3 = t3 >>> 0;
    s[0] = r0;
    s[1] = r1;
    s[2] = r2;
    s[3] = r3;
    // XSL-RR on 32-bit halves. The rotation amount is random, so it is done without branches: a rotation by 32 or
    // more first swaps the halves (`swap` is 0 or all ones), and `<< 1 << (31 - r)` is `<< (32 - r)` except that it
    // gives 0 for r = 0 (a JavaScript shift by 32 would shift by 0).
    const xhi = r3 ^ r1;
    const xlo = r2 ^ r0;
    const rot = r3 >>> 26;
    const swap = -(rot >>> 5);
    const hi = xhi ^ ((xhi ^ xlo) & swap);
    const lo = xlo ^ ((xhi ^ xlo) & swap);
    const r = rot & 31;
    this.#outHi = (hi >>> r) | ((lo << 1) << (31 - r));
    return (lo >>> r) | ((hi << 1) << (31 - r));
  }

  /** Next 64-bit output (tests only; the wirings draw 32-bit values). */
  nextUint64(): bigint {
    const lo = this.#step();
    return (BigInt(this.#outHi >>> 0) << 32n) | BigInt(lo >>> 0);
  }

  /** numpy `pcg64_next32`: the low half of a 64-bit output now, its high half on the next call. */
  nextUint32(): number {
    return this.#next32() >>> 0;
  }

  /**
   * nextUint32 with the same bits as a signed int32: V8 passes int32 values around unboxed, whereas a uint32 above
   * 2^31 returned from a call that is not inlined is allocated on the heap, which made the hot path GC-bound.
   */
  #next32(): number {
    if (this.#hasBuffered) {
      this.#hasBuffered = false;
      return this.#buffered;
    }
    const lo = this.#step();
    this.#hasBuffered = true;
    this.#buffered = this.#outHi;
    return lo;
  }

  /**
   * Lemire bounded integer in [0, max] for 0 < max < 2^32 - 1 (numpy `buffered_bounded_lemire_uint32`): the high
   * word of draw·(max + 1), redrawing while the low word falls below 2^32 mod (max + 1).
   */
  lemire(max: number): number {
    const excl = max + 1;
    let draw = this.#next32();
    let low = Math.imul(draw, excl) >>> 0;
    if (low < excl) {
      const threshold = (UINT32_MAX - max) % excl;
      while (low < threshold) {
        draw = this.#next32();
        low = Math.imul(draw, excl) >>> 0;
      }
    }
    return mulHi32(draw >>> 0, excl);
  }

  /** The raw 128-bit `state` and `inc` (as numpy's `bit_generator.state['state']`). */
  getState(): { state: bigint; inc: bigint } {
    return { state: fromWords(this.#state), inc: fromWords(this.#inc) };
  }
}

/** `np.random.default_rng(seed)`: a Generator over PCG64. */
export class DefaultRng {
  readonly bitGenerator: PCG64;

  constructor(seed: number) {
    this.bitGenerator = new PCG64(seed);
  }

  /** Integer in [0, max] by Lemire's method on 32-bit draws (`random_bounded_uint64`, unmasked); max 0 draws nothing. */
  bounded(max: number): number {
    if (max === 0) return 0;
    // numpy draws a raw 32-bit value for this one range (Lemire's 32-bit method cannot express it).
    if (max === UINT32_MAX) return this.bitGenerator.nextUint32();
    assertSupportedRange(max);
    return this.bitGenerator.lemire(max);
  }

  /** `integers(low, high)` with int64 dtype: one integer in [low, high). */
  integers(low: number, high: number): number {
    return low + this.bounded(high - 1 - low);
  }

  /**
   * Indices of `choice(range(popSize), size, replace=False)` in draw order: Floyd's algorithm plus a shuffle,
   * except for populations above 10000 with size > popSize // 50, where numpy shuffles the tail of an index range.
   */
  sampleIndices(popSize: number, size: number): Int32Array {
    if (!(size >= 0 && size <= popSize)) throw new RangeError('DefaultRng.choice: size larger than the population.');
    if (popSize > 10000 && size > Math.floor(popSize / 50)) {
      const idx = new Int32Array(popSize);
      for (let i = 0; i < popSize; i++) idx[i] = i;
      this.shuffleTail(idx, popSize, Math.max(popSize - size, 1));
      return idx.slice(popSize - size);
    }
    const idx = new Int32Array(size);
    // numpy keeps a hash set of the picks; only membership matters for the result, so a Set does the same job.
    const chosen = new Set<number>();
    for (let j = popSize - size; j < popSize; j++) {
      const val = this.bounded(j);
      const pick = chosen.has(val) ? j : val;
      chosen.add(pick);
      idx[j - popSize + size] = pick;
    }
    this.shuffleTail(idx, size, 1);
    return idx;
  }

  /**
   * numpy `_shuffle_int(n, first)`: swaps i with bounded(i) for i = n-1 … first. The draws do not depend on the
   * data, so they are made in blocks first: on large arrays that lets the cache-missing swaps overlap.
   */
  private shuffleTail(data: Int32Array, n: number, first: number): void {
    const block = new Int32Array(Math.min(8192, Math.max(n - first, 0)));
    for (let top = n - 1; top >= first; top -= block.length) {
      const count = Math.min(block.length, top - first + 1);
      for (let k = 0; k < count; k++) block[k] = this.bounded(top - k);
      for (let k = 0; k < count; k++) {
        const i = top - k;
        const j = block[k];
        const t = data[j];
        data[j] = data[i];
        data[i] = t;
      }
    }
  }

  /** `choice(population)`: one element (index = integers(0, n)). */
  choice<T>(population: readonly T[]): T;
  /** `choice(population, size, replace=False)`. */
  choice<T>(population: readonly T[], size: number, replace: false): T[];
  choice<T>(population: readonly T[], size?: number, replace?: false): T | T[] {
    if (size === undefined) {
      const result = population[this.integers(0, population.length)];
      if (activeTrace) traceRngCall({ method: 'choice', population: [...population], size: null, replace: true, result });
      return result;
    }
    if (replace !== false) throw new RangeError('DefaultRng.choice: only replace=false is ported for size ≠ None.');
    const result = Array.from(this.sampleIndices(population.length, size), (i) => population[i]);
    if (activeTrace) traceRngCall({ method: 'choice', population: [...population], size, replace: false, result: [...result] });
    return result;
  }
}
