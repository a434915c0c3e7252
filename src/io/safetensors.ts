/**
 * safetensors reader and writer, written from the format description in huggingface/safetensors
 * (README "Format", safetensors/src/tensor.rs):
 *
 *   u64 little-endian N | N bytes UTF-8 JSON header, space-padded | data buffer
 *
 * The header maps tensor names to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the data
 * buffer) plus an optional `__metadata__` string→string map. Tensors are row-major little-endian and must
 * tile the data buffer exactly: no holes, no overlaps, nothing after the last one.
 *
 * Reading validates the whole header before allocating any tensor, so a hostile header costs at most the
 * header itself (capped at 100 MB like the reference) and never an allocation it claims but does not hold.
 * Every tensor is copied into its own ArrayBuffer, so typed arrays are aligned whatever the source offset.
 */
import { open, type FileHandle } from 'node:fs/promises';
import fs from 'node:fs';
import { CheckpointError, argumentError, argumentErrorRendered } from '../errors.js';
import { describe } from '../describe.js';
import { expectOptions, expectPlainObject } from '../validate.js';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';

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
const DTYPES: Record<SafetensorsDtype, { bytes: number; rank: number; array: ArrayClass; accepts: InputClass[] }> = {
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
const DTYPE_NAMES = Object.keys(DTYPES) as SafetensorsDtype[];
/** The dtype a typed array implies when none is given (Uint8Array means U8, Uint16Array U16: never BOOL/F16). */
const INFERRED_DTYPES: [InputClass, SafetensorsDtype][] = [
  [Float64Array, 'F64'], [Float32Array, 'F32'], [BigInt64Array, 'I64'], [Int32Array, 'I32'], [Int16Array, 'I16'],
  [Int8Array, 'I8'], [BigUint64Array, 'U64'], [Uint32Array, 'U32'], [Uint16Array, 'U16'], [Uint8Array, 'U8'],
  [Uint8ClampedArray, 'U8'],
];
/** Dtypes the format defines that we recognise but cannot represent as a JS typed array. */
const UNSUPPORTED_DTYPES = ['F4', 'F6_E2M3', 'F6_E3M2', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F8_E4M3FNUZ', 'F8_E5M2FNUZ',
  'C64'];
/** The reference's MAX_HEADER_SIZE: larger headers are refused before anything is read or allocated. */
const HEADER_LIMIT_BYTES = 100_000_000;
const PREFIX_BYTES = 8;
const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------- reading

/**
 * Reads a safetensors file (path) or an in-memory file (Uint8Array). A corrupt or inconsistent file throws a
 * CheckpointError naming the file and the problem; file-system errors (ENOENT, EACCES) are Node's own.
 */
export async function loadSafetensors(pathOrBytes: string | Uint8Array): Promise<SafetensorsContents> {
  const api = 'loadSafetensors';
  checkSource(api, pathOrBytes);
  if (typeof pathOrBytes !== 'string') return loadBytes(api, pathOrBytes);
  const handle = await open(pathOrBytes, 'r');
  try {
    const fail = failure(api, `"${pathOrBytes}"`);
    const steps = decode((await handle.stat()).size, fail);
    for (let step = steps.next(); ; step = steps.next(await readAt(handle, step.value, fail))) {
      if (step.done) return step.value;
    }
  } finally {
    await handle.close();
  }
}

/** Synchronous twin of {@link loadSafetensors}. */
export function loadSafetensorsSync(pathOrBytes: string | Uint8Array): SafetensorsContents {
  const api = 'loadSafetensorsSync';
  checkSource(api, pathOrBytes);
  if (typeof pathOrBytes !== 'string') return loadBytes(api, pathOrBytes);
  const fd = fs.openSync(pathOrBytes, 'r');
  try {
    const fail = failure(api, `"${pathOrBytes}"`);
    const steps = decode(fs.fstatSync(fd).size, fail);
    for (let step = steps.next(); ; step = steps.next(readAtSync(fd, step.value, fail))) {
      if (step.done) return step.value;
    }
  } finally {
    fs.closeSync(fd);
  }
}

function loadBytes(api: string, bytes: Uint8Array): SafetensorsContents {
  const steps = decode(bytes.byteLength, failure(api, '<bytes>'));
  // `new Uint8Array(view)` copies into a fresh ArrayBuffer: aligned, and independent of the caller's
  // buffer. (Not bytes.slice(): on a Node Buffer that returns a view into shared memory.)
  const read = ({ position, length }: ReadRequest) => new Uint8Array(bytes.subarray(position, position + length));
  for (let step = steps.next(); ; step = steps.next(read(step.value))) {
    if (step.done) return step.value;
  }
}

/** A byte range the decoder needs; it must come back as a fresh Uint8Array of exactly `length` bytes. */
interface ReadRequest {
  position: number;
  length: number;
}

/**
 * The whole decoder, free of I/O: it yields the byte ranges it needs and receives them back, so the async,
 * sync and in-memory loaders share every check. Nothing past the header is requested before the header has
 * been checked against `totalBytes`, the real size of the file.
 */
function* decode(totalBytes: number, fail: Fail): Generator<ReadRequest, SafetensorsContents, Uint8Array> {
  const prefix = yield { position: 0, length: Math.min(PREFIX_BYTES, totalBytes) };
  const n = headerLength(prefix, totalBytes, fail);
  const header = yield { position: PREFIX_BYTES, length: n };
  const { entries, metadata } = parseHeader(header, totalBytes - PREFIX_BYTES - n, fail);
  const tensors: Record<string, SafeTensor> = {};
  for (const entry of entries) {
    const raw = yield { position: PREFIX_BYTES + n + entry.begin, length: entry.end - entry.begin };
    setOwn(tensors, entry.name, toTensor(entry, raw.buffer as ArrayBuffer));
  }
  return { tensors, metadata };
}

function checkSource(api: string, value: unknown): void {
  if (typeof value === 'string') {
    if (value.length === 0) throw argumentError(RangeError, api, 'pathOrBytes', 'a non-empty path', value);
  } else if (!(value instanceof Uint8Array)) {
    throw argumentError(TypeError, api, 'pathOrBytes', 'a file path string or a Uint8Array', value);
  }
}

type Fail = (problem: string) => never;

function failure(api: string, label: string): Fail {
  return (problem) => {
    throw new CheckpointError(`${api}: ${label} is not a valid safetensors file: ${problem}.`);
  };
}

// Reads loop because a read may return fewer bytes than asked (and takes at most ~2 GiB per call); a read
// that returns nothing means the file shrank after we measured it.
async function readAt(handle: FileHandle, { position, length }: ReadRequest, fail: Fail): Promise<Uint8Array> {
  const target = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const { bytesRead } = await handle.read(target, done, Math.min(length - done, 1 << 30), position + done);
    if (bytesRead === 0) fail(shrunk(position + done));
    done += bytesRead;
  }
  return target;
}

