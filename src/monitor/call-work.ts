/**
 * The FLOPs and bytes of a call on a backend whose runner does not count them itself (MLX): the formulas of
 * docs/monitoring.md (work-formulas.ts) applied to the model's description, as the CPU runner applies them to its
 * calls. The cell's work is what the CPU kernels would do for the same call; the gradient sum counts one chunk.
 */
import type { ModelSpec } from '../backend/cell-spec.js';
import { loadNative } from '../backend/load.js';
import { callWork, cfcWork, lstmWork, ltcWork, projectionWork, wiredCfcWork, type CellWork, type Work } from './work-formulas.js';

export interface CallFacts {
  batch: number;
  steps: number;
  backward: boolean;
  returnSequences: boolean;
  timespans: boolean;
  /** An initial state was given. */
  h0: boolean;
  dropout: boolean;
}

export function workOfCall(spec: ModelSpec, call: CallFacts): Work & { uniqueBytes: number } {
  const E = spec.dtype === 'float64' ? 8 : 4;
  const cell = spec.cell;
  const S = cell.inputSize;
  let work: CellWork;
  let H: number;
  let cellOutputs: number;
  if (cell.kind === 'ltc') {
    const nonZero = (name: string): number => {
      const entry = spec.layout.entries.find((e) => e.name === name)!;
      let count = 0;
      for (let i = entry.offset; i < entry.offset + entry.size; i++) if (spec.params[i] !== 0) count++;
      return count;
    };
    const shape = { S, N: cell.units, M: cell.motorSize, U: cell.odeUnfolds, inMap: cell.inputMapping, outMap: cell.outputMapping };
    work = ltcWork(shape, nonZero('rnn_cell.sparsity_mask'), nonZero('rnn_cell.sensory_sparsity_mask'), E);
    H = cell.units;
    cellOutputs = cell.motorSize;
  } else if (cell.kind === 'cfc') {
    const shape = { S, N: cell.units, mode: cell.mode, activation: cell.activation, units: cell.backboneUnits, layers: cell.backboneLayers, dropout: cell.backboneDropout };
    work = cfcWork(shape, loadNative().kernelVectorBytes, E);
    H = cell.units;
    cellOutputs = cell.units;
  } else {
    work = wiredCfcWork(S, cell.layerSizes, cell.mode, loadNative().kernelVectorBytes, E);
    H = cell.layerSizes.reduce((a, b) => a + b, 0);
    cellOutputs = cell.layerSizes[cell.layerSizes.length - 1];
  }
  return callWork(work, {
    B: call.batch,
    L: call.steps,
    S,
    H,
    P: spec.projSize > 0 ? spec.projSize : cellOutputs,
    E,
    params: spec.params.length,
    backward: call.backward,
    returnSequences: call.returnSequences,
    timespans: call.timespans,
    h0: call.h0,
    dropoutSeed: call.dropout,
    lstm: spec.mixedMemory ? lstmWork(S, H, call.backward, E) : undefined,
    projection: spec.projSize > 0 ? projectionWork(cellOutputs, spec.projSize, call.backward, E) : undefined,
    chunks: 1,
  });
}
