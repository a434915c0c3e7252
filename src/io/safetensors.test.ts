import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointError } from '../errors.js';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';
import {
  loadSafetensors,
  loadSafetensorsSync,
  saveSafetensors,
  saveSafetensorsSync,
  type SafetensorsInput,
} from './safetensors.js';
import { thrown } from '../../test/helpers/thrown.js';

// ---------------------------------------------------------------------------------------------- helpers

const ascii = (text: string) => Array.from(Buffer.from(text, 'utf8'));
const u64 = (n: number | bigint) => Array.from(new Uint8Array(new BigUint64Array([BigInt(n)]).buffer));
const f32 = (...values: number[]) => Array.from(new Uint8Array(new Float32Array(values).buffer));
const spaces = (count: number) => new Array<number>(count).fill(0x20);

/** A file from a header text (padded with spaces to 8 bytes unless told otherwise) and data bytes. */
function file(header: string, data: number[] = [], options: { pad?: boolean; length?: bigint } = {}): Uint8Array {
  const json = ascii(header);
  const padded = options.pad === false ? json : [...json, ...spaces((8 - (json.length % 8)) % 8)];
  return Uint8Array.from([...u64(options.length ?? padded.length), ...padded, ...data]);
}

const entry = (dtype: string, shape: number[], begin: number, end: number) =>
  JSON.stringify({ dtype, shape, data_offsets: [begin, end] });

/** The raw little-endian u16 words of the (single) tensor in a saved file. */
function storedU16(bytes: Uint8Array): number[] {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return Array.from(new Uint16Array(bytes.slice(8 + n).buffer));
}

function expectCheckpointError(run: () => unknown, message: RegExp): void {
  const caught = thrown(run);
  expect(caught).toBeInstanceOf(CheckpointError);
  expect((caught as CheckpointError).code).toBe('NCP_CHECKPOINT_INVALID');
  expect((caught as Error).message).toMatch(message);
}

function expectArgumentError(run: () => unknown, kind: typeof TypeError | typeof RangeError, message: RegExp): void {
  const caught = thrown(run);
  expect(caught).toBeInstanceOf(kind);
  expect((caught as { code?: string }).code).toBe(kind === TypeError ? 'NCP_INVALID_TYPE' : 'NCP_INVALID_RANGE');
  expect((caught as Error).message).toMatch(message);
}

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(join(os.tmpdir(), 'ncp-safetensors-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------- round trips

const EVERY_DTYPE: Record<string, SafetensorsInput> = {
  f64: { shape: [2, 3], data: new Float64Array([1.5, -2, Math.PI, -0, Infinity, NaN]) },
  f32: { shape: [3], data: new Float32Array([0.1, -3.5e38, 1e-45]) },
  i64: { shape: [3], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n]) },
  u64: { shape: [2], data: new BigUint64Array([0n, 2n ** 64n - 1n]) },
  i32: { shape: [2], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]) },
  u32: { shape: [2], data: new Uint32Array([0, 2 ** 32 - 1]) },
  i16: { shape: [2], data: new Int16Array([-32768, 32767]) },
  u16: { shape: [2], data: new Uint16Array([0, 65535]) },
  i8: { shape: [2], data: new Int8Array([-128, 127]) },
  u8: { shape: [2], data: new Uint8Array([0, 255]) },
  bool: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
  f16: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xc100]) },
  bf16: { dtype: 'BF16', shape: [2], data: new Uint16Array([0x3f80, 0xc020]) },
};

