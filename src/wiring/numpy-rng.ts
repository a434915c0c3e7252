/**
 * Bit-exact ports of the two numpy random streams ncps uses to draw wirings (SPEC §1 "Random number streams"):
 * - `RandomState(seed)`: legacy MT19937 (`init_genrand`), used by NCP / AutoNCP;
 * - `DefaultRng(seed)` = `np.random.default_rng(seed)`: SeedSequence → PCG64 (XSL-RR 128/64), used by
 *   FullyConnected / Random.
 * Reference: numpy 1.24 `random/mtrand.pyx`, `_generator.pyx`, `bit_generator.pyx`, `src/pcg64/pcg64.{h,c}`,
 * `src/distributions/distributions.c`. Only what the wirings need is ported, and only for ranges below 2^32.
 *
 * The PCG64 step runs in a tiny WebAssembly module (see below); BigInt is used only for the two seeding steps
 * and to expose raw states and 64-bit outputs to tests.
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

const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;
/** PCG's default 128-bit multiplier (`PCG_DEFAULT_MULTIPLIER_128`). */
const PCG_MULT = (2549297995355413924n << 64n) | 4865540595714422341n;

/*
 * The PCG64 step runs in a 430-byte WebAssembly module: 128-bit arithmetic in i64 is ~6× faster than the best
 * pure-JS version we measured (16-bit limbs in doubles), which matters for wirings of thousands of units (millions
 * of draws). The bytes were assembled by hand from the WAT-style pseudocode below; the bit-exact tests against
 * numpy's streams (rng_streams.json, both wiring fixtures) check them. ML = 0x4385DF649FCCF645 and
 * MH = 0x2360ED051FC65DA4 are the low and high halves of PCG_MULT.
 *
 * (module
 *   (global $sh (export "sh") (mut i64) (i64.const 0))  (global $sl (export "sl") (mut i64) (i64.const 0))
 *   (global $ih (export "ih") (mut i64) (i64.const 0))  (global $il (export "il") (mut i64) (i64.const 0))
 *   (global $out (export "out") (mut i64) (i64.const 0))
 *   (global $has (export "has") (mut i32) (i32.const 0)) (global $buf (export "buf") (mut i32) (i32.const 0))
 *   ;; state = state * MULT + inc (mod 2^128), with MULT = MH:ML; out = rotr64(hi ^ lo, hi >> 58)
 *   (func $step (export "step") (local $a0 i64) (local $a1 i64) (local $p01 i64) (local $p10 i64)
 *                                (local $hi i64) (local $lo i64)
 *     a0 = sl & 0xffffffff; a1 = sl >> 32; p01 = a0 * ML1; p10 = a1 * ML0        ;; ML = ML1:ML0 (32-bit halves)
 *     hi = a1*ML1 + (p01 >> 32) + (p10 >> 32) + (((a0*ML0) >> 32 + (p01 & M32) + (p10 & M32)) >> 32)  ;; mulhi
 *     hi += sl*MH + sh*ML + ih;  lo = sl*ML + il;  hi += (lo <u il)
 *     sh = hi; sl = lo; out = i64.rotr(hi ^ lo, hi >>u 58))
 *   ;; numpy pcg64_next32: low half of a fresh output, then its buffered high half
 *   (func $next32 (export "next32") (result i32)
 *     (if (result i32) has (then has = 0; buf) (else step; has = 1; buf = wrap(out >> 32); wrap(out))))
 *   ;; numpy buffered_bounded_lemire_uint32 for 0 < max < 2^32 - 1
 *   (func $bounded (export "bounded") (param $max i32) (result i32) (local $excl i64) (local $m i64) (local $t i32)
 *     excl = extend_u(max) + 1;  m = extend_u(next32()) * excl
 *     (if (wrap(m) <u wrap(excl)) (then t = (-1 - max) rem_u wrap(excl)
 *        (loop (if (wrap(m) <u t) (then m = extend_u(next32()) * excl; br 1)))))
 *     wrap(m >> 32)))
 */
