/** The element types every backend computes in, and the typed arrays that carry them across N-API without copies. */
export type Dtype = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

export function arrayTypeOf(dtype: Dtype): Float32ArrayConstructor | Float64ArrayConstructor {
  return dtype === 'float64' ? Float64Array : Float32Array;
}

export function dtypeOf(data: FloatArray): Dtype {
  return data instanceof Float64Array ? 'float64' : 'float32';
}
