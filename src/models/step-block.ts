/**
 * The native step's I/O block (`bindStep` / `stepBound`, native/addon/model_wrap.h): one typed array, registered
 * once per batch size, that a step copies its inputs into and its results out of. A call then hands the addon no
 * arrays at all; inspecting five typed arrays through N-API cost more than the kernel of a 64-unit LTC.
 */
import type { FloatArray } from './tensor.js';

export class StepBlock {
  readonly block: FloatArray;
  readonly x: FloatArray;
  readonly dt: FloatArray;
  readonly h: FloatArray;
  readonly c: FloatArray | undefined;
  readonly output: FloatArray;
  readonly hFinal: FloatArray;
  readonly cFinal: FloatArray | undefined;

  constructor(
    ArrayType: Float32ArrayConstructor | Float64ArrayConstructor,
    readonly batch: number,
    sizes: { inputs: number; state: number; outputs: number; mixedMemory: boolean },
  ) {
    const B = batch;
    const H = B * sizes.state;
    const C = sizes.mixedMemory ? H : 0;
    const lengths = [B * sizes.inputs, B, H, C, B * sizes.outputs, H, C];
    this.block = new ArrayType(lengths.reduce((a, b) => a + b, 0));
    let at = 0;
    const [x, dt, h, c, output, hFinal, cFinal] = lengths.map((n) => this.block.subarray(at, (at += n)));
    this.x = x;
    this.dt = dt;
    this.h = h;
    this.c = sizes.mixedMemory ? c : undefined;
    this.output = output;
    this.hFinal = hFinal;
    this.cFinal = sizes.mixedMemory ? cFinal : undefined;
  }
}