const PCG64_WASM_BASE64 =
  'AGFzbQEAAAABDQNgAABgAAF/YAF/AX8DBAMAAQIGJAd+AUIAC34BQgALfgFCAAt+AUIAC34BQgALfwFBAAt/AUEACwdBCgJzaAMAAnNs' +
  'AwECaWgDAgJpbAMDA291dAMEA2hhcwMFA2J1ZgMGBHN0ZXAAAAZuZXh0MzIAAQdib3VuZGVkAAIKpQIDugEBBn4jAUL/////D4MhACMB' +
  'QiCIIQEgAELkvpecBH4hAiABQsXss/4JfiEDIAFC5L6XnAR+IAJCIIh8IANCIIh8IABCxeyz/gl+QiCIIAJC/////w+DfCADQv////8P' +
  'g3xCIIh8IwFCpLuZ/tGgu7AjfnwjAELF7LP+yez3wsMAfnwjAnwhBCMBQsXss/7J7PfCwwB+IwN8IQUgBCAFIwNUrXwhBCAEJAAgBSQB' +
  'IAQgBYUgBEI6iIokBAsfACMFBH9BACQFIwYFEABBASQFIwRCIIinJAYjBKcLC0cCAn4BfyAArUIBfCEBEAGtIAF+IQIgAqcgAadJBEBB' +
  'fyAAayABp3AhAwNAIAKnIANJBEAQAa0gAX4hAgwBCwsLIAJCIIinCw==';

/** The little of the WebAssembly JS API used here (@types/node does not declare it without the DOM lib). */
interface WasmGlobal {
  value: bigint | number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Pcg64Exports {
  sh: WasmGlobal;
  sl: WasmGlobal;
  ih: WasmGlobal;
  il: WasmGlobal;
  out: WasmGlobal;
  has: WasmGlobal;
  step(): void;
  next32(): number;
  bounded(max: number): number;
}

let pcg64Module: object | undefined;

/** PCG64 (XSL-RR 128/64) seeded as numpy's `PCG64(SeedSequence(seed))`. */
export class PCG64 {
  declare private readonly wasm: Pcg64Exports;

  constructor(seed: number) {
    pcg64Module ??= new wasmApi.Module(Buffer.from(PCG64_WASM_BASE64, 'base64'));
    // Not enumerable: the instance's functions differ per generator, which would make two wirings with the same
    // state compare unequal in deep-equality checks (the state itself is compared through getState()).
    Object.defineProperty(this, 'wasm', { value: new wasmApi.Instance(pcg64Module, {}).exports, enumerable: false });
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
    this.wasm.sh.value = BigInt.asIntN(64, state >> 64n);
    this.wasm.sl.value = BigInt.asIntN(64, state & MASK64);
    this.wasm.ih.value = BigInt.asIntN(64, inc >> 64n);
    this.wasm.il.value = BigInt.asIntN(64, inc & MASK64);
  }

  /** Next 64-bit output (tests only; the wirings draw 32-bit values). */
  nextUint64(): bigint {
    this.wasm.step();
    return BigInt.asUintN(64, this.wasm.out.value as bigint);
  }

  /** numpy `pcg64_next32`: the low half of a 64-bit output now, its high half on the next call. */
  nextUint32(): number {
    return this.wasm.next32() >>> 0;
  }

  /** Lemire bounded integer in [0, max] for 0 < max < 2^32 - 1 (numpy `buffered_bounded_lemire_uint32`). */
  lemire(max: number): number {
    return this.wasm.bounded(max) >>> 0;
  }

  /** The raw 128-bit `state` and `inc` (as numpy's `bit_generator.state['state']`). */
  getState(): { state: bigint; inc: bigint } {
    const u = (g: WasmGlobal) => BigInt.asUintN(64, g.value as bigint);
    return { state: (u(this.wasm.sh) << 64n) | u(this.wasm.sl), inc: (u(this.wasm.ih) << 64n) | u(this.wasm.il) };
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
