import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DefaultRng, PCG64, RandomState, recordRngCalls, seedSequenceState } from './numpy-rng.js';

const streams = JSON.parse(
  readFileSync(new URL('../../test/fixtures/ncps/rng_streams.json', import.meta.url), 'utf8'),
).streams as Record<string, unknown>;

describe('RandomState (legacy MT19937)', () => {
  it.each([22222, 1, 0])('matches numpy RandomState(%i) raw 32-bit outputs', (seed) => {
    const rng = new RandomState(seed);
    const outputs = Array.from({ length: 32 }, () => rng.nextUint32());
    expect(outputs).toEqual(streams[`mt19937_legacy_seed_${seed}_uint32`]);
  });

  it('matches RandomState(22222).choice([-1, 1]) x10', () => {
    const rng = new RandomState(22222);
    expect(Array.from({ length: 10 }, () => rng.choice([-1, 1]))).toEqual(streams['RandomState(22222).choice([-1,1]) x10']);
  });

  it('matches RandomState(22222).permutation(6) x3', () => {
    const rng = new RandomState(22222);
    const perms = [0, 1, 2].map(() => Array.from(rng.permutation(6)));
    expect(perms).toEqual(streams['RandomState(22222).permutation(6) x3']);
  });

  it('choice without replacement is the head of a full permutation (all n-1 draws consumed)', () => {
    const a = new RandomState(5);
    const b = new RandomState(5);
    const picked = a.choice([10, 11, 12, 13, 14, 15], 2, false);
    const perm = b.permutation(6);
    expect(picked).toEqual([10 + perm[0], 10 + perm[1]]);
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('choosing from one element draws nothing (numpy randint with an empty range)', () => {
    const a = new RandomState(9);
    const b = new RandomState(9);
    expect(a.choice([7])).toBe(7);
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('refuses seeds outside [0, 2^32 - 1]', () => {
    expect(() => new RandomState(-1)).toThrow(RangeError);
    expect(() => new RandomState(2 ** 32)).toThrow(RangeError);
    expect(() => new RandomState(1.5)).toThrow(RangeError);
  });
});

describe('SeedSequence + PCG64 (default_rng)', () => {
  it.each([1111, 0])('state right after seeding matches numpy for seed %i', (seed) => {
    const state = new PCG64(seed).getState();
    const expected = streams[`pcg64_seedsequence_${seed}_state_after_seeding`] as { state: string; inc: string };
    expect(state.state.toString()).toBe(expected.state);
    expect(state.inc.toString()).toBe(expected.inc);
  });

  it.each([1111, 0])('first 16 64-bit outputs match numpy for seed %i', (seed) => {
    const pcg = new PCG64(seed);
    const outputs = Array.from({ length: 16 }, () => pcg.nextUint64().toString());
    expect(outputs).toEqual(streams[`pcg64_seedsequence_${seed}_uint64_as_str`]);
  });

  it('32-bit draws are the low then the high half of one 64-bit output', () => {
    const a = new PCG64(1111);
    const b = new PCG64(1111);
    for (let i = 0; i < 8; i++) {
      const word = a.nextUint64();
      expect(b.nextUint32()).toBe(Number(word & 0xffffffffn));
      expect(b.nextUint32()).toBe(Number(word >> 32n));
    }
  });

  it('seeds above 2^32 use several entropy words (numpy _int_to_uint32_array)', () => {
    // SeedSequence(2**40 + 5).generate_state(2), numpy 2.4.6 (SeedSequence is stream-stable).
    expect(Array.from(seedSequenceState(2 ** 40 + 5, 2))).toEqual([3767146251, 3672381269]);
  });

  it('matches default_rng(1111).choice([-1, 1, 1]) x20', () => {
    const rng = new DefaultRng(1111);
    expect(Array.from({ length: 20 }, () => rng.choice([-1, 1, 1]))).toEqual(streams['default_rng(1111).choice([-1,1,1]) x20']);
  });

  // Expected values from numpy 2.4.6 `default_rng(1111)`, calls made in this order on one generator
  // (Generator.choice/integers have not changed since 1.17). They cover Floyd's algorithm with its shuffle,
  // the tail-shuffle path (population > 10000, size > population // 50), Floyd on a large population, a range
  // near 2^31, and Lemire's rejection step for bounds that are not powers of two.
  it('choice without replacement follows numpy on every path', () => {
    const rng = new DefaultRng(1111);
    expect(Array.from(rng.sampleIndices(20, 7))).toEqual([11, 16, 12, 19, 15, 9, 8]);
    expect(Array.from(rng.sampleIndices(20000, 500).slice(0, 8))).toEqual([8018, 11423, 4425, 7176, 18943, 5576, 10322, 12509]);
    expect(Array.from(rng.sampleIndices(20000, 100).slice(0, 8))).toEqual([3388, 10409, 16161, 11177, 18024, 19172, 4645, 12140]);
    expect(Array.from(rng.sampleIndices(2 ** 31, 3))).toEqual([990697116, 591735995, 1543782693]);
    expect(Array.from(rng.sampleIndices(5, 5))).toEqual([2, 0, 4, 3, 1]);
    expect(rng.integers(0, 3000000000)).toBe(803131037);
  });

  it('size 0 draws nothing', () => {
    const a = new DefaultRng(3);
    const b = new DefaultRng(3);
    expect(a.sampleIndices(50, 0)).toHaveLength(0);
    expect(a.integers(0, 10)).toBe(b.integers(0, 10));
  });
});

describe('recordRngCalls', () => {
  it('records every choice call in order, with the fixtures’ trace shape', () => {
    const { result, calls } = recordRngCalls(() => {
      const rng = new RandomState(22222);
      return [rng.choice([4, 5, 6], 2, false), rng.choice([-1, 1])];
    });
    expect(calls).toEqual([
      { method: 'choice', population: [4, 5, 6], size: 2, replace: false, result: result[0] },
      { method: 'choice', population: [-1, 1], size: null, replace: true, result: result[1] },
    ]);
  });

  it('records nothing outside the callback, and nests', () => {
    const rng = new DefaultRng(1);
    const outer = recordRngCalls(() => {
      rng.choice([1, 2]);
      const inner = recordRngCalls(() => rng.choice([3, 4]));
      expect(inner.calls).toHaveLength(1);
    });
    expect(outer.calls).toHaveLength(1);
    rng.choice([1, 2]);
    expect(outer.calls).toHaveLength(1);
  });
});
