/**
 * The safetensors writer: saveSafetensors / saveSafetensorsSync, the serializer they share and F16/BF16
 * encoding. The layout itself is described in format.ts; the tensor order (see DTYPES there) makes our files
 * byte-identical to the reference's `save_file` for the same dict.
 */
import { argumentError, argumentErrorRendered } from '../../errors.js';
import { describe } from '../../describe.js';
import { expectOptions, expectPlainObject } from '../../validate.js';
import { writeFileAtomic, writeFileAtomicSync } from '../atomic-write.js';
import {
  DTYPES,
  DTYPE_NAMES,
  HEADER_LIMIT_BYTES,
  INFERRED_DTYPES,
  IS_LITTLE_ENDIAN,
  PREFIX_BYTES,
  isCount,
  render,
  shapeOverLimit,
  shapeOverflow,
  TENSOR_LIMIT_BYTES,
  swapBytes,
  type SafetensorsDtype,
  type SafetensorsInput,
  type SaveSafetensorsOptions,
  type TypedArray,
} from './format.js';

/**
 * Serializes `tensors` to safetensors bytes and, given a `path`, writes them atomically (writeFileAtomic).
 * Layout: tensors sorted by dtype alignment (descending, the reference's enum order), then by name (UTF-8
 * byte order), stored back to back; header JSON without spaces, padded with spaces to a multiple of 8.
 */
export async function saveSafetensors(
  tensors: Record<string, SafetensorsInput>,
  path?: string,
  options?: SaveSafetensorsOptions,
): Promise<Uint8Array> {
  const bytes = serialize('saveSafetensors', tensors, path, options);
  if (path !== undefined) await writeFileAtomic(path, bytes);
  return bytes;
}

/** Synchronous twin of {@link saveSafetensors}. */
export function saveSafetensorsSync(
  tensors: Record<string, SafetensorsInput>,
  path?: string,
  options?: SaveSafetensorsOptions,
): Uint8Array {
  const bytes = serialize('saveSafetensorsSync', tensors, path, options);
  if (path !== undefined) writeFileAtomicSync(path, bytes);
  return bytes;
}

interface Prepared {
  name: string;
  key: Buffer;
  dtype: SafetensorsDtype;
  shape: number[];
  bytes: Uint8Array;
}

