/**
 * The native step's I/O block (`bindStep`, native/addon/model_wrap.h): one typed array, bound once per batch
 * size, that a step copies its inputs into and its results out of. A call then hands the addon no arrays at all;
 * inspecting five typed arrays through N-API cost more than the kernel of a 64-unit LTC.
 */
import type { NativeStep } from '../backend/native-types.js';
import { MAX_POOLED, type ResultPool } from './result-pool.js';
import type { FloatArray } from './tensor.js';

/** One step's inputs: x (B×S), dt as one number or per sample, h and c (undefined: zeros). */
export interface StepInputs {
  x: FloatArray;
  dt: number | FloatArray;
  h: FloatArray | undefined;
  c: FloatArray | undefined;
}

/** One step's results: fresh arrays (views of a pooled slab, or of one array when large). */
export interface StepResults {
  output: FloatArray;
  hFinal: FloatArray;
  cFinal: FloatArray | undefined;
}

export class StepBlock {
  readonly block: FloatArray;
  readonly x: FloatArray;
  readonly dt: FloatArray;
  readonly h: FloatArray;
  readonly c: FloatArray | undefined;
  /** output, hFinal and cFinal, which are adjacent: one copy takes all of a step's results. */
  readonly results: FloatArray;
  /** Runs one step through this block (the function `bindStep` returned for it). */
  readonly run: NativeStep;

  private readonly ArrayType: Float32ArrayConstructor | Float64ArrayConstructor;
  private readonly outputLength: number;

  constructor(
    ArrayType: Float32ArrayConstructor | Float64ArrayConstructor,
    readonly batch: number,
    sizes: { inputs: number; state: number; outputs: number; mixedMemory: boolean },
    bind: (batch: number, block: FloatArray) => NativeStep,
  ) {
    const B = batch;
    const H = B * sizes.state;
    const C = sizes.mixedMemory ? H : 0;
    const lengths = [B * sizes.inputs, B, H, C, B * sizes.outputs + H + C];
    this.block = new ArrayType(lengths.reduce((a, b) => a + b, 0));
    let at = 0;
    const [x, dt, h, c, results] = lengths.map((n) => this.block.subarray(at, (at += n)));
    this.x = x;
    this.dt = dt;
    this.h = h;
    this.c = sizes.mixedMemory ? c : undefined;
    this.results = results;
    this.run = bind(batch, this.block);
    this.ArrayType = ArrayType;
    this.outputLength = B * sizes.outputs;
  }

  /** Copies the inputs in, runs the step at parameter `version`, and cuts fresh results out of `pool`. */
  step(inputs: StepInputs, version: number, pool: ResultPool): StepResults {
    const { batch, ArrayType } = this;
    this.x.set(inputs.x);
    if (typeof inputs.dt === 'number') {
      for (let b = 0; b < batch; b++) this.dt[b] = inputs.dt; // a loop: fill() is a slow C++ builtin for a few elements
    } else {
      this.dt.set(inputs.dt);
    }
    if (inputs.h) this.h.set(inputs.h);
    else this.h.fill(0);
    if (this.c) {
      if (inputs.c) this.c.set(inputs.c);
      else this.c.fill(0);
    }
    this.run(version);
    // Results are views of one copy of the adjacent output | hFinal | cFinal, in a pooled slab
    // (models/result-pool.ts): a fresh off-heap array per step costs more than the kernel of a small model.
    // Views are made with the (buffer, offset, length) constructor: half the cost of subarray().
    let buffer: ArrayBuffer, at: number;
    if (this.results.length <= MAX_POOLED) {
      at = pool.copy(this.results); // first: it may start a new slab
      buffer = pool.buffer;
    } else {
      at = 0;
      buffer = this.results.slice().buffer as ArrayBuffer;
    }
    const P = this.outputLength;
    const H = this.h.length;
    const E = pool.bytesPerElement;
    return {
      output: new ArrayType(buffer, at, P),
      hFinal: new ArrayType(buffer, at + P * E, H),
      cFinal: this.c ? new ArrayType(buffer, at + (P + H) * E, H) : undefined,
    };
  }
}
