/**
 * The size checks of one sequence call (forward / forwardBackward), made before any of its arrays exist:
 * batch × length against LIMITS.maxBatchSteps, then an estimate of every byte the call allocates against
 * LIMITS.maxWorkspaceBytes. The estimate follows native/core/sequence.h (Workspace, chunk gradients) and the
 * cells' tape and scratch sizes; it errs on the large side (full synapse counts, no sparsity). A backend whose
 * calls hold memory on a device of their own (MLX) adds its estimate there, checked against the smaller of
 * LIMITS.maxWorkspaceBytes and the device's budget, with the same SizeLimitError.
 */
import type { DeviceCallMemory, SequenceBackend } from '../backend/sequence-backend.js';
import { SizeLimitError } from '../errors.js';
import { checkBatchSteps, checkBytes, formatBytes, LIMITS } from '../limits.js';

/** What a cell needs per sample: scalars stored per step for backward (tape) and per-thread scratch. */
export interface StepWork {
  tape: number;
  scratch: number;
}

export interface ModelSizes {
  inputs: number;
  state: number;
  outputs: number;
  /** Elements of the flat parameter array. */
  params: number;
  mixedMemory: boolean;
  bytesPerElement: number;
  step: StepWork;
}

export interface CallShape {
  batch: number;
  steps: number;
  backward: boolean;
  returnSequences: boolean;
  hasTimespans: boolean;
  /** Threads the batch is split over (each holds its own workspace and, in training, gradient buffer). */
  threads: number;
  /** The input's shape as the caller gave it, for messages. */
  shape: readonly number[];
}

/** Elements one call allocates, JS results and native workspace together. */
export function callElements(m: ModelSizes, c: CallShape): number {
  const { batch: B, steps: L } = c;
  const H = m.state;
  const states = m.mixedMemory ? 2 * B * H : B * H;
  let results = (c.returnSequences ? B * L * m.outputs : B * m.outputs) + states;
  if (c.backward) results += B * L * m.inputs + (c.hasTimespans ? B * L : 0) + states + m.params;
  // Per chunk (sequence.h, Workspace): the tape (every step in training) — the cell's, the state before each
  // step, the output, and with mixed memory the LSTM's — then state vectors and the cell's scratch.
  const lstmTape = m.mixedMemory ? 7 * H : 0;
  const stepTape = m.step.tape + H + m.outputs + lstmTape;
  const perChunk = stepTape * (c.backward ? L : 1) + m.step.scratch + 4 * H + m.outputs + (c.backward ? 8 * H + m.outputs : 0);
  const chunks = Math.max(1, Math.min(B, c.threads));
  const chunkGradients = c.backward ? chunks * m.params : 0;
  return results + chunks * perChunk + chunkGradients;
}

export function checkCallSize(api: string, m: ModelSizes, c: CallShape, backend?: Pick<SequenceBackend, 'deviceMemory'>): void {
  checkBatchSteps(api, 'input.shape', c.batch, c.steps, `[${c.shape.join(', ')}]`);
  const elements = callElements(m, c);
  const detail = `${elements} values of ${m.bytesPerElement} bytes for batch ${c.batch}, length ${c.steps}${c.backward ? ' with gradients' : ''} on ${c.threads} thread${c.threads === 1 ? '' : 's'}`;
  checkBytes(api, 'the memory of this call (results and native workspace)', elements * m.bytesPerElement, 'maxWorkspaceBytes', detail);
  const device = backend?.deviceMemory?.(c);
  if (device) checkDeviceBytes(api, c, device);
}

/** The call's graph on its device against the smaller of LIMITS.maxWorkspaceBytes and the device's budget. */
function checkDeviceBytes(api: string, c: CallShape, device: DeviceCallMemory): void {
  const fromLimits = LIMITS.maxWorkspaceBytes <= device.budgetBytes;
  const max = fromLimits ? LIMITS.maxWorkspaceBytes : device.budgetBytes;
  if (device.bytes <= max) return;
  const bound = fromLimits ? `LIMITS.maxWorkspaceBytes = ${max} bytes` : `${device.budget}, ${max} bytes`;
  throw new SizeLimitError(
    `${api}: expected at most ${formatBytes(max)} (${bound}) for the memory of this call on ${device.device} (its graph, estimated before it runs), received ${formatBytes(device.bytes)} (batch ${c.batch}, length ${c.steps}${c.backward ? ' with gradients' : ''}; use a smaller batch or shorter sequences, or backend: 'cpu').`,
    fromLimits ? 'maxWorkspaceBytes' : 'deviceBudgetBytes',
  );
}
