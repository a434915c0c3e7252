import { argumentError, argumentErrorRendered } from '../errors.js';
import { describe } from '../describe.js';

import { arrayTypeOf, dtypeOf, type Dtype, type FloatArray } from '../backend/float-array.js';

export { arrayTypeOf, dtypeOf, type Dtype, type FloatArray } from '../backend/float-array.js';

/** A dense row-major tensor: a typed array and its shape. Typed arrays cross into native code without copies. */
export interface Tensor<A extends FloatArray = FloatArray> {
  data: A;
  shape: number[];
}

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Makes a tensor. A Float32Array / Float64Array is used as is (no copy); a plain array or nested array is
 * copied into the dtype given (default float32).
 */
export function tensor(data: FloatArray | ArrayLike<number> | unknown[], shape: number[], dtype?: Dtype): Tensor {
  const api = 'tensor';
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw argumentError(TypeError, api, 'shape', 'an array of non-negative integers', shape);
  }
  let array: FloatArray;
  if (data instanceof Float32Array || data instanceof Float64Array) {
    if (dtype !== undefined && dtype !== dtypeOf(data)) {
      throw argumentError(TypeError, api, 'data', `a ${dtype === 'float64' ? 'Float64Array' : 'Float32Array'} (dtype '${dtype}')`, data);
    }
    array = data;
  } else if (Array.isArray(data) || (ArrayBuffer.isView(data) && !(data instanceof DataView))) {
    const values = Array.isArray(data) ? (data as unknown[]).flat(Infinity) : Array.from(data as ArrayLike<number>);
    const bad = values.findIndex((v) => typeof v !== 'number');
    if (bad >= 0) throw argumentError(TypeError, api, `data[${bad}]`, 'a number', values[bad]);
    array = new (arrayTypeOf(dtype ?? 'float32'))(values as number[]);
  } else {
    throw argumentError(TypeError, api, 'data', 'a Float32Array, Float64Array or array of numbers', data);
  }
  if (array.length !== product(shape)) {
    throw argumentErrorRendered(
      RangeError,
      api,
      'data',
      `${product(shape)} elements for shape [${shape.join(', ')}]`,
      `${describe(array)} with ${array.length} elements`,
    );
  }
  return { data: array, shape: [...shape] };
}

/** Checks that value is a tensor of the dtype and exact shape given; returns its data. */
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function expectTensor<A extends FloatArray>(
  api: string,
  name: string,
  value: unknown,
  dtype: Dtype,
  shape: readonly number[],
  shapeText: string,
): A {
  // Messages are built only on failure: this check sits on the single-step hot path.
  if (typeof value !== 'object' || value === null || !('data' in value) || !('shape' in value)) {
    throw argumentError(TypeError, api, name, `a ${dtype} tensor of shape [${shape.join(', ')}] ${shapeText}`, value);
  }
  const t = value as Tensor;
  const isRightType = dtype === 'float64' ? t.data instanceof Float64Array : t.data instanceof Float32Array;
  if (!isRightType) {
    const typeName = dtype === 'float64' ? 'Float64Array' : 'Float32Array';
    throw argumentErrorRendered(TypeError, api, `${name}.data`, `a ${typeName} (the model's dtype is '${dtype}')`, describe(t.data));
  }
  if (!Array.isArray(t.shape) || t.shape.length !== shape.length || !sameShape(t.shape, shape)) {
    throw argumentErrorRendered(RangeError, api, `${name}.shape`, `[${shape.join(', ')}] ${shapeText}`, Array.isArray(t.shape) ? `[${t.shape.join(', ')}]` : describe(t.shape));
  }
  if (t.data.length !== product(shape)) {
    throw argumentErrorRendered(RangeError, api, `${name}.data`, `${product(shape)} elements`, describe(t.data));
  }
  return t.data as A;
}
