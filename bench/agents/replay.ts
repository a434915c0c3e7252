/**
 * The prequential protocol: calls in stream order; before each call, every outcome whose reveal time is at or
 * before the call's time is delivered (in reveal-time order, ties by call order). Score first, learn on reveal.
 */
import type { AgentStream } from './stream.js';

export interface Forecaster {
  readonly name: string;
  /** Probability for call j (called once per call, in order). */
  predict(j: number): number;
  /** Outcome of call j revealed (once, after predict(j)). */
  learn(j: number): void;
  /** Optional: after the last call, deliver what is left. */
  finish?(): void | Promise<void>;
}

/** A binary min-heap of call indices keyed by reveal time (ties: lower index first). */
export class RevealQueue {
  private readonly heap: Int32Array;
  private size = 0;
  constructor(private readonly key: Float64Array, capacity: number) { this.heap = new Int32Array(capacity); }
  get length(): number { return this.size; }
  push(j: number): void {
    const h = this.heap;
    let i = this.size++;
    h[i] = j;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  peekKey(): number { return this.size ? this.key[this.heap[0]] : Infinity; }
  pop(): number {
    const h = this.heap;
    const top = h[0];
    h[0] = h[--this.size];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < this.size && this.less(h[l], h[m])) m = l;
      if (r < this.size && this.less(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
    return top;
  }
  private less(a: number, b: number): boolean {
    const ka = this.key[a], kb = this.key[b];
    return ka < kb || (ka === kb && a < b);
  }
}

/** Replays `count` calls through `f`; returns its probabilities. */
export async function replay(stream: AgentStream, f: Forecaster, count = stream.time.length, onReveal?: () => Promise<void> | void): Promise<Float64Array> {
  const p = new Float64Array(count);
  const queue = new RevealQueue(stream.revealTime, count);
  for (let j = 0; j < count; j++) {
    const t = stream.time[j];
    while (queue.length && queue.peekKey() <= t) f.learn(queue.pop());
    if (onReveal) await onReveal();
    p[j] = f.predict(j);
    queue.push(j);
  }
  while (queue.length) f.learn(queue.pop());
  await f.finish?.();
  return p;
}
