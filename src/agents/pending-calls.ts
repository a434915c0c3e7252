/**
 * Calls awaiting their outcome, in slabs, keyed by callId. Each keeps what learning needs once the outcome comes:
 * the agent (slot + generation), the scores given, and a copy of the BPTT window that ended with this call (cell
 * inputs, timespans, the state before the window). Calls expire after a TTL on the policy clock and the oldest is
 * dropped when the cap is reached; both walk a FIFO of callIds in call order whose observed entries are skipped
 * lazily (walking the Map itself would step over every deleted entry still at its front, on every call).
 */
import { Slabs } from './slabs.js';

function pendingSpecs(units: number, inputs: number, window: number) {
  return {
    time: { type: Float64Array, width: 1 },
    agentSlot: { type: Int32Array, width: 1 },
    generation: { type: Uint32Array, width: 1 },
    confidence: { type: Float64Array, width: 1 },
    cellLogit: { type: Float64Array, width: 1 },
    headLogit: { type: Float64Array, width: 1 },
    probability: { type: Float64Array, width: 1 },
    length: { type: Uint8Array, width: 1 },
    isStart: { type: Uint8Array, width: 1 },
    inputs: { type: Float32Array, width: window * inputs },
    dt: { type: Float32Array, width: window },
    state: { type: Float32Array, width: units },
  };
}

export class PendingCalls {
  readonly slabs: Slabs<ReturnType<typeof pendingSpecs>>;
  /** callId → slot, oldest call first. */
  readonly slots = new Map<number, number>();
  expired = 0;
  dropped = 0;
  private readonly free: number[] = [];
  private next = 0;
  private fifo = new Float64Array(64);
  private head = 0;
  private tail = 0;

  constructor(readonly units: number, readonly inputs: number, readonly window: number, readonly cap: number) {
    this.slabs = new Slabs(pendingSpecs(units, inputs, window), cap);
  }

  get f(): PendingCalls['slabs']['fields'] {
    return this.slabs.fields;
  }

  get size(): number {
    return this.slots.size;
  }

  /** Bytes per pending call (slabs, up to two FIFO entries, and an estimate for the Map entry). */
  get bytesPerCall(): number {
    return this.slabs.bytesPerSlot + 16 + 40;
  }

  /** Bytes held now by the slabs and the FIFO. */
  get allocatedBytes(): number {
    return this.slabs.allocatedBytes + this.fifo.byteLength;
  }

  /** A slot for a new call, dropping the oldest pending call when full. */
  add(callId: number): number {
    if (this.slots.size >= this.cap) {
      const oldest = this.oldest();
      if (oldest !== undefined) {
        this.release(oldest);
        this.head++;
        this.dropped++;
      }
    }
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.next++;
      this.slabs.ensure(slot);
    }
    this.slots.set(callId, slot);
    this.push(callId);
    return slot;
  }

  /** The oldest pending callId (at the FIFO's head once observed entries are skipped). */
  private oldest(): number | undefined {
    while (this.head < this.tail && !this.slots.has(this.fifo[this.head])) this.head++;
    return this.head < this.tail ? this.fifo[this.head] : undefined;
  }

  private push(callId: number): void {
    if (this.tail === this.fifo.length) {
      // Keep only pending ids (≤ cap), then grow if still more than half full.
      let live = 0;
      for (let i = this.head; i < this.tail; i++) if (this.slots.has(this.fifo[i])) this.fifo[live++] = this.fifo[i];
      this.head = 0;
      this.tail = live;
      if (live * 2 > this.fifo.length) {
        const grown = new Float64Array(this.fifo.length * 2);
        grown.set(this.fifo.subarray(0, live));
        this.fifo = grown;
      }
    }
    this.fifo[this.tail++] = callId;
  }

  release(callId: number): void {
    const slot = this.slots.get(callId);
    if (slot === undefined) return;
    this.slots.delete(callId);
    this.free.push(slot);
  }

  /** Drops calls older than `before` (policy clock, ms). Calls are stored in call order, so this stops early. */
  expire(before: number): void {
    const time = this.f.time;
    for (let callId = this.oldest(); callId !== undefined; callId = this.oldest()) {
      if (time[this.slots.get(callId)!] >= before) break;
      this.release(callId);
      this.head++;
      this.expired++;
    }
  }

  /** Restores one call at a fresh slot (load). */
  restore(callId: number): number {
    const slot = this.next++;
    this.slabs.ensure(slot);
    this.slots.set(callId, slot);
    this.push(callId);
    return slot;
  }
}