describe('round trips', () => {
  it('keeps every dtype, shape and value, in aligned typed arrays of the right class', async () => {
    const bytes = saveSafetensorsSync(EVERY_DTYPE);
    const { tensors } = loadSafetensorsSync(bytes);
    const expected: Record<string, [string, Function]> = {
      f64: ['F64', Float64Array], f32: ['F32', Float32Array], i64: ['I64', BigInt64Array],
      u64: ['U64', BigUint64Array], i32: ['I32', Int32Array], u32: ['U32', Uint32Array], i16: ['I16', Int16Array],
      u16: ['U16', Uint16Array], i8: ['I8', Int8Array], u8: ['U8', Uint8Array], bool: ['BOOL', Uint8Array],
      f16: ['F16', Float32Array], bf16: ['BF16', Float32Array],
    };
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, [dtype, kind]] of Object.entries(expected)) {
      const tensor = tensors[name]!;
      expect(tensor.dtype).toBe(dtype);
      expect(tensor.shape).toEqual(EVERY_DTYPE[name]!.shape);
      expect(tensor.data).toBeInstanceOf(kind);
      expect(tensor.data.byteOffset % tensor.data.BYTES_PER_ELEMENT).toBe(0);
      if (dtype !== 'F16' && dtype !== 'BF16') expect(tensor.data).toEqual(EVERY_DTYPE[name]!.data);
    }
    expect(tensors.f16!.data).toEqual(new Float32Array([1, -2.5]));
    expect(tensors.bf16!.data).toEqual(new Float32Array([1, -2.5]));
    expect(Object.is(tensors.f64!.data[3], -0)).toBe(true);
    // Loaded tensors save back to the same bytes (F16/BF16 re-encode exactly from their Float32Array).
    expect(saveSafetensorsSync(tensors)).toEqual(bytes);
    expect(await saveSafetensors(tensors)).toEqual(bytes);
  });

  it('round-trips through a file with the sync and async APIs', async () => {
    const path = join(dir, 'model.safetensors');
    const written = await saveSafetensors(EVERY_DTYPE, path, { metadata: { format: 'pt' } });
    expect(new Uint8Array(fs.readFileSync(path))).toEqual(written);
    const fromAsync = await loadSafetensors(path);
    const fromSync = loadSafetensorsSync(path);
    expect(fromSync).toEqual(fromAsync);
    expect(fromAsync.metadata).toEqual({ format: 'pt' });
    expect(fromAsync).toEqual(loadSafetensorsSync(written));
    saveSafetensorsSync({ x: { shape: [1], data: new Float32Array([7]) } }, path);
    expect((await loadSafetensors(path)).tensors.x!.data).toEqual(new Float32Array([7]));
  });

  it('keeps scalars ([]) and empty tensors (a 0 in the shape)', () => {
    const bytes = saveSafetensorsSync({
      scalar: { shape: [], data: new Float64Array([42]) },
      empty: { shape: [0, 3], data: new Float32Array(0) },
      after: { shape: [1], data: new Float32Array([5]) },
    });
    const { tensors } = loadSafetensorsSync(bytes);
    expect(tensors.scalar).toEqual({ dtype: 'F64', shape: [], data: new Float64Array([42]) });
    expect(tensors.empty).toEqual({ dtype: 'F32', shape: [0, 3], data: new Float32Array(0) });
    expect(tensors.after!.data).toEqual(new Float32Array([5]));
  });

  it('copies out of an unaligned view without aliasing the caller buffer', () => {
    const bytes = saveSafetensorsSync({ w: { shape: [2], data: new Float64Array([1.25, -8]) } });
    const host = new Uint8Array(bytes.length + 3);
    host.set(bytes, 3);
    const view = host.subarray(3);
    const { tensors } = loadSafetensorsSync(view);
    expect(tensors.w!.data).toEqual(new Float64Array([1.25, -8]));
    host.fill(0);
    expect(tensors.w!.data).toEqual(new Float64Array([1.25, -8]));
    // A Node Buffer (whose slice() is a view) is copied as well.
    const fromBuffer = loadSafetensorsSync(Buffer.from(bytes)).tensors.w!;
    expect(fromBuffer.data.buffer.byteLength).toBe(16);
  });

  it('keeps metadata, including escapes, unicode and integer-like keys', async () => {
    const metadata = { b: '2', a: 'quote " and\nnewline', '10': 'ten', '9': 'nine', 'ünï': '✓' };
    const bytes = await saveSafetensors({ w: { shape: [1], data: new Float32Array([1]) } }, undefined, { metadata });
    expect((await loadSafetensors(bytes)).metadata).toEqual(metadata);
    // Metadata first, keys sorted, so equal metadata always gives equal bytes.
    expect(Buffer.from(bytes).toString('utf8', 8).startsWith('{"__metadata__":{"10":"ten","9":"nine","a":')).toBe(true);
    expect(loadSafetensorsSync(saveSafetensorsSync({})).metadata).toEqual({});
    expect(loadSafetensorsSync(file('{"__metadata__":null}')).metadata).toEqual({});
  });

  it('handles names that are integer-like or "__proto__" as ordinary own keys', () => {
    const t = { shape: [1], data: new Float32Array([1]) };
    const dict = Object.fromEntries([['b', t], ['9', t], ['10', t], ['__proto__', t]]) as Record<string, SafetensorsInput>;
    const bytes = saveSafetensorsSync(dict);
    // Sorted by UTF-8 bytes ("10" < "9" < "__proto__" < "b"), not by JS's integer-keys-first order.
    const header = Buffer.from(bytes).toString('utf8', 8);
    expect(header.indexOf('"10"')).toBeLessThan(header.indexOf('"9"'));
    expect(header.indexOf('"9"')).toBeLessThan(header.indexOf('"__proto__"'));
    const { tensors } = loadSafetensorsSync(bytes);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(Object.keys(tensors).sort()).toEqual(['10', '9', '__proto__', 'b']);
  });
});

// ---------------------------------------------------------------------------------------------- half floats