function readAtSync(fd: number, { position, length }: ReadRequest, fail: Fail): Uint8Array {
  const target = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const bytesRead = fs.readSync(fd, target, done, Math.min(length - done, 1 << 30), position + done);
    if (bytesRead === 0) fail(shrunk(position + done));
    done += bytesRead;
  }
  return target;
}

const shrunk = (at: number) => `the file ended at byte ${at} while reading (was it changed during the read?)`;

/** Checks the u64 prefix against the limit and the real size before anyone reads or allocates the header. */
function headerLength(prefix: Uint8Array, totalBytes: number, fail: Fail): number {
  if (totalBytes < PREFIX_BYTES) {
    fail(`it is ${totalBytes} bytes long, shorter than the 8-byte header-length prefix`);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, PREFIX_BYTES).getBigUint64(0, true);
  if (n > BigInt(HEADER_LIMIT_BYTES)) {
    fail(`the header length is ${n} bytes, over the ${HEADER_LIMIT_BYTES}-byte limit`);
  }
  const available = totalBytes - PREFIX_BYTES;
  if (Number(n) > available) {
    fail(`the header length is ${n} bytes but only ${available} bytes follow the length prefix (truncated file?)`);
  }
  return Number(n);
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

interface Header {
  entries: Entry[];
  metadata: Record<string, string>;
}

/** Validates everything the header claims against the data buffer's real size; allocates no tensor. */
function parseHeader(bytes: Uint8Array, dataBytes: number, fail: Fail): Header {
  if (bytes.length === 0) fail('the header is empty (header length 0)');
  let text = '';
  try {
    // ignoreBOM keeps a BOM in the text so that it is refused rather than silently skipped.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    fail('the header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`the header is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(header)) fail(`the header must be a JSON object, found ${describe(header)}`);
  // The format says the header MUST start with '{' (README "Format"), so leading whitespace is refused.
  if (bytes[0] !== 0x7b) fail(`the header must begin with "{", found byte 0x${bytes[0]!.toString(16).padStart(2, '0')}`);
  const duplicate = findDuplicateKey(text);
  if (duplicate) {
    const [first, ...rest] = duplicate as [string, ...string[]];
    const owner = first === '__metadata__' ? '"__metadata__"' : `tensor ${JSON.stringify(first)}`;
    if (rest.length === 0) fail(`the header lists ${owner} twice`);
    fail(`key ${JSON.stringify(rest[rest.length - 1])} appears twice in ${owner}`);
  }
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (info === null) continue; // the reference reads `null` as "no metadata"
      if (!isObject(info)) fail(`"__metadata__" must be an object of strings, found ${describe(info)}`);
      for (const [key, value] of Object.entries(info)) {
        if (typeof value !== 'string') {
          fail(`"__metadata__" entry ${JSON.stringify(key)} must be a string, found ${describe(value)}`);
        }
        setOwn(metadata, key, value);
      }
    } else {
      entries.push(parseEntry(name, info, dataBytes, fail));
    }
  }
  checkTiling(entries, dataBytes, fail);
  return { entries, metadata };
}

