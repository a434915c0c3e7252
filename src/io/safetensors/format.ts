/**
 * The safetensors format, shared by the reader (read.ts) and the writer (write.ts): the public types, the dtype
 * table, the layout constants and the few helpers both sides use. Written from the format description in
 * huggingface/safetensors (README "Format", safetensors/src/tensor.rs):
 *
 *   u64 little-endian N | N bytes UTF-8 JSON header, space-padded | data buffer
 *
 * The header maps tensor names to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the data
 * buffer) plus an optional `__metadata__` string→string map. Tensors are row-major little-endian and must
 * tile the data buffer exactly: no holes, no overlaps, nothing after the last one.
 */
import { constants as bufferConstants } from 'node:buffer';
import { describe } from '../../describe.js';

export type SafetensorsDtype =
  'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

/** What `data` holds for each stored dtype. F16 and BF16 are decoded to Float32Array (exactly: f32 ⊃ both). */
export interface SafetensorsArrayMap {
  F64: Float64Array; F32: Float32Array; F16: Float32Array; BF16: Float32Array;
  I64: BigInt64Array; I32: Int32Array; I16: Int16Array; I8: Int8Array;
  U64: BigUint64Array; U32: Uint32Array; U16: Uint16Array; U8: Uint8Array; BOOL: Uint8Array;
}

/** A loaded tensor. `dtype` is the dtype as stored; narrowing on it narrows `data`. */
export type SafeTensor = {
  [D in SafetensorsDtype]: { dtype: D; shape: number[]; data: SafetensorsArrayMap[D] };
}[SafetensorsDtype];

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array | BigUint64Array;

/**
 * What saveSafetensors takes per name; a model `Tensor` ({data, shape}) and a loaded SafeTensor both fit.
 * `dtype` defaults to the one the typed array implies (Float32Array → F32, Uint8Array → U8, ...).
 */
export interface SafetensorsInput {
  dtype?: SafetensorsDtype;
  shape: readonly number[];
  data: TypedArray;
}

export interface SafetensorsContents {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string>;
}

export interface SaveSafetensorsOptions {
  /** Free-form strings stored under `__metadata__` (written only when given). */
  metadata?: Record<string, string>;
}

type ArrayClass = new (buffer: ArrayBuffer) => SafeTensor['data'];
type InputClass = new (length: number) => TypedArray;

// `rank` is the position in the reference's `Dtype` enum (tensor.rs), which is ordered by alignment; the
// reference writer sorts by descending rank, then by name, and so do we, which makes our files byte-identical
// to Python's `save_file` for the same dict (without metadata, whose order the reference leaves to a HashMap).
export const DTYPES: Record<SafetensorsDtype, { bytes: number; rank: number; array: ArrayClass; accepts: InputClass[] }> = {
  BOOL: { bytes: 1, rank: 0, array: Uint8Array, accepts: [Uint8Array] },
  U8: { bytes: 1, rank: 4, array: Uint8Array, accepts: [Uint8Array, Uint8ClampedArray] },
  I8: { bytes: 1, rank: 5, array: Int8Array, accepts: [Int8Array] },
  I16: { bytes: 2, rank: 11, array: Int16Array, accepts: [Int16Array] },
  U16: { bytes: 2, rank: 12, array: Uint16Array, accepts: [Uint16Array] },
  // F16/BF16 take raw bit patterns (Uint16Array) or values (Float32Array, rounded to nearest even). Not
  // Float64Array: going through f32 first would round twice.
  F16: { bytes: 2, rank: 13, array: Uint16Array, accepts: [Uint16Array, Float32Array] },
  BF16: { bytes: 2, rank: 14, array: Uint16Array, accepts: [Uint16Array, Float32Array] },
  I32: { bytes: 4, rank: 15, array: Int32Array, accepts: [Int32Array] },
  U32: { bytes: 4, rank: 16, array: Uint32Array, accepts: [Uint32Array] },
  F32: { bytes: 4, rank: 17, array: Float32Array, accepts: [Float32Array] },
  F64: { bytes: 8, rank: 19, array: Float64Array, accepts: [Float64Array] },
  I64: { bytes: 8, rank: 20, array: BigInt64Array, accepts: [BigInt64Array] },
  U64: { bytes: 8, rank: 21, array: BigUint64Array, accepts: [BigUint64Array] },
};
export const DTYPE_NAMES = Object.keys(DTYPES) as SafetensorsDtype[];
/** The dtype a typed array implies when none is given (Uint8Array means U8, Uint16Array U16: never BOOL/F16). */
export const INFERRED_DTYPES: [InputClass, SafetensorsDtype][] = [
  [Float64Array, 'F64'], [Float32Array, 'F32'], [BigInt64Array, 'I64'], [Int32Array, 'I32'], [Int16Array, 'I16'],
  [Int8Array, 'I8'], [BigUint64Array, 'U64'], [Uint32Array, 'U32'], [Uint16Array, 'U16'], [Uint8Array, 'U8'],
  [Uint8ClampedArray, 'U8'],
];
/** Dtypes the format defines that we recognise but cannot represent as a JS typed array. */
export const UNSUPPORTED_DTYPES = ['F4', 'F6_E2M3', 'F6_E3M2', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F8_E4M3FNUZ', 'F8_E5M2FNUZ',
  'C64'];
