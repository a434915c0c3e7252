/**
 * The native step's I/O block (`bindStep`, native/addon/model_wrap.h): one typed array, bound once per batch
 * size, that a step copies its inputs into and its results out of. A call then hands the addon no arrays at all;
 * inspecting five typed arrays through N-API cost more than the kernel of a 64-unit LTC.
 */
import type { NativeStep } from '../backend/native-types.js';
import type { FloatArray } from './tensor.js';

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
  }
}
