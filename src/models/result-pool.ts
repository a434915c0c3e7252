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
export const MAX_POOLED = SLAB_ELEMENTS >>> 2;

export class ResultPool {
  /** The current slab, and its buffer (kept: reading `.buffer` is a runtime call in V8). */
  private slab: FloatArray;
  buffer: ArrayBuffer;
  private used = 0;
  readonly bytesPerElement: number;

  constructor(private readonly ArrayType: Float32ArrayConstructor | Float64ArrayConstructor) {
    this.slab = new ArrayType(SLAB_ELEMENTS);
    this.buffer = this.slab.buffer as ArrayBuffer;
    this.bytesPerElement = ArrayType.BYTES_PER_ELEMENT;
  }

  /** A fresh zero-filled array of `length` elements that overlaps nothing handed out before. */
  take(length: number): FloatArray {
    if (length > MAX_POOLED) return new this.ArrayType(length);
    const at = this.reserve(length) * this.bytesPerElement; // first: it may start a new slab
    return new this.ArrayType(this.buffer, at, length);
  }

  /**
   * Copies `source` (at most MAX_POOLED elements) into fresh space of the current slab and returns its byte offset
   * in `buffer`, so that a caller cutting several results out of one copy makes one `set` instead of one per result.
   * (Read `buffer` after the call: the copy may start a new slab.)
   */
  copy(source: FloatArray): number {
    const at = this.reserve(source.length);
    this.slab.set(source, at);
    return at * this.bytesPerElement;
  }

  private reserve(length: number): number {
    if (this.used + length > this.slab.length) {
      this.slab = new this.ArrayType(SLAB_ELEMENTS);
      this.buffer = this.slab.buffer as ArrayBuffer;
      this.used = 0;
    }
    const at = this.used;
    this.used += length;
    return at;
  }
}