describe('F16 and BF16', () => {
  const load16 = (dtype: 'F16' | 'BF16', bits: number[]) =>
    Array.from(loadSafetensorsSync(saveSafetensorsSync({ x: { dtype, shape: [bits.length], data: Uint16Array.from(bits) } })).tensors.x!.data as Float32Array);
  const save16 = (dtype: 'F16' | 'BF16', values: number[]) =>
    storedU16(saveSafetensorsSync({ x: { dtype, shape: [values.length], data: Float32Array.from(values) } }));

  it('decodes F16 bit patterns exactly (normals, max, subnormals, ±0, ±inf, NaN)', () => {
    const values = load16('F16', [0x3c00, 0xc100, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x0000]);
    const expected = [1, -2.5, 65504, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, Infinity, -Infinity, NaN, -0, 0];
    values.forEach((value, i) => expect(Object.is(value, expected[i])).toBe(true));
  });

  it('decodes BF16 bit patterns exactly', () => {
    const values = load16('BF16', [0x3f80, 0xc020, 0x4780, 0x0001, 0x7f7f, 0x7f80, 0xff80, 0x7fc0, 0x8000]);
    const expected = [1, -2.5, 65536, 2 ** -133, 3.3895313892515355e38, Infinity, -Infinity, NaN, -0];
    values.forEach((value, i) => expect(Object.is(value, expected[i])).toBe(true));
  });

  it('re-encodes every one of the 65536 bit patterns to itself (NaNs to a NaN)', () => {
    const patterns = Uint16Array.from({ length: 65536 }, (_, i) => i);
    for (const dtype of ['F16', 'BF16'] as const) {
      const decoded = loadSafetensorsSync(saveSafetensorsSync({ x: { dtype, shape: [65536], data: patterns } }));
      const values = decoded.tensors.x!.data as Float32Array;
      const bytes = saveSafetensorsSync({ x: { dtype, shape: [65536], data: values } });
      const bits = storedU16(bytes);
      const again = loadSafetensorsSync(bytes).tensors.x!.data as Float32Array;
      const wrong = Array.from(patterns).filter((p, i) => (Number.isNaN(values[i]) ? !Number.isNaN(again[i]) : bits[i] !== p));
      expect(wrong).toEqual([]);
    }
  });

  it('encodes Float32Array to F16 with round-to-nearest-even, overflow to inf and quiet NaN', () => {
    const cases: [number, number][] = [
      [1, 0x3c00], [-2.5, 0xc100], [65504, 0x7bff], [65519, 0x7bff], [65520, 0x7c00], [1e6, 0x7c00],
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], // ties go to the even mantissa
      [2 ** -24, 0x0001], [2 ** -25, 0x0000], [1.5 * 2 ** -25, 0x0001], [3 * 2 ** -25, 0x0002], [1e-10, 0],
      [2 ** -14, 0x0400], [2 ** -14 - 2 ** -25, 0x0400], // largest subnormal + half rounds up into the normals
      [Infinity, 0x7c00], [-Infinity, 0xfc00], [NaN, 0x7e00], [-0, 0x8000],
    ];
    expect(save16('F16', cases.map(([v]) => v))).toEqual(cases.map(([, bits]) => bits));
  });

  it('encodes Float32Array to BF16 with round-to-nearest-even', () => {
    const cases: [number, number][] = [
      [1, 0x3f80], [-2.5, 0xc020], [65504, 0x4780], [1 + 2 ** -8, 0x3f80], [1 + 3 * 2 ** -8, 0x3f82],
      [3.4028234663852886e38, 0x7f80], [Infinity, 0x7f80], [NaN, 0x7fc0], [-0, 0x8000],
    ];
    expect(save16('BF16', cases.map(([v]) => v))).toEqual(cases.map(([, bits]) => bits));
  });
});

// ---------------------------------------------------------------------------------------------- exact layout

