/**
 * The ONNX messages we write (and read back), with their field numbers from onnx/onnx.proto3: only the fields
 * our graphs use, plus the ones a reader of foreign models may meet on the way to metadata_props (unknown
 * fields are skipped). Property names follow protobufjs's camelCase, so these objects read like onnx-proto's.
 */
import type { MessageSpec } from './protobuf.js';

export interface IStringStringEntryProto {
  key?: string;
  value?: string;
}

export interface IOperatorSetIdProto {
  domain?: string;
  version?: number;
}

export interface IDimension {
  dimValue?: number;
  dimParam?: string;
}

export interface ITensorShapeProto {
  dim?: IDimension[];
}

export interface ITypeProto {
  tensorType?: { elemType?: number; shape?: ITensorShapeProto };
}

export interface IValueInfoProto {
  name?: string;
  type?: ITypeProto;
  docString?: string;
}

export interface ITensorProto {
  dims?: number[];
  dataType?: number;
  floatData?: number[];
  int64Data?: number[];
  name?: string;
  rawData?: Uint8Array;
  docString?: string;
}

export interface IAttributeProto {
  name?: string;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
  docString?: string;
  /** AttributeProto.AttributeType: 1 FLOAT, 2 INT, 3 STRING, 6 FLOATS, 7 INTS. */
  type?: number;
}

export interface INodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  attribute?: IAttributeProto[];
  docString?: string;
  domain?: string;
}

export interface IGraphProto {
  node?: INodeProto[];
  name?: string;
  initializer?: ITensorProto[];
  docString?: string;
  input?: IValueInfoProto[];
  output?: IValueInfoProto[];
  valueInfo?: IValueInfoProto[];
}

export interface IModelProto {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph?: IGraphProto;
  opsetImport?: IOperatorSetIdProto[];
  metadataProps?: IStringStringEntryProto[];
}

const STRING_STRING_ENTRY: MessageSpec = [
  { number: 1, name: 'key', kind: 'string' },
  { number: 2, name: 'value', kind: 'string' },
];

const OPERATOR_SET_ID: MessageSpec = [
  { number: 1, name: 'domain', kind: 'string' },
  { number: 2, name: 'version', kind: 'int64' },
];

const TENSOR_SHAPE: MessageSpec = [
  {
    number: 1,
    name: 'dim',
    kind: 'message',
    repeated: true,
    message: [
      { number: 1, name: 'dimValue', kind: 'int64' },
      { number: 2, name: 'dimParam', kind: 'string' },
    ],
  },
];

const TYPE: MessageSpec = [
  {
    number: 1,
    name: 'tensorType',
    kind: 'message',
    message: [
      { number: 1, name: 'elemType', kind: 'int32' },
      { number: 2, name: 'shape', kind: 'message', message: TENSOR_SHAPE },
    ],
  },
];

const VALUE_INFO: MessageSpec = [
  { number: 1, name: 'name', kind: 'string' },
  { number: 2, name: 'type', kind: 'message', message: TYPE },
  { number: 3, name: 'docString', kind: 'string' },
];

const TENSOR: MessageSpec = [
  { number: 1, name: 'dims', kind: 'int64', repeated: true },
  { number: 2, name: 'dataType', kind: 'int32' },
  { number: 4, name: 'floatData', kind: 'float', repeated: true },
  { number: 7, name: 'int64Data', kind: 'int64', repeated: true },
  { number: 8, name: 'name', kind: 'string' },
  { number: 9, name: 'rawData', kind: 'bytes' },
  { number: 12, name: 'docString', kind: 'string' },
];

const ATTRIBUTE: MessageSpec = [
  { number: 1, name: 'name', kind: 'string' },
  { number: 2, name: 'f', kind: 'float' },
  { number: 3, name: 'i', kind: 'int64' },
  { number: 4, name: 's', kind: 'bytes' },
  { number: 7, name: 'floats', kind: 'float', repeated: true },
  { number: 8, name: 'ints', kind: 'int64', repeated: true },
  { number: 13, name: 'docString', kind: 'string' },
  { number: 20, name: 'type', kind: 'int32' },
];

const NODE: MessageSpec = [
  { number: 1, name: 'input', kind: 'string', repeated: true },
  { number: 2, name: 'output', kind: 'string', repeated: true },
  { number: 3, name: 'name', kind: 'string' },
  { number: 4, name: 'opType', kind: 'string' },
  { number: 5, name: 'attribute', kind: 'message', repeated: true, message: ATTRIBUTE },
  { number: 6, name: 'docString', kind: 'string' },
  { number: 7, name: 'domain', kind: 'string' },
];

const GRAPH: MessageSpec = [
  { number: 1, name: 'node', kind: 'message', repeated: true, message: NODE },
  { number: 2, name: 'name', kind: 'string' },
  { number: 5, name: 'initializer', kind: 'message', repeated: true, message: TENSOR },
  { number: 10, name: 'docString', kind: 'string' },
  { number: 11, name: 'input', kind: 'message', repeated: true, message: VALUE_INFO },
  { number: 12, name: 'output', kind: 'message', repeated: true, message: VALUE_INFO },
  { number: 13, name: 'valueInfo', kind: 'message', repeated: true, message: VALUE_INFO },
];

export const MODEL: MessageSpec = [
  { number: 1, name: 'irVersion', kind: 'int64' },
  { number: 2, name: 'producerName', kind: 'string' },
  { number: 3, name: 'producerVersion', kind: 'string' },
  { number: 4, name: 'domain', kind: 'string' },
  { number: 5, name: 'modelVersion', kind: 'int64' },
  { number: 6, name: 'docString', kind: 'string' },
  { number: 7, name: 'graph', kind: 'message', message: GRAPH },
  { number: 8, name: 'opsetImport', kind: 'message', repeated: true, message: OPERATOR_SET_ID },
  { number: 14, name: 'metadataProps', kind: 'message', repeated: true, message: STRING_STRING_ENTRY },
];