function parseEntry(name: string, info: unknown, dataBytes: number, fail: Fail): Entry {
  const tensor = `tensor ${JSON.stringify(name)}`;
  if (!isObject(info)) {
    fail(`${tensor} must be described by an object {dtype, shape, data_offsets}, found ${describe(info)}`);
  }
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== 'string') fail(`${tensor} has dtype ${describe(dtype)}, expected a string such as "F32"`);
  if (!Object.hasOwn(DTYPES, dtype)) {
    const known = `supported: ${DTYPE_NAMES.join(', ')}`;
    const stored = JSON.stringify(dtype);
    if (UNSUPPORTED_DTYPES.includes(dtype)) {
      fail(`${tensor} has dtype ${stored}, which this reader does not support (${known})`);
    }
    fail(`${tensor} has unknown dtype ${stored} (${known})`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    fail(`${tensor} has shape ${render(shape)}, expected an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]!) {
    fail(`${tensor} has data_offsets ${render(offsets)}, expected [begin, end] with integers 0 ≤ begin ≤ end`);
  }
  const [begin, end] = offsets as [number, number];
  const { bytes: itemBytes } = DTYPES[dtype as SafetensorsDtype];
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  const size = elements * itemBytes;
  if (!Number.isSafeInteger(size)) fail(`${tensor} has shape ${render(shape)}, whose byte size overflows`);
  if (end - begin !== size) {
    fail(`${tensor} has shape ${render(shape)} (${elements} elements × ${itemBytes} bytes = ${size} bytes) ` +
      `but data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
  }
  if (end > dataBytes) {
    fail(`${tensor} has data_offsets [${begin}, ${end}], past the end of the ${dataBytes}-byte data buffer ` +
      '(truncated file?)');
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], begin, end };
}

