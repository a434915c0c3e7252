/**
 * Protocol Buffers (proto3) wire format for the few ONNX messages we write and read (onnx-schema.ts lists
 * their fields). Our own, so exporting needs no protobuf package: onnx-proto pulls protobufjs 6, whose tarball
 * alone is 15 MB. The decoder is strict: a truncated or malformed message is an error, never a partial result.
 */

export type FieldKind = 'int64' | 'int32' | 'float' | 'string' | 'bytes' | 'message';

export interface FieldSpec {
  readonly number: number;
  /** The property name (protobufjs's camelCase of the .proto name, so objects look the same). */
  readonly name: string;
  readonly kind: FieldKind;
  readonly repeated?: boolean;
  /** For kind 'message'. */
  readonly message?: MessageSpec;
}
export type MessageSpec = readonly FieldSpec[];

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const isPacked = (kind: FieldKind) => kind === 'int64' || kind === 'int32' || kind === 'float';
const wireTypeOf = (kind: FieldKind) => (kind === 'float' ? FIXED32 : isPacked(kind) ? VARINT : LENGTH_DELIMITED);

class Writer {
  private buffer = new Uint8Array(256);
  private length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bytes));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  varint(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf: ${value} is not an integer that fits int64`);
    // Negative int32/int64 are written as their 64-bit two's complement (10 bytes), as protobuf requires.
    let rest = value >= 0 ? BigInt(value) : BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (rest >= 0x80n) {
      this.buffer[this.length++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buffer[this.length++] = Number(rest);
  }

  float32(value: number): void {
    this.reserve(4);
    new DataView(this.buffer.buffer).setFloat32(this.length, value, true);
    this.length += 4;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  tag(number: number, wireType: number): void {
    this.varint(number * 8 + wireType);
  }

  lengthDelimited(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.raw(bytes);
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function writeScalar(writer: Writer, kind: FieldKind, value: unknown): void {
  if (kind === 'float') writer.float32(value as number);
  else writer.varint(value as number);
}

function writeValue(writer: Writer, field: FieldSpec, value: unknown): void {
  if (isPacked(field.kind)) {
    writer.tag(field.number, wireTypeOf(field.kind));
    writeScalar(writer, field.kind, value);
    return;
  }
  writer.tag(field.number, LENGTH_DELIMITED);
  if (field.kind === 'string') writer.lengthDelimited(utf8Encoder.encode(value as string));
  else if (field.kind === 'bytes') writer.lengthDelimited(value as Uint8Array);
  else writer.lengthDelimited(encodeMessage(field.message!, value as object));
}

/** Encodes `value` (properties named as in `spec`; absent, null and empty repeated fields are left out). */
export function encodeMessage(spec: MessageSpec, value: object): Uint8Array {
  const writer = new Writer();
  const record = value as Record<string, unknown>;
  for (const field of spec) {
    const v = record[field.name];
    if (v === undefined || v === null) continue;
    if (!field.repeated) {
      writeValue(writer, field, v);
      continue;
    }
    const list = v as ArrayLike<unknown>;
    if (list.length === 0) continue;
    if (isPacked(field.kind)) {
      // proto3 packs repeated numbers: one length-delimited run.
      const packed = new Writer();
      for (let i = 0; i < list.length; i++) writeScalar(packed, field.kind, list[i]);
      writer.tag(field.number, LENGTH_DELIMITED);
      writer.lengthDelimited(packed.finish());
    } else {
      for (let i = 0; i < list.length; i++) writeValue(writer, field, list[i]);
    }
  }
  return writer.finish();
}

class Reader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  private need(count: number, end: number): void {
    if (count > end - this.pos) throw new RangeError(`protobuf: truncated at byte ${this.pos} (needs ${count} more)`);
  }

  varint(end: number): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.need(1, end);
      const byte = this.bytes[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
    throw new RangeError(`protobuf: a varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A length prefix, checked against what is left before `end`. */
  length(end: number): number {
    const length = this.varint(end);
    if (length > BigInt(end - this.pos)) throw new RangeError(`protobuf: a length of ${length} at byte ${this.pos} runs past the end`);
    return Number(length);
  }

  float32(end: number): number {
    this.need(4, end);
    const value = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return value;
  }

  slice(length: number): Uint8Array {
    const out = this.bytes.slice(this.pos, this.pos + length); // a copy: decoded models never alias the input
    this.pos += length;
    return out;
  }

  skip(wireType: number, end: number): void {
    if (wireType === VARINT) {
      this.varint(end);
      return;
    }
    let length: number;
    if (wireType === FIXED64) length = 8;
    else if (wireType === FIXED32) length = 4;
    else if (wireType === LENGTH_DELIMITED) length = this.length(end); // moves past the prefix first
    else throw new RangeError(`protobuf: wire type ${wireType} at byte ${this.pos} is not one proto3 writes`);
    this.need(length, end);
    this.pos += length;
  }
}

function readScalar(reader: Reader, kind: FieldKind, end: number): number {
  if (kind === 'float') return reader.float32(end);
  const raw = reader.varint(end);
  return Number(kind === 'int32' ? BigInt.asIntN(32, raw) : BigInt.asIntN(64, raw));
}

function readMessage(reader: Reader, spec: MessageSpec, end: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of spec) if (field.repeated) out[field.name] = [];
  while (reader.pos < end) {
    const key = reader.varint(end);
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (number === 0) throw new RangeError(`protobuf: field number 0 at byte ${reader.pos}`);
    const field = spec.find((f) => f.number === number);
    if (!field) {
      reader.skip(wireType, end);
      continue;
    }
    if (field.repeated && isPacked(field.kind) && wireType === LENGTH_DELIMITED) {
      const length = reader.length(end);
      const stop = reader.pos + length;
      const list = out[field.name] as number[];
      while (reader.pos < stop) list.push(readScalar(reader, field.kind, stop));
      continue;
    }
    const expected = wireTypeOf(field.kind);
    if (wireType !== expected) throw new RangeError(`protobuf: field ${field.name} (${number}) has wire type ${wireType}, expected ${expected}`);
    let value: unknown;
    if (isPacked(field.kind)) value = readScalar(reader, field.kind, end);
    else {
      const length = reader.length(end);
      if (field.kind === 'bytes') value = reader.slice(length);
      else if (field.kind === 'string') value = utf8Decoder.decode(reader.slice(length));
      else value = readMessage(reader, field.message!, reader.pos + length);
    }
    if (field.repeated) (out[field.name] as unknown[]).push(value);
    else out[field.name] = value;
  }
  return out;
}

/** Decodes one message; repeated fields are always arrays, unknown fields are skipped, malformed input throws. */
export function decodeMessage(spec: MessageSpec, bytes: Uint8Array): Record<string, unknown> {
  const reader = new Reader(bytes);
  return readMessage(reader, spec, bytes.length);
}
