/**
 * A tiny typed builder of ONNX graphs: nodes with fresh value names, float initializers (float32 or float16,
 * stored as little-endian raw_data), small int64 constants, and the ModelProto envelope. It knows nothing about
 * neural circuits; ltc-graph.ts and cfc-graph.ts describe the math with it.
 */
import type { FloatType } from './graph-options.js';
import { MODEL, type IAttributeProto, type IModelProto, type INodeProto, type IStringStringEntryProto, type ITensorProto, type IValueInfoProto } from './onnx-schema.js';
import { decodeMessage, encodeMessage } from './protobuf.js';

/** The ONNX message types (IModelProto, INodeProto, …), for the other files of src/onnx. */
export type * as OnnxTypes from './onnx-schema.js';
export type { FloatType } from './graph-options.js';

/** TensorProto.DataType values we use. */
export const DATA_TYPE = { float32: 1, int64: 7, float16: 10 } as const;

/** Our nodes only carry integer attributes (axis, keepdims, to): INT or INTS. */
type AttributeValue = number | number[];

/** Rounds a number to the nearest float16 (ties to even) and returns its 16 bits. */
export function float16Bits(value: number): number {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf / NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    // Subnormal (or zero): shift the implicit bit in, round to nearest even.
    if (e < -10) return sign;
    const m = mantissa | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    if (rest > half || (rest === half && (r & 1) === 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1) === 1)) r++; // may carry into the exponent: still correct
  return sign | r;
}

function rawFloats(values: ArrayLike<number>, type: FloatType): Uint8Array {
  if (type === 'float32') {
    const f = Float32Array.from(values);
    return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  }
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(2 * i, float16Bits(values[i]), true);
  return bytes;
}

export class GraphBuilder {
  readonly nodes: INodeProto[] = [];
  readonly initializers: ITensorProto[] = [];
  readonly inputs: IValueInfoProto[] = [];
  readonly outputs: IValueInfoProto[] = [];
  private counter = 0;
  /** Small constants are shared: the same value list gets one initializer. */
  private readonly constants = new Map<string, string>();

  /** `floatType` is the type every float initializer (and so the computation) is stored in. */
  constructor(readonly floatType: FloatType) {}

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** One node; returns its output names (`outputs` of them). */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputs = 1): string[] {
    const names = Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()));
    const attribute = Object.entries(attributes).map(([name, value]): IAttributeProto => {
      const ints = Array.isArray(value) ? value : [value];
      if (!ints.every(Number.isInteger)) throw new Error(`GraphBuilder: attribute ${name} of ${opType} must be integers.`);
      return Array.isArray(value) ? { name, type: 7, ints: value } : { name, type: 2, i: value }; // INTS / INT
    });
    this.nodes.push({ opType, input: inputs, output: names, name: names[0], attribute });
    return names;
  }

  /** A single-output node. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.node(opType, inputs, attributes)[0];
  }

  /** A float initializer (converted to the graph's float type). Scalars are stored with shape [1]. */
  floats(prefix: string, values: ArrayLike<number>, shape: number[]): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dataType: DATA_TYPE[this.floatType], dims: shape, rawData: rawFloats(values, this.floatType) });
    return name;
  }

  /** A shared float constant of shape [1] (broadcasts against anything). */
  scalar(value: number): string {
    const key = `f:${value}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.floats('const', [value], [1]);
      this.constants.set(key, name);
    }
    return name;
  }

  /** A shared 1-D int64 constant (axes, starts, split sizes), stored in int64_data for readers that expect it. */
  int64s(values: number[]): string {
    const key = `i:${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.fresh('ints');
      this.initializers.push({ name, dataType: DATA_TYPE.int64, dims: [values.length], int64Data: values });
      this.constants.set(key, name);
    }
    return name;
  }

  input(name: string, type: FloatType, shape: (number | string)[]): string {
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Declares `value` as the graph output `name` (through an Identity, so the name is ours). */
  output(name: string, value: string, type: FloatType, shape: (number | string)[]): void {
    this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `output_${name}` });
    this.outputs.push(valueInfo(name, type, shape));
  }

  // ---- ops used by the cells (all inside onnxruntime's Core ML MLProgram list, see coreml-ops.ts) -----------

  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  sigmoid(a: string): string {
    return this.op('Sigmoid', [a]);
  }
  tanh(a: string): string {
    return this.op('Tanh', [a]);
  }
  /** a·W + b with W (in × out) and b (out) constants: MatMul then Add (Gemm's Core ML builder wants 2-D only). */
  linear(a: string, weight: string, bias: string | undefined): string {
    const product = this.op('MatMul', [a, weight]);
    return bias ? this.add(product, bias) : product;
  }
  concat(values: string[], axis: number): string {
    return values.length === 1 ? values[0] : this.op('Concat', values, { axis });
  }
  /** x[…, start:end, …] on one axis (constant bounds, as Core ML requires). */
  slice(x: string, axis: number, start: number, end: number): string {
    return this.op('Slice', [x, this.int64s([start]), this.int64s([end]), this.int64s([axis])]);
  }
  /** Splits x along `axis` into pieces of the given sizes (constant sizes, as Core ML requires). */
  split(x: string, axis: number, sizes: number[]): string[] {
    if (sizes.length === 1) return [x];
    return this.node('Split', [x, this.int64s(sizes)], { axis }, sizes.length);
  }
  /** Σ over `axis`, dropping it (axes as an input: opset ≥ 13). */
  reduceSum(x: string, axis: number): string {
    return this.op('ReduceSum', [x, this.int64s([axis])], { keepdims: 0 });
  }
  unsqueeze(x: string, axis: number): string {
    return this.op('Unsqueeze', [x, this.int64s([axis])]);
  }
  squeeze(x: string, axis: number): string {
    return this.op('Squeeze', [x, this.int64s([axis])]);
  }
  cast(x: string, to: FloatType): string {
    return this.op('Cast', [x], { to: DATA_TYPE[to] });
  }

  /** The ModelProto bytes. `metadata` lands in metadata_props (read back by OnnxPolicy). */
  toModel(options: { opset: number; graphName: string; docString: string; metadata: Record<string, string> }): IModelProto {
    return {
      irVersion: irVersionFor(options.opset),
      producerName: 'ncp-silicon',
      producerVersion: '0.1.0',
      docString: options.docString,
      opsetImport: [{ domain: '', version: options.opset }],
      metadataProps: Object.entries(options.metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: options.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
  }
}

function valueInfo(name: string, type: FloatType, shape: (number | string)[]): IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[type],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** The IR version that goes with an opset (ONNX's versioning table): 17 → 8, 18–19 → 9, 20–21 → 10, 22+ → 10/11. */
export function irVersionFor(opset: number): number {
  if (opset <= 17) return 8;
  if (opset <= 19) return 9;
  if (opset <= 21) return 10;
  return opset <= 22 ? 10 : 11;
}

export function encodeModel(model: IModelProto): Uint8Array {
  return encodeMessage(MODEL, model);
}

/** Decodes ModelProto bytes (throws on malformed input); repeated fields are always arrays. */
export function decodeModel(bytes: Uint8Array): IModelProto & { metadataProps: IStringStringEntryProto[] } {
  return decodeMessage(MODEL, bytes) as unknown as IModelProto & { metadataProps: IStringStringEntryProto[] };
}
