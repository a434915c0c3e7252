/**
 * Small result arrays carved out of shared slabs, the way Node's `Buffer.allocUnsafe` pools small buffers.
 *
 * Why: `model.step` returns fresh arrays every call, and a typed array over 64 bytes gets its own off-heap
 * backing store (a malloc, a registry entry and a sweep when it dies). For a 64-unit LTC that bookkeeping cost
 * more than the kernel. Views into a shared slab are plain heap objects; the slab is freed once no view of it is
 * alive. The price: `result.data.buffer` is the slab, so transferring it to a worker would detach the other
 * views too (copy with `.slice()` first). Large requests get their own array.
 */
import type { FloatArray } from './tensor.js';

/** Elements per slab: 16 KiB of float32, 32 KiB of float64 (past ~8 KiB the allocation cost stops mattering). */
const SLAB_ELEMENTS = 4096;
/** Requests above this get their own array, so one long-lived result never pins a mostly unused slab. */
const MAX_POOLED = SLAB_ELEMENTS >>> 2;

export class ResultPool {
  private slab: FloatArray | undefined;
  private used = 0;

  constructor(private readonly ArrayType: Float32ArrayConstructor | Float64ArrayConstructor) {}

  /** A fresh zero-filled array of `length` elements that overlaps nothing handed out before. */
  take(length: number): FloatArray {
    if (length > MAX_POOLED) return new this.ArrayType(length);
    if (!this.slab || this.used + length > this.slab.length) {
      this.slab = new this.ArrayType(SLAB_ELEMENTS);
      this.used = 0;
    }
    const view = this.slab.subarray(this.used, this.used + length);
    this.used += length;
    return view;
  }
}