/** The tensors must cover [0, dataBytes) exactly; a hole could hide a second payload (a polyglot file). */
function checkTiling(entries: Entry[], dataBytes: number, fail: Fail): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: Entry | undefined;
  const named = (entry: Entry) => `tensor ${JSON.stringify(entry.name)}`;
  for (const entry of sorted) {
    if (entry.begin > cursor) {
      const where = previous ? `between ${named(previous)} and ${named(entry)}` : `before ${named(entry)}`;
      fail(`bytes ${cursor}–${entry.begin} of the data buffer belong to no tensor (a hole ${where})`);
    }
    if (entry.begin < cursor && previous) {
      fail(`${named(entry)} (data_offsets [${entry.begin}, ${entry.end}]) overlaps ${named(previous)} ` +
        `(data_offsets [${previous.begin}, ${previous.end}])`);
    }
    cursor = entry.end;
    previous = entry;
  }
  if (cursor < dataBytes) {
    fail(`${dataBytes - cursor} trailing bytes follow the last tensor ` +
      `(tensors end at byte ${cursor} of the ${dataBytes}-byte data buffer)`);
  }
}

/** Turns a tensor's own copy of its little-endian bytes into the typed array users get. */
function toTensor(entry: Entry, raw: ArrayBuffer): SafeTensor {
  const { dtype, shape } = entry;
  const info = DTYPES[dtype];
  if (!IS_LITTLE_ENDIAN) swapBytes(new Uint8Array(raw), info.bytes);
  const stored = new info.array(raw);
  if (dtype === 'F16') return { dtype, shape, data: decodeF16(stored as Uint16Array) };
  if (dtype === 'BF16') return { dtype, shape, data: decodeBF16(stored as Uint16Array) };
  return { dtype, shape, data: stored } as SafeTensor;
}

function decodeF16(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = (h & 0x8000) << 16;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0x1f) outBits[i] = sign | 0x7f800000 | (mantissa << 13); // inf / NaN, payload kept
    else if (exponent !== 0) outBits[i] = (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
    else out[i] = (sign ? -1 : 1) * mantissa * 2 ** -24; // zero or subnormal: exact in f32
  }
  return out;
}

function decodeBF16(bits: Uint16Array): Float32Array {
  // bf16 is the top half of an f32, so shifting back is exact for every pattern (NaN payloads included).
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i]! << 16;
  return out;
}

// ---------------------------------------------------------------------------------------------- writing

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

// ---------------------------------------------------------------------------------------------- helpers

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** `[16, 16]` for arrays (first 8 items), describe() otherwise; used in messages about header values. */
function render(value: unknown): string {
  if (!Array.isArray(value)) return describe(value);
  const shown = value.slice(0, 8).map((v) => (typeof v === 'number' ? String(v) : describe(v)));
  return `[${shown.join(', ')}${value.length > 8 ? `, … (${value.length} items)` : ''}]`;
}

/** Plain assignment would treat a tensor named "__proto__" as a prototype change. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** safetensors is little-endian; on a big-endian host, swap each element's bytes in place. */
function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

/**
 * JSON.parse silently keeps the last of two equal keys, and the format forbids duplicates. Walks the
 * (already valid) JSON text and returns the path of the first repeated key, e.g. ["w"] or ["w", "dtype"].
 */
function findDuplicateKey(text: string): string[] | undefined {
  const frames: { keys: Set<string> | null; name: string }[] = [];
  let expectKey = false;
  let lastKey = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const frame = frames[frames.length - 1];
      if (expectKey && frame?.keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (frame.keys.has(key)) return [...frames.slice(1).map((f) => f.name), key];
        frame.keys.add(key);
        lastKey = key;
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      frames.push({ keys: c === '{' ? new Set() : null, name: lastKey });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      frames.pop();
    } else if (c === ',') {
      expectKey = Boolean(frames[frames.length - 1]?.keys);
    }
  }
  return undefined;
}
