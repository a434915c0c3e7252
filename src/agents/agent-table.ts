/**
 * Per-agent state in slabs (agents/slabs.ts), one slot per tracked agent, least recently scored evicted first.
 * A slot's generation changes when it is given to another agent, so an outcome that arrives for an evicted agent
 * is recognised and does not touch the newcomer's state.
 *
 * Per slot: last call time, calls so far, the cell's state, a ring of the last `window` calls (cell inputs,
 * timespans, state before each call) for BPTT, the outcome memories (decayed residual sums per half-life and the
 * outcomes since the last call), the calibeating bias and its curvature, and running per-agent metrics.
 */
import { Slabs } from './slabs.js';

export const AGENT_METRICS = 5; // outcomes, Σ log loss, Σ Brier, Σ p, Σ y
/** Calls per agent whose pending status feeds the overdue inputs (agents/cell-inputs.ts). */
export const RECENT_CALLS = 64;

export interface AgentLayout {
  units: number;
  inputs: number;
  window: number;
  halfLives: number;
}

function agentSpecs({ units: N, inputs: I, window: W, halfLives: K }: AgentLayout) {
  return {
    lastTime: { type: Float64Array, width: 1 },
    calls: { type: Float64Array, width: 1 },
    generation: { type: Uint32Array, width: 1 },
    state: { type: Float32Array, width: N },
    ringInputs: { type: Float32Array, width: W * I },
    ringDt: { type: Float32Array, width: W },
    ringState: { type: Float32Array, width: W * N },
    memSum: { type: Float64Array, width: K },
    memWeight: { type: Float64Array, width: K },
    memTime: { type: Float64Array, width: 1 },
    since: { type: Float64Array, width: 2 },
    bias: { type: Float64Array, width: 1 },
    biasCurvature: { type: Float64Array, width: 1 },
    metrics: { type: Float64Array, width: AGENT_METRICS },
    recentIds: { type: Float64Array, width: RECENT_CALLS },
    recentTimes: { type: Float64Array, width: RECENT_CALLS },
  };
}

export class AgentTable {
  readonly slabs: Slabs<ReturnType<typeof agentSpecs>>;
  readonly layout: AgentLayout;
  /** agentId → slot, in least-recently-used-first order (Map keeps insertion order; a touch re-inserts). */
  readonly slots = new Map<string, number>();
  readonly ids: (string | undefined)[] = [];
  evictions = 0;
  private readonly free: number[] = [];
  private next = 0;

  constructor(layout: AgentLayout, maxAgents: number) {
    this.layout = layout;
    this.slabs = new Slabs(agentSpecs(layout), maxAgents);
  }

  get f(): AgentTable['slabs']['fields'] {
    return this.slabs.fields;
  }

  get size(): number {
    return this.slots.size;
  }

  /** Bytes each tracked agent costs (slabs plus a bookkeeping estimate for the id string and Map entry). */
  bytesPerAgent(idLength = 16): number {
    return this.slabs.bytesPerSlot + 2 * idLength + 80;
  }

  /** The slot of a known agent (and marks it most recently used), or undefined. */
  touch(agentId: string): number | undefined {
    const slot = this.slots.get(agentId);
    if (slot !== undefined) {
      this.slots.delete(agentId);
      this.slots.set(agentId, slot);
    }
    return slot;
  }

  /** The slot an unknown agent would get if admitted now, without admitting it (for validate-then-commit). */
  peekFreeSlot(): number | undefined {
    if (this.free.length) return this.free[this.free.length - 1];
    if (this.next < this.slabs.cap) return this.next;
    return undefined;
  }

  /** Admits a new agent, evicting the least recently used one when full. Returns its zeroed slot. */
  admit(agentId: string): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.next < this.slabs.cap) {
        slot = this.next++;
        this.slabs.ensure(slot);
      } else {
        const [oldest, oldSlot] = this.slots.entries().next().value as [string, number];
        this.slots.delete(oldest);
        this.ids[oldSlot] = undefined;
        this.evictions++;
        slot = oldSlot;
      }
    }
    const generation = this.f.generation[slot] + 1;
    this.slabs.clear(slot);
    this.f.generation[slot] = generation;
    this.slots.set(agentId, slot);
    this.ids[slot] = agentId;
    return slot;
  }

  /** Restores an agent at a given slot (load). */
  restore(agentId: string, slot: number): void {
    this.slabs.ensure(slot);
    this.slots.set(agentId, slot);
    this.ids[slot] = agentId;
    this.next = Math.max(this.next, slot + 1);
  }

  /** After restore(): every slot below `next` that holds no agent is free. */
  rebuildFreeList(): void {
    this.free.length = 0;
    for (let s = this.next - 1; s >= 0; s--) if (this.ids[s] === undefined) this.free.push(s);
  }

  get highWater(): number {
    return this.next;
  }
}
