/** The element types every backend computes in, and the typed arrays that carry them across N-API without copies. */
export type Dtype = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;
