/**
 * What one MLX sequence call holds on its device, estimated from the shapes before MLX runs (models/call-limits.ts
 * refuses a call above the device's budget). MLX builds the whole call as one graph; with gradients, the
 * vector-Jacobian product keeps every step's intermediates until the backward pass has used them, so the graph
 * grows with batch × steps. On MLX's CPU device a failed allocation inside MLX is a crash (its allocator hands back
 * a null buffer and writes through it), so this bound is the only protection there. native/mlx/mlx_memory.cpp
 * computes the same estimate for callers that reach the addon directly: change both together.
 *
 * Measured with `memory().peakBytes` (MLX 0.32.1, CPU device) and fitted per sample-step (b·t), per step (t) and
 * per call, in float32 values; the coefficients are about twice the measured ones (docs/mlx.md, "When MLX fails"):
 *   LTC, per b·t:  10·U·(N² + S·N) + 32·N   (each ODE unfold's synapse tensors, B×N×N and B×S×N; measured ≈ 6·U·N²)
 *   CfC, per b·t:  4·backbone units·layers + 8·N + 2·S
 *   wired CfC, per b·t:  12·(S + N)
 *   mixed memory, per b·t: + 16·N (the LSTM's gates)
 *   per step: 2·params (a weight gradient per step before they are summed; measured ≈ 0.9·params)
 *   per call: 8·params, plus twice the inputs and results (input, timespans, outputs, states; the graph's
 *   time-major copies and the gradients of the same shapes).
 * A forward call frees intermediates as soon as they are used: it holds one step's for every sample (for LTC one
 * unfold's, 10·(N² + S·N) + 32·N; measured ≈ 8.5·N²), 2·params and twice the inputs and results.
 * Measured peaks are 1.8–3.5 × below the estimate for backward calls (the ones that can be large).
 */
import type { CellSpec } from './cell-spec.js';
import type { DeviceCallShape } from './sequence-backend.js';

const FLOAT32_BYTES = 4;

export interface MlxModelSizes {
  cell: CellSpec;
  mixedMemory: boolean;
  inputs: number;
  state: number;
  outputs: number;
  params: number;
}

/** float32 values one sample holds for one step of the graph. */
export function valuesPerSampleStep(m: MlxModelSizes): number {
  const c = m.cell;
  const lstm = m.mixedMemory ? 16 * m.state : 0;
  if (c.kind === 'ltc') return 10 * c.odeUnfolds * (c.units * c.units + c.inputSize * c.units) + 32 * c.units + lstm;
  if (c.kind === 'cfc') return 4 * c.backboneUnits * c.backboneLayers + 8 * c.units + 2 * c.inputSize + lstm;
  return 12 * (c.inputSize + m.state) + lstm;
}

/** float32 values one sample holds at once in a forward call (no tape). */
export function valuesPerSampleForward(m: MlxModelSizes): number {
  const c = m.cell;
  if (c.kind !== 'ltc') return valuesPerSampleStep(m);
  return 10 * (c.units * c.units + c.inputSize * c.units) + 32 * c.units + (m.mixedMemory ? 16 * m.state : 0);
}

/** Bytes the call's graph may hold on the device at its peak. */
export function mlxCallBytes(m: MlxModelSizes, call: DeviceCallShape): number {
  const { batch: B, steps: L } = call;
  const io = B * L * (m.inputs + (call.hasTimespans ? 1 : 0) + m.outputs + m.state) + 2 * B * m.state;
  const values = call.backward
    ? B * L * valuesPerSampleStep(m) + L * 2 * m.params + 8 * m.params + 2 * io
    : B * valuesPerSampleForward(m) + 2 * m.params + 2 * io;
  return values * FLOAT32_BYTES;
}
