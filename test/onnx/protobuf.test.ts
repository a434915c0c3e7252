/**
 * Our ONNX protobuf encoder and decoder against onnx-proto (protobufjs, a dev dependency here): each reads what
 * the other writes, field for field, and malformed bytes are refused instead of half-read.
 */
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { AutoNCP, CfC, LTC } from '../../src/index.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { decodeModel, encodeModel, type OnnxTypes } from '../../src/onnx/graph-builder.js';
import { MODEL } from '../../src/onnx/onnx-schema.js';
import { decodeMessage } from '../../src/onnx/protobuf.js';

const { onnx } = onnxProto;

/**
 * A decoded model as plain data, for comparing decoders: bytes as arrays, and without empty repeated fields
 * (each decoder lists the ones its schema has: protobufjs knows every field of onnx.proto, we only ours).
 */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => !(Array.isArray(v) && v.length === 0)).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

const theirDecode = (bytes: Uint8Array) => plain(onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, arrays: true }));

const handMade: OnnxTypes.IModelProto = {
  irVersion: 8,
  producerName: 'test',
  opsetImport: [{ domain: '', version: 17 }],
  metadataProps: [{ key: 'k', value: 'välue ✓' }],
  graph: {
    name: 'g',
    input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'B' }, { dimValue: 3 }] } } } }],
    output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'B' }, { dimValue: 3 }] } } } }],
    initializer: [
      { name: 'axes', dataType: 7, dims: [2], int64Data: [-1, 2 ** 40] },
      { name: 'w', dataType: 1, dims: [2], floatData: [0.5, -3.25] },
      { name: 'raw', dataType: 1, dims: [1], rawData: new Uint8Array([0, 0, 0x80, 0x3f]) },
    ],
    node: [{ opType: 'Concat', name: 'c', input: ['x', 'x'], output: ['y'], attribute: [{ name: 'axis', type: 2, i: -1 }, { name: 'perm', type: 7, ints: [1, 0, -2] }] }],
  },
};

describe('ONNX protobuf codec', () => {
  it.each([
    ['LTC step', () => exportOnnx(new LTC(3, new AutoNCP(10, 2), { mixedMemory: true }))],
    ['CfC sequence float16', () => exportOnnx(new CfC(3, 6, { backboneUnits: 4 }), { mode: 'sequence', sequenceLength: 3, dtype: 'float16', batch: 2 })],
  ])('protobufjs decodes what exportOnnx writes exactly as our decoder does (%s)', (_name, make) => {
    const bytes = make();
    const ours = plain(decodeModel(bytes));
    expect(theirDecode(bytes)).toEqual(ours);
    expect((ours as { graph: { node: unknown[] } }).graph.node.length).toBeGreaterThan(10);
  });

  it('round-trips negative and large int64, floats, UTF-8 and bytes, both ways', () => {
    const ours = encodeModel(handMade);
    const theirs = onnx.ModelProto.encode(onnx.ModelProto.fromObject(handMade)).finish();
    const expected = theirDecode(theirs);
    expect(theirDecode(ours)).toEqual(expected);
    expect(plain(decodeModel(ours))).toEqual(expected);
    expect(plain(decodeModel(theirs))).toEqual(expected);
    expect((expected as { graph: { initializer: { int64Data: number[] }[] } }).graph.initializer[0].int64Data).toEqual([-1, 2 ** 40]);
  });

  it('skips fields it does not know (foreign models carry more than we write)', () => {
    const foreign = onnx.ModelProto.encode(onnx.ModelProto.fromObject({ ...handMade, modelVersion: 3, trainingInfo: [{}], functions: [{ name: 'f', node: [] }] })).finish();
    expect(decodeModel(foreign).metadataProps).toEqual([{ key: 'k', value: 'välue ✓' }]);
  });

  it('refuses truncated or malformed bytes with the byte where it failed', () => {
    const bytes = encodeModel(handMade);
    expect(() => decodeModel(bytes.subarray(0, bytes.length - 3))).toThrow(RangeError);
    expect(() => decodeModel(new Uint8Array([0x3a, 0x05, 0x0a]))).toThrow(/length of 5 at byte 2 runs past the end/); // graph, 5 bytes, 1 given
    expect(() => decodeModel(new Uint8Array([0x7b]))).toThrow(/wire type 3 at byte 1 is not one proto3 writes/); // a group (field 15)
    expect(() => decodeModel(new Uint8Array([0x00]))).toThrow(/field number 0/);
    expect(() => decodeModel(new Uint8Array([0x08, 0xff, 0xff]))).toThrow(/truncated at byte 3/);
    expect(() => decodeModel(new Uint8Array([0x12, 0x01]))).toThrow(/runs past the end/);
    expect(() => decodeModel(new Uint8Array([0x0a, 0x01, 0x41]))).toThrow(/producerVersion|wire type 2, expected 0/); // ir_version sent as bytes
    expect(() => decodeMessage(MODEL, new Uint8Array([0x08, ...new Array(10).fill(0xff), 0x01]))).toThrow(/longer than 10 bytes/);
  });
});
