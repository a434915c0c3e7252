/**
 * Calls of backends that the CPU addon's native profiler does not see (MLX), announced to whoever listens (a
 * running profile, src/monitor/profile.ts). With no listener a call pays one array-length check.
 */
import type { ModelSpec } from './cell-spec.js';

export interface BackendCallEvent {
  /** 'ltc.forward', 'cfc.forwardBackward', … (the CPU profiler's names) */
  kernel: string;
  backend: string;
  device: string;
  /** performance.now() when the call started, and its duration (an async call's includes its wait in the queue). */
  startMs: number;
  durationMs: number;
  batch: number;
  steps: number;
  /** What the work accounting needs (monitor/call-work.ts): the model and the call's shape. */
  spec: ModelSpec;
  backward: boolean;
  returnSequences: boolean;
  timespans: boolean;
  h0: boolean;
  dropout: boolean;
}

type Listener = (event: BackendCallEvent) => void;
const listeners: Listener[] = [];

/** Calls `listener` for every such call until the returned function is called. */
export function onBackendCall(listener: Listener): () => void {
  listeners.push(listener);
  return () => {
    const at = listeners.indexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  };
}

export function isListening(): boolean {
  return listeners.length > 0;
}

export function emitBackendCall(event: BackendCallEvent): void {
  for (const listener of listeners) listener(event);
}