/** The reference's MAX_HEADER_SIZE: larger headers are refused before anything is read or allocated. */
export const HEADER_LIMIT_BYTES = 100_000_000;
export const PREFIX_BYTES = 8;
/** The largest tensor (in bytes) read or written: the largest Uint8Array this runtime can allocate (2^32 on Node 20). */
export const TENSOR_LIMIT_BYTES = Math.min(Number.MAX_SAFE_INTEGER, bufferConstants.MAX_LENGTH);
export const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------- helpers

export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * A shape's size check, in two parts (the reader reports a claim past the end of the file between them). The
 * dims multiply in BigInt, and a 0 dim does not excuse the others: [0, 2^53−1, 2^53−1] is empty, but anything
 * that computes a stride or a row size from it overflows, so it is refused like the same shape without the 0.
 * Both take a shape already checked to be an array of safe non-negative integers.
 */
export function shapeOverflow(shape: readonly number[], itemBytes: number): string | undefined {
  return nonZeroBytes(shape, itemBytes) > BigInt(Number.MAX_SAFE_INTEGER) ? `whose byte size overflows${zeroNote(shape)}` : undefined;
}

/** The second part: at most TENSOR_LIMIT_BYTES, counted as {@link shapeOverflow} does. */
export function shapeOverLimit(shape: readonly number[], itemBytes: number): string | undefined {
  const bytes = nonZeroBytes(shape, itemBytes);
  return bytes > BigInt(TENSOR_LIMIT_BYTES) ? `whose byte size ${bytes} is over the ${TENSOR_LIMIT_BYTES}-byte limit of one tensor${zeroNote(shape)}` : undefined;
}

function nonZeroBytes(shape: readonly number[], itemBytes: number): bigint {
  return shape.reduce((product, d) => (d === 0 ? product : product * BigInt(d)), 1n) * BigInt(itemBytes);
}

const zeroNote = (shape: readonly number[]) =>
  shape.includes(0) ? ' (a 0 dimension makes it empty, but its other dimensions still multiply to that size)' : '';

/** `[16, 16]` for arrays (first 8 items), describe() otherwise; used in messages about header values. */
export function render(value: unknown): string {
  if (!Array.isArray(value)) return describe(value);
  const shown = value.slice(0, 8).map((v) => (typeof v === 'number' ? String(v) : describe(v)));
  return `[${shown.join(', ')}${value.length > 8 ? `, … (${value.length} items)` : ''}]`;
}

/** safetensors is little-endian; on a big-endian host, swap each element's bytes in place. */
export function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}