describe('byte layout', () => {
  it('writes a hand-built file byte for byte (the reference test_serialization vector)', () => {
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}'; // 64 bytes: no padding
    const expected = Uint8Array.from([...u64(64), ...ascii(header), ...f32(0, 1, 2, 3, 4, 5)]);
    const data = new Float32Array([0, 1, 2, 3, 4, 5]);
    expect(saveSafetensorsSync({ 'attn.0': { shape: [1, 2, 3], data } })).toEqual(expected);
    // Same with a 5-byte name: 63 bytes of JSON, padded with 1 space.
    const header2 = '{"attn0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header2.length).toBe(63);
    const expected2 = Uint8Array.from([...u64(64), ...ascii(header2), ...spaces(1), ...f32(0, 1, 2, 3, 4, 5)]);
    expect(saveSafetensorsSync({ attn0: { shape: [1, 2, 3], data } })).toEqual(expected2);
  });

  it('writes empty dicts and metadata like the reference (test_empty)', () => {
    expect(saveSafetensorsSync({})).toEqual(Uint8Array.from([...u64(8), ...ascii('{}'), ...spaces(6)]));
    const meta = '{"__metadata__":{"framework":"pt"}}';
    expect(saveSafetensorsSync({}, undefined, { metadata: { framework: 'pt' } })).toEqual(
      Uint8Array.from([...u64(40), ...ascii(meta), ...spaces(5)]),
    );
  });

  it('pads every header with spaces to a multiple of 8 so the data starts aligned', () => {
    for (let length = 1; length <= 16; length++) {
      const bytes = saveSafetensorsSync({ ['n'.repeat(length)]: { shape: [1], data: new Float64Array([length]) } });
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect(n % 8).toBe(0);
      const header = Buffer.from(bytes).toString('utf8', 8, 8 + n);
      expect(header.trimEnd().endsWith('}')).toBe(true);
      expect(/^[^ ]*\}( *)$/.test(header)).toBe(true); // no spaces inside the JSON, only padding after it
      expect(bytes.length - 8 - n).toBe(8);
    }
  });

  it('reads and writes the layout of Python safetensors.torch.save_file byte for byte', () => {
    // save_file({"rnn_cell.w": f32 [[1,2],[3,4]], "rnn_cell.bias": f32 [0.5,-0.5], "step": int64 scalar 7,
    //            "counts": int32 [3,-1], "half": f16 [1,-2.5], "mask": bool [True,False,True]}, path)
    // The reference sorts by its Dtype enum (descending: U64 I64 F64 C64 F32 U32 I32 BF16 F16 U16 I16 … BOOL),
    // then by name, and writes compact serde_json with "dtype", "shape", "data_offsets" in that order.
    const header =
      '{"step":{"dtype":"I64","shape":[],"data_offsets":[0,8]},' +
      '"rnn_cell.bias":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},' +
      '"rnn_cell.w":{"dtype":"F32","shape":[2,2],"data_offsets":[16,32]},' +
      '"counts":{"dtype":"I32","shape":[2],"data_offsets":[32,40]},' +
      '"half":{"dtype":"F16","shape":[2],"data_offsets":[40,44]},' +
      '"mask":{"dtype":"BOOL","shape":[3],"data_offsets":[44,47]}}';
    expect(header.length).toBe(365);
    const python = Uint8Array.from([
      ...u64(368), ...ascii(header), ...spaces(3),
      ...u64(7), ...f32(0.5, -0.5), ...f32(1, 2, 3, 4),
      3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, // int32 3, -1
      0x00, 0x3c, 0x00, 0xc1, // f16 1.0, -2.5
      1, 0, 1,
    ]);
    const { tensors, metadata } = loadSafetensorsSync(python);
    expect(metadata).toEqual({});
    expect(tensors['rnn_cell.w']).toEqual({ dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) });
    expect(tensors['rnn_cell.bias']).toEqual({ dtype: 'F32', shape: [2], data: new Float32Array([0.5, -0.5]) });
    expect(tensors.step).toEqual({ dtype: 'I64', shape: [], data: new BigInt64Array([7n]) });
    expect(tensors.counts).toEqual({ dtype: 'I32', shape: [2], data: new Int32Array([3, -1]) });
    expect(tensors.half).toEqual({ dtype: 'F16', shape: [2], data: new Float32Array([1, -2.5]) });
    expect(tensors.mask).toEqual({ dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) });
    // Our writer produces the very same bytes from the same dict, whatever the key order.
    const ours = saveSafetensorsSync({
      mask: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
      half: { dtype: 'F16', shape: [2], data: new Float32Array([1, -2.5]) },
      counts: { shape: [2], data: new Int32Array([3, -1]) },
      step: { shape: [], data: new BigInt64Array([7n]) },
      'rnn_cell.w': { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
      'rnn_cell.bias': { shape: [2], data: new Float32Array([0.5, -0.5]) },
    });
    expect(ours).toEqual(python);
  });
});

// ---------------------------------------------------------------------------------------------- refusals

