/**
 * The safetensors reader: loadSafetensors / loadSafetensorsSync and the I/O-free decoder they share (header
 * parsing, entry and tiling checks, F16/BF16 decoding). The layout itself is described in format.ts.
 *
 * Reading validates the whole header before allocating any tensor, so a hostile header costs at most the
 * header itself (capped at 100 MB like the reference) and never an allocation it claims but does not hold.
 * Every tensor is copied into its own ArrayBuffer, so typed arrays are aligned whatever the source offset.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import fs from 'node:fs';
import { CheckpointError, argumentError } from '../../errors.js';
import { describe } from '../../describe.js';
import {
  DTYPES,
  DTYPE_NAMES,
  HEADER_LIMIT_BYTES,
  IS_LITTLE_ENDIAN,
  PREFIX_BYTES,
  UNSUPPORTED_DTYPES,
  isCount,
  render,
  shapeOverLimit,
  shapeOverflow,
  swapBytes,
  type SafeTensor,
  type SafetensorsContents,
  type SafetensorsDtype,
} from './format.js';

/**
 * Reads a safetensors file (path) or an in-memory file (Uint8Array). A corrupt or inconsistent file throws a
 * CheckpointError naming the file and the problem; file-system errors (ENOENT, EACCES) are Node's own.
 */
export async function loadSafetensors(pathOrBytes: string | Uint8Array): Promise<SafetensorsContents> {
  const api = 'loadSafetensors';
  checkSource(api, pathOrBytes);
  if (typeof pathOrBytes !== 'string') return loadBytes(api, pathOrBytes);
  const fail = failure(api, `"${pathOrBytes}"`);
  refuseUnlessRegular(await stat(pathOrBytes), fail);
  const handle = await open(pathOrBytes, OPEN_FLAGS);
  try {
    const info = await handle.stat();
    refuseUnlessRegular(info, fail);
    const steps = decode(info.size, fail);
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
  const fail = failure(api, `"${pathOrBytes}"`);
  refuseUnlessRegular(fs.statSync(pathOrBytes), fail);
  const fd = fs.openSync(pathOrBytes, OPEN_FLAGS);
  try {
    const info = fs.fstatSync(fd);
    refuseUnlessRegular(info, fail);
    const steps = decode(info.size, fail);
    for (let step = steps.next(); ; step = steps.next(readAtSync(fd, step.value, fail))) {
      if (step.done) return step.value;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Read-only, and non-blocking so that opening a FIFO returns at once (a blocking open waits for a writer
 * forever); the handle is then checked to be a regular file before anything is read. (No O_NONBLOCK on Windows.)
 */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/**
 * Only regular files are read: a FIFO or a socket would block, and a device such as /dev/zero or /dev/urandom
 * reports size 0 or never ends. Checked on the path first (nothing is opened) and again on the opened handle
 * (the path may have been swapped in between).
 */
function refuseUnlessRegular(info: fs.Stats, fail: Fail): void {
  if (info.isFile()) return;
  const kind = info.isDirectory() ? 'a directory'
    : info.isFIFO() ? 'a FIFO (named pipe)'
    : info.isCharacterDevice() ? 'a character device'
    : info.isBlockDevice() ? 'a block device'
    : info.isSocket() ? 'a socket'
    : 'not a regular file';
  fail(`it is ${kind}; safetensors are read from regular files only`);
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
    if (entry.dtype === 'BOOL') checkBool(entry, raw, fail);
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
  const overflow = shapeOverflow(shape as number[], itemBytes);
  if (overflow !== undefined) fail(`${tensor} has shape ${render(shape)}, ${overflow}`);
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  const size = elements * itemBytes;
  if (end - begin !== size) {
    fail(`${tensor} has shape ${render(shape)} (${elements} elements × ${itemBytes} bytes = ${size} bytes) ` +
      `but data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
  }
  if (end > dataBytes) {
    fail(`${tensor} has data_offsets [${begin}, ${end}], past the end of the ${dataBytes}-byte data buffer ` +
      '(truncated file?)');
  }
  const overLimit = shapeOverLimit(shape as number[], itemBytes);
  if (overLimit !== undefined) fail(`${tensor} has shape ${render(shape)}, ${overLimit}`);
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

/** A BOOL is one byte, 0 or 1 (the reference's `bool` reads any other byte as undefined behaviour). */
function checkBool(entry: Entry, raw: Uint8Array, fail: Fail): void {
  const at = raw.findIndex((byte) => byte > 1);
  if (at !== -1) {
    fail(`tensor ${JSON.stringify(entry.name)} has dtype BOOL but holds the byte ${raw[at]} at element ${at} (a BOOL is 0 or 1)`);
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

// ---------------------------------------------------------------------------------------------- helpers

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Plain assignment would treat a tensor named "__proto__" as a prototype change. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
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