function serialize(api: string, tensors: unknown, path: unknown, options: unknown): Uint8Array {
  const dict = expectPlainObject(api, 'tensors', tensors);
  if (path !== undefined && (typeof path !== 'string' || path.length === 0)) {
    const kind = typeof path === 'string' ? RangeError : TypeError;
    throw argumentError(kind, api, 'path', 'a non-empty file path or undefined', path);
  }
  const { metadata } = expectOptions(api, options, ['metadata']);
  const items = Object.keys(dict).map((name) => prepare(api, name, dict[name]));
  items.sort((a, b) => DTYPES[b.dtype].rank - DTYPES[a.dtype].rank || Buffer.compare(a.key, b.key));

  // Built by hand rather than with one JSON.stringify: JS objects enumerate integer-like keys ("0", "12")
  // first, which would break the sorted order.
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${metadataJson(api, metadata)}`);
  let offset = 0;
  for (const item of items) {
    const info = { dtype: item.dtype, shape: item.shape, data_offsets: [offset, offset + item.bytes.byteLength] };
    parts.push(`${JSON.stringify(item.name)}:${JSON.stringify(info)}`);
    offset += item.bytes.byteLength;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  // Padding the header to 8 bytes puts the data buffer on an 8-byte boundary, so mmap-based readers can
  // view every dtype in place.
  const n = Math.ceil(json.byteLength / 8) * 8;
  if (n > HEADER_LIMIT_BYTES) {
    const expected = `a header of at most ${HEADER_LIMIT_BYTES} bytes (readers refuse more)`;
    throw argumentErrorRendered(RangeError, api, 'tensors', expected, `${n} bytes of header for ${items.length} tensors`);
  }
  const out = new Uint8Array(PREFIX_BYTES + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, PREFIX_BYTES);
  out.fill(0x20, PREFIX_BYTES + json.byteLength, PREFIX_BYTES + n);
  let position = PREFIX_BYTES + n;
  for (const item of items) {
    out.set(item.bytes, position);
    if (!IS_LITTLE_ENDIAN) {
      swapBytes(out.subarray(position, position + item.bytes.byteLength), DTYPES[item.dtype].bytes);
    }
    position += item.bytes.byteLength;
  }
  return out;
}

function prepare(api: string, name: string, value: unknown): Prepared {
  const where = `tensors[${JSON.stringify(name)}]`;
  if (name === '__metadata__') {
    const expected = 'a name other than "__metadata__" (the format reserves it)';
    throw argumentError(RangeError, api, 'a tensor name', expected, name);
  }
  if (typeof value !== 'object' || value === null) {
    throw argumentError(TypeError, api, where, 'a tensor {dtype?, shape, data}', value);
  }
  const { dtype: given, shape, data } = value as Record<string, unknown>;
  if (!ArrayBuffer.isView(data) || data instanceof DataView) {
    throw argumentError(TypeError, api, `${where}.data`, 'a typed array', data);
  }
  const dtype = resolveDtype(api, where, given, data as TypedArray);
  if (!DTYPES[dtype].accepts.some((kind) => data instanceof kind)) {
    const names = DTYPES[dtype].accepts.map((kind) => kind.name).join(' or ');
    throw argumentError(TypeError, api, `${where}.data`, `${names} (dtype ${dtype})`, data);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw argumentError(TypeError, api, `${where}.shape`, 'an array of non-negative integers', shape);
  }
  const problem = shapeOverflow(shape, DTYPES[dtype].bytes) ?? shapeOverLimit(shape, DTYPES[dtype].bytes);
  if (problem !== undefined) {
    throw argumentErrorRendered(RangeError, api, `${where}.shape`, `a shape of at most ${TENSOR_LIMIT_BYTES} bytes`, `${render(shape)}, ${problem}`);
  }
  const elements = shape.reduce((a: number, b: number) => a * b, 1);
  const array = data as TypedArray;
  if (array.length !== elements) {
    const expected = `${array.constructor.name} of length ${elements} (shape ${render(shape)})`;
    throw argumentError(RangeError, api, `${where}.data`, expected, data);
  }
  if (dtype === 'BOOL') {
    const bad = (array as Uint8Array).find((v) => v > 1);
    if (bad !== undefined) {
      const received = `${describe(data)} containing ${bad}`;
      throw argumentErrorRendered(RangeError, api, `${where}.data`, 'only 0 and 1 (dtype BOOL)', received);
    }
  }
  let stored: TypedArray = array;
  if (array instanceof Float32Array && (dtype === 'F16' || dtype === 'BF16')) {
    stored = dtype === 'F16' ? encodeF16(array) : encodeBF16(array);
  }
  const bytes = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
  return { name, key: Buffer.from(name, 'utf8'), dtype, shape: [...shape], bytes };
}

function resolveDtype(api: string, where: string, given: unknown, data: TypedArray): SafetensorsDtype {
  if (given === undefined) {
    const inferred = INFERRED_DTYPES.find(([kind]) => data instanceof kind);
    if (inferred) return inferred[1];
    throw argumentError(TypeError, api, `${where}.dtype`, 'a dtype (none can be inferred from this array)', given);
  }
  const expected = `one of ${DTYPE_NAMES.map((d) => `'${d}'`).join(' | ')}`;
  if (typeof given !== 'string') throw argumentError(TypeError, api, `${where}.dtype`, expected, given);
  if (Object.hasOwn(DTYPES, given)) return given as SafetensorsDtype;
  throw argumentError(RangeError, api, `${where}.dtype`, expected, given);
}

function metadataJson(api: string, value: unknown): string {
  const metadata = expectPlainObject(api, 'options.metadata', value);
  // Sorted so the same metadata always gives the same bytes (the reference leaves the order to a HashMap).
  const keys = Object.keys(metadata).sort();
  for (const key of keys) {
    if (typeof metadata[key] !== 'string') {
      throw argumentError(TypeError, api, `options.metadata[${JSON.stringify(key)}]`, 'a string', metadata[key]);
    }
  }
  return `{${keys.map((key) => `${JSON.stringify(key)}:${JSON.stringify(metadata[key])}`).join(',')}}`;
}

/** f32 → IEEE binary16, round to nearest even; overflow → ±inf; NaN stays a (quiet) NaN. */
function encodeF16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i]!;
    const sign = (x >>> 16) & 0x8000;
    const exponent = ((x >>> 23) & 0xff) - 127 + 15;
    const mantissa = x & 0x7fffff;
    if (exponent === 0xff - 127 + 15) {
      out[i] = sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
    } else if (exponent >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (exponent <= 0) {
      // Subnormal result: value = m × 2^-24 with m = (1.mantissa × 2^23) >> (14 - exponent).
      if (exponent < -10) { out[i] = sign; continue; }
      const full = mantissa | 0x800000;
      const shift = 14 - exponent;
      out[i] = sign | roundShift(full, shift);
    } else {
      // The rounding carry may ripple into the exponent, up to 0x7c00 (inf): exactly what RNE wants.
      out[i] = sign | roundShift((exponent << 23) | mantissa, 13);
    }
  }
  return out;
}

/** `value >> shift`, rounded to nearest, ties to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** f32 → bfloat16 (top 16 bits), round to nearest even; NaN stays a quiet NaN of the same sign. */
function encodeBF16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i]!;
    out[i] = (x & 0x7fffffff) > 0x7f800000 ? (x >>> 16) | 0x40 : roundShift(x, 16);
  }
  return out;
}