describe('refusing corrupt files', () => {
  const f32Entry = (begin: number, end: number) => entry('F32', [(end - begin) / 4], begin, end);
  const zeros = (count: number) => new Array<number>(count).fill(0);
  const cases: [string, Uint8Array, RegExp][] = [
    ['a file shorter than the length prefix', Uint8Array.from([1, 2, 3, 4, 5]),
      /^loadSafetensors(Sync)?: <bytes> is not a valid safetensors file: it is 5 bytes long, shorter than the 8-byte header-length prefix\.$/],
    ['a header length past the end of the file', file('{}', [], { length: 100n }),
      /the header length is 100 bytes but only 8 bytes follow the length prefix \(truncated file\?\)\.$/],
    ['a hostile header length (u64 max) before reading anything', file('{}', [], { length: 2n ** 64n - 1n }),
      /the header length is 18446744073709551615 bytes, over the 100000000-byte limit\.$/],
    ['an empty header', Uint8Array.from(u64(0)), /the header is empty \(header length 0\)\.$/],
    ['a header that is not UTF-8', Uint8Array.from([...u64(8), 0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d, 0x20]),
      /the header is not valid UTF-8\.$/],
    ['a header that is not JSON', file('{"a":'), /the header is not valid JSON \(.+\)\.$/],
    ['a header that is a JSON array', file('[1,2]'), /the header must be a JSON object, found Array\(2\)\.$/],
    ['a header that is a JSON string', file('"hi"'), /the header must be a JSON object, found string "hi"\.$/],
    ['a header with leading whitespace', file(' {}'), /the header must begin with "\{", found byte 0x20\.$/],
    ['a tensor described by a non-object', file('{"a":[1]}'),
      /tensor "a" must be described by an object \{dtype, shape, data_offsets\}, found Array\(1\)\.$/],
    ['a missing dtype', file('{"a":{"shape":[],"data_offsets":[0,0]}}'),
      /tensor "a" has dtype undefined, expected a string such as "F32"\.$/],
    ['an unknown dtype', file(`{"a":${entry('F7', [1], 0, 4)}}`, zeros(4)),
      /tensor "a" has unknown dtype "F7" \(supported: BOOL, U8, .*F64, I64, U64\)\.$/],
    ['a dtype the format has but we cannot represent', file(`{"a":${entry('F8_E4M3', [1], 0, 1)}}`, zeros(1)),
      /tensor "a" has dtype "F8_E4M3", which this reader does not support \(supported: .*\)\.$/],
    ['a negative dimension', file(`{"a":${entry('F32', [-1], 0, 4)}}`, zeros(4)),
      /tensor "a" has shape \[-1\], expected an array of non-negative integers\.$/],
    ['a fractional dimension', file(`{"a":${entry('F32', [1.5], 0, 4)}}`, zeros(4)), /tensor "a" has shape \[1\.5\]/],
    ['reversed data_offsets', file(`{"a":${entry('F32', [1], 8, 4)}}`, zeros(8)),
      /tensor "a" has data_offsets \[8, 4\], expected \[begin, end\] with integers 0 ≤ begin ≤ end\.$/],
    ['data_offsets with one number', file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4]}}', zeros(4)),
      /tensor "a" has data_offsets \[4\], expected \[begin, end\]/],
    ['a shape that does not match the offsets', file(`{"rnn_cell.w":${entry('F32', [16, 16], 0, 1000)}}`, zeros(1000)),
      /^loadSafetensors(Sync)?: <bytes> is not a valid safetensors file: tensor "rnn_cell\.w" has shape \[16, 16\] \(256 elements × 4 bytes = 1024 bytes\) but data_offsets \[0, 1000\] span 1000 bytes\.$/],
    ['a shape whose byte size overflows', file(`{"a":${entry('F64', [2 ** 40, 2 ** 40], 0, 8)}}`, zeros(8)),
      /tensor "a" has shape \[1099511627776, 1099511627776\], whose byte size overflows\.$/],
    ['a huge claimed tensor in a tiny file (refused before allocating)',
      file(`{"a":${entry('F32', [100000, 100000], 0, 40_000_000_000)}}`, zeros(8)),
      /tensor "a" has data_offsets \[0, 40000000000\], past the end of the 8-byte data buffer \(truncated file\?\)\.$/],
    ['a 0 dimension hiding dimensions whose product overflows', file(`{"a":${entry('F32', [0, 2 ** 53 - 1, 2 ** 53 - 1], 0, 0)}}`),
      /tensor "a" has shape \[0, 9007199254740991, 9007199254740991\], whose byte size overflows \(a 0 dimension makes it empty, but its other dimensions still multiply to that size\)\.$/],
    ['a 0 dimension last, after dimensions whose product overflows', file(`{"a":${entry('U8', [2 ** 40, 2 ** 40, 0], 0, 0)}}`),
      /tensor "a" has shape \[1099511627776, 1099511627776, 0\], whose byte size overflows \(a 0 dimension/],
    ['an empty tensor whose other dimensions exceed the one-tensor limit', file(`{"a":${entry('F64', [0, 2 ** 40], 0, 0)}}`),
      /tensor "a" has shape \[0, 1099511627776\], whose byte size 8796093022208 is over the \d+-byte limit of one tensor \(a 0 dimension/],
    ['a BOOL tensor holding a byte other than 0 or 1', file(`{"m":${entry('BOOL', [3], 0, 3)}}`, [1, 0, 2]),
      /tensor "m" has dtype BOOL but holds the byte 2 at element 2 \(a BOOL is 0 or 1\)\.$/],
    ['a hole before the first tensor', file(`{"a":${f32Entry(4, 8)}}`, zeros(8)),
      /bytes 0–4 of the data buffer belong to no tensor \(a hole before tensor "a"\)\.$/],
    ['a hole between tensors', file(`{"a":${f32Entry(0, 4)},"b":${f32Entry(8, 12)}}`, zeros(12)),
      /bytes 4–8 of the data buffer belong to no tensor \(a hole between tensor "a" and tensor "b"\)\.$/],
    ['overlapping tensors', file(`{"b":${f32Entry(4, 8)},"a":${f32Entry(0, 8)}}`, zeros(8)),
      /tensor "b" \(data_offsets \[4, 8\]\) overlaps tensor "a" \(data_offsets \[0, 8\]\)\.$/],
    ['trailing bytes after the last tensor', file(`{"a":${f32Entry(0, 4)}}`, zeros(6)),
      /2 trailing bytes follow the last tensor \(tensors end at byte 4 of the 6-byte data buffer\)\.$/],
    ['a non-string metadata value', file('{"__metadata__":{"epoch":3}}'),
      /"__metadata__" entry "epoch" must be a string, found number 3\.$/],
    ['metadata that is not an object', file('{"__metadata__":["a"]}'),
      /"__metadata__" must be an object of strings, found Array\(1\)\.$/],
    ['a duplicate tensor name', file(`{"a":${f32Entry(0, 4)},"a":${f32Entry(4, 8)}}`, zeros(8)),
      /the header lists tensor "a" twice\.$/],
    ['a duplicate metadata key', file('{"__metadata__":{"k":"1","k":"2"}}'), /key "k" appears twice in "__metadata__"\.$/],
    ['a duplicate field inside a tensor', file(`{"a":{"dtype":"F32","dtype":"I32","shape":[1],"data_offsets":[0,4]}}`, zeros(4)),
      /key "dtype" appears twice in tensor "a"\.$/],
  ];

  it.each(cases)('refuses %s', async (_what, bytes, message) => {
    expectCheckpointError(() => loadSafetensorsSync(bytes), message);
    await expect(loadSafetensors(bytes)).rejects.toSatisfy((error: unknown) => {
      expectCheckpointError(() => { throw error; }, message);
      return true;
    });
  });

  it('accepts the same files once repaired (the refusals are not over-eager)', () => {
    expect(loadSafetensorsSync(file(`{"a":${f32Entry(0, 4)},"b":${f32Entry(4, 8)}}`, zeros(8))).tensors.b!.shape).toEqual([1]);
    expect(loadSafetensorsSync(file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}', zeros(4))).tensors.a).toBeDefined();
    expect(loadSafetensorsSync(file('{}', [], { pad: false })).tensors).toEqual({});
  });

  it('still reads empty tensors whose other dimensions are sane, and BOOLs of 0 and 1', () => {
    const { tensors } = loadSafetensorsSync(file(`{"e":${entry('F32', [0, 5, 7], 0, 0)},"m":${entry('BOOL', [2], 0, 2)}}`, [0, 1]));
    expect(tensors.e).toEqual({ dtype: 'F32', shape: [0, 5, 7], data: new Float32Array(0) });
    expect(tensors.m).toEqual({ dtype: 'BOOL', shape: [2], data: Uint8Array.from([0, 1]) });
  });

  it('names the file when refusing a truncated file on disk', async () => {
    const path = join(dir, 'truncated.safetensors');
    const bytes = saveSafetensorsSync({ w: { shape: [4], data: new Float32Array([1, 2, 3, 4]) } });
    fs.writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    const message = new RegExp(
      `^loadSafetensors(Sync)?: "${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" is not a valid safetensors file: ` +
        'tensor "w" has data_offsets \\[0, 16\\], past the end of the 13-byte data buffer \\(truncated file\\?\\)\\.$',
    );
    expectCheckpointError(() => loadSafetensorsSync(path), message);
    await expect(loadSafetensors(path)).rejects.toThrow(message);
    fs.writeFileSync(path, bytes.subarray(0, 20));
    expectCheckpointError(() => loadSafetensorsSync(path), /the header length is 56 bytes but only 12 bytes follow/);
  });

  it('refuses bad arguments with TypeError / RangeError', async () => {
    expectArgumentError(() => loadSafetensorsSync(42 as never), TypeError,
      /^loadSafetensorsSync: expected a file path string or a Uint8Array for pathOrBytes, received number 42\.$/);
    expectArgumentError(() => loadSafetensorsSync(''), RangeError, /expected a non-empty path for pathOrBytes/);
    await expect(loadSafetensors(new ArrayBuffer(8) as never)).rejects.toBeInstanceOf(TypeError);
    await expect(loadSafetensors(join(dir, 'missing.safetensors'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

// ---------------------------------------------------------------------------------------------- not a file

describe('refusing paths that are not regular files', () => {
  const kinds = (path: string, kind: string) => {
    const message = new RegExp(`^loadSafetensors(Sync)?: "${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" is not a valid safetensors file: it is ${kind}; safetensors are read from regular files only\\.$`);
    return message;
  };

  it('refuses a directory', async () => {
    expectCheckpointError(() => loadSafetensorsSync(dir), kinds(dir, 'a directory'));
    await expect(loadSafetensors(dir)).rejects.toThrow(kinds(dir, 'a directory'));
  });

  it.runIf(fs.existsSync('/dev/zero'))('refuses character devices such as /dev/zero and /dev/urandom', async () => {
    for (const device of ['/dev/zero', '/dev/urandom']) {
      expectCheckpointError(() => loadSafetensorsSync(device), kinds(device, 'a character device'));
      await expect(loadSafetensors(device)).rejects.toThrow(kinds(device, 'a character device'));
    }
  });

  // A blocking open of a FIFO waits for a writer forever, so this runs in a child process with a timeout: a
  // hang fails the test instead of wedging the test worker.
  it.runIf(process.platform !== 'win32')('refuses a FIFO at once instead of blocking on it', () => {
    const fifo = join(dir, 'pipe.safetensors');
    execFileSync('mkfifo', [fifo]);
    const module = pathToFileURL(join(import.meta.dirname, 'safetensors.ts')).href;
    const script = `
      import { loadSafetensors, loadSafetensorsSync } from ${JSON.stringify(module)};
      const report = (e) => ({ name: e.name, code: e.code, message: e.message });
      const results = [];
      try { loadSafetensorsSync(process.argv[1]); results.push('loaded'); } catch (e) { results.push(report(e)); }
      try { await loadSafetensors(process.argv[1]); results.push('loaded'); } catch (e) { results.push(report(e)); }
      console.log(JSON.stringify(results));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, fifo], { encoding: 'utf8', timeout: 20_000 });
    expect(child.signal, `the child hung (stderr: ${child.stderr})`).toBeNull();
    const results = JSON.parse(child.stdout) as { name: string; code: string; message: string }[];
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result.name).toBe('CheckpointError');
      expect(result.code).toBe('NCP_CHECKPOINT_INVALID');
      expect(result.message).toMatch(kinds(fifo, 'a FIFO \\(named pipe\\)'));
    }
  });
});

// ---------------------------------------------------------------------------------------------- save arguments

describe('saving refuses bad tensors', () => {
  const save = (tensors: unknown, options?: unknown) => () => saveSafetensorsSync(tensors as never, undefined, options as never);

  it('checks shape × dtype against the data length, naming the tensor', () => {
    expectArgumentError(save({ w: { shape: [2, 3], data: new Float32Array(5) } }), RangeError,
      /^saveSafetensorsSync: expected Float32Array of length 6 \(shape \[2, 3\]\) for tensors\["w"\]\.data, received Float32Array\(5\)\.$/);
    expectArgumentError(save({ w: { shape: [2, -1], data: new Float32Array(2) } }), TypeError,
      /expected an array of non-negative integers for tensors\["w"\]\.shape, received Array\(2\)\./);
  });

  it('refuses a 0 dimension hiding dimensions whose product overflows', () => {
    expectArgumentError(save({ w: { shape: [0, 2 ** 53 - 1, 2 ** 53 - 1], data: new Float32Array(0) } }), RangeError,
      /^saveSafetensorsSync: expected a shape of at most \d+ bytes for tensors\["w"\]\.shape, received \[0, 9007199254740991, 9007199254740991\], whose byte size overflows \(a 0 dimension/);
    expect(loadSafetensorsSync(saveSafetensorsSync({ w: { shape: [0, 3], data: new Float32Array(0) } })).tensors.w!.shape).toEqual([0, 3]);
  });

  it('checks that the typed array fits the dtype', () => {
    expectArgumentError(save({ w: { dtype: 'F64', shape: [2], data: new Float32Array(2) } }), TypeError,
      /expected Float64Array \(dtype F64\) for tensors\["w"\]\.data, received Float32Array\(2\)\./);
    expectArgumentError(save({ w: { dtype: 'F16', shape: [2], data: new Float64Array(2) } }), TypeError,
      /expected Uint16Array or Float32Array \(dtype F16\) for tensors\["w"\]\.data/);
    expectArgumentError(save({ w: { dtype: 'F8_E4M3', shape: [2], data: new Uint8Array(2) } }), RangeError,
      /expected one of 'BOOL' \| 'U8' .* for tensors\["w"\]\.dtype, received string "F8_E4M3"\./);
    expectArgumentError(save({ m: { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 2]) } }), RangeError,
      /expected only 0 and 1 \(dtype BOOL\) for tensors\["m"\]\.data, received Uint8Array\(2\) containing 2\./);
    expectArgumentError(save({ w: { shape: [2], data: [1, 2] } }), TypeError,
      /expected a typed array for tensors\["w"\]\.data, received Array\(2\)\./);
    expectArgumentError(save({ w: { shape: [2], data: new DataView(new ArrayBuffer(2)) } }), TypeError, /typed array/);
  });

  it('checks the dict, names and metadata', () => {
    expectArgumentError(save(null), TypeError, /expected a plain object for tensors, received null\./);
    expectArgumentError(save({ w: 3 }), TypeError, /expected a tensor \{dtype\?, shape, data\} for tensors\["w"\]/);
    expectArgumentError(save({ __metadata__: { shape: [1], data: new Float32Array(1) } }), RangeError, /"__metadata__"/);
    expectArgumentError(save({}, { metadata: { epoch: 3 } }), TypeError,
      /expected a string for options\.metadata\["epoch"\], received number 3\./);
    expectArgumentError(save({}, { metdata: {} }), TypeError, /options\.metdata/);
    expectArgumentError(() => saveSafetensorsSync({}, '' as never), RangeError, /for path/);
  });

  it('infers the dtype from the typed array, so a plain {data, shape} tensor needs no dtype', () => {
    const { tensors } = loadSafetensorsSync(saveSafetensorsSync({
      clamped: { shape: [1], data: new Uint8ClampedArray([9]) },
      model: { data: new Float64Array([1, 2]), shape: [2] },
    }));
    expect(tensors.clamped!.dtype).toBe('U8');
    expect(tensors.model!.dtype).toBe('F64');
    expectArgumentError(save({ w: { dtype: 'float32', shape: [1], data: new Float32Array(1) } }), RangeError,
      /for tensors\["w"\]\.dtype, received string "float32"\./);
  });
});

// ---------------------------------------------------------------------------------------------- atomic writes

describe('atomic writes', () => {
  const OLD = Uint8Array.from([1, 2, 3]);
  const NEW = saveSafetensorsSync({ w: { shape: [256], data: new Float32Array(256).fill(0.5) } });
  const ioError = (code: string) => Object.assign(new Error(`simulated ${code}`), { code });
  const target = () => join(dir, 'model.safetensors');
  const setup = () => {
    fs.writeFileSync(target(), OLD);
    return target();
  };
  const expectOldFileAndNoTemp = (path: string) => {
    expect(new Uint8Array(fs.readFileSync(path))).toEqual(OLD);
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
  };

  it('replaces the file and leaves no temp file behind', async () => {
    const path = setup();
    await writeFileAtomic(path, NEW);
    expect(new Uint8Array(fs.readFileSync(path))).toEqual(NEW);
    writeFileAtomicSync(path, OLD);
    expectOldFileAndNoTemp(path);
  });

  it('sync: keeps the old file when the write fails half-way', () => {
    const path = setup();
    const realWrite = fs.writeSync;
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, buffer: Uint8Array, offset: number, length: number) => {
      realWrite(fd, buffer, offset, Math.floor(length / 2));
      throw ioError('ENOSPC');
    }) as unknown as typeof fs.writeSync);
    expect(() => saveSafetensorsSync({ w: { shape: [1], data: new Float32Array(1) } }, path)).toThrow('simulated ENOSPC');
    expectOldFileAndNoTemp(path);
  });

  it('sync: keeps the old file when fsync or the rename fails', () => {
    const path = setup();
    vi.spyOn(fs, 'fsyncSync').mockImplementationOnce(() => {
      throw ioError('EIO');
    });
    expect(() => writeFileAtomicSync(path, NEW)).toThrow('simulated EIO');
    expectOldFileAndNoTemp(path);
    vi.spyOn(fs, 'renameSync').mockImplementation(() => {
      throw ioError('EXDEV');
    });
    expect(() => writeFileAtomicSync(path, NEW)).toThrow('simulated EXDEV');
    expectOldFileAndNoTemp(path);
  });

  it('async: keeps the old file when the write fails half-way', async () => {
    const path = setup();
    const realOpen = fs.promises.open;
    vi.spyOn(fs.promises, 'open').mockImplementation(async (...args: Parameters<typeof realOpen>) => {
      const handle = await realOpen(...args);
      handle.writeFile = async (data: unknown) => {
        await handle.write((data as Uint8Array).subarray(0, 100));
        throw ioError('EIO');
      };
      return handle;
    });
    await expect(saveSafetensors({ w: { shape: [1], data: new Float32Array(1) } }, path)).rejects.toThrow('simulated EIO');
    expectOldFileAndNoTemp(path);
  });

  it('async: keeps the old file when the rename fails', async () => {
    const path = setup();
    vi.spyOn(fs.promises, 'rename').mockRejectedValueOnce(ioError('EXDEV'));
    await expect(writeFileAtomic(path, NEW)).rejects.toThrow('simulated EXDEV');
    expectOldFileAndNoTemp(path);
  });

  it('keeps what is at the target when the rename really fails (target is a non-empty directory)', async () => {
    const path = target();
    fs.mkdirSync(path);
    fs.writeFileSync(join(path, 'inside.txt'), 'keep me');
    await expect(writeFileAtomic(path, NEW)).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    expect(() => writeFileAtomicSync(path, NEW)).toThrow();
    expect(fs.readFileSync(join(path, 'inside.txt'), 'utf8')).toBe('keep me');
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('ends with one whole payload when writers race', async () => {
    const path = setup();
    const payloads = Array.from({ length: 8 }, (_, i) => new Uint8Array(4096).fill(i));
    await Promise.all(payloads.map((bytes) => writeFileAtomic(path, bytes)));
    const final = new Uint8Array(fs.readFileSync(path));
    expect(payloads.some((bytes) => Buffer.compare(bytes, final) === 0)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('refuses bad arguments', () => {
    expectArgumentError(() => writeFileAtomicSync(7 as never, NEW), TypeError,
      /^writeFileAtomicSync: expected a file path string for path, received number 7\.$/);
    expectArgumentError(() => writeFileAtomicSync(target(), 'text' as never), TypeError,
      /expected a Uint8Array for bytes, received string "text"\./);
  });
});
