/**
 * OnnxPolicy's calls, announced as they end, so a running profile can set them beside the native kernels (the
 * ONNX session is not a native call the addon's log sees). With no listener an emit is one size check.
 */

export interface OnnxCallSlice {
  /** 'step' (OnnxPolicy.step) or 'run' (OnnxPolicy.run, a whole sequence). */
  kind: 'step' | 'run';
  /** The provider that ran the graph: 'cpu', 'coreml' or 'coreml+cpu'. */
  provider: string;
  /** performance.now() at the start and end of the call (validation and feeds included: what a caller waits). */
  startMs: number;
  endMs: number;
  batch: number;
  steps: number;
}

type Listener = (slice: OnnxCallSlice) => void;
const listeners = new Set<Listener>();

/** Whether anyone listens: OnnxPolicy skips reading the clock when nobody does. */
export function isOnnxCallObserved(): boolean {
  return listeners.size > 0;
}

/** Called by src/onnx/runtime.ts. */
export function emitOnnxCall(slice: OnnxCallSlice): void {
  for (const listener of listeners) listener(slice);
}

/** Registers a listener; returns the function that removes it. */
export function onOnnxCall(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
