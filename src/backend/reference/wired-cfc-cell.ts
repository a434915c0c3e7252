/**
 * Reference wired CfC cell (ncps WiredCfCCell): SPEC.md §3 "Wired CfC" in float64.
 * One backbone-free CfC head per wiring layer [inter, command, motor]; layer 0 reads x, layer l reads layer
 * l−1's new hidden state. Layer l's non-trainable `rnn_cell.layer_l.sparsity_mask` (n_l × (in_l + n_l))
 * multiplies the ff1 and ff2 weights only (never time_a / time_b).
 * State = [layer 0 | layer 1 | …] concatenated by layer; output = the last layer's new hidden state.
 */
import type { ReferenceCell, Vec } from './cell.js';
import { CfcHead, readParam, type CfcHeadTape, type ParamOffsets } from './cfc-cell.js';
import type { WiredCfcCellConfig } from '../cell-configs.js';
export type { WiredCfcCellConfig } from '../cell-configs.js';

export interface WiredCfcTape {
  layers: CfcHeadTape[];
}

const API = 'ReferenceWiredCfcCell';

export class ReferenceWiredCfcCell implements ReferenceCell<WiredCfcTape> {
  readonly inputSize: number;
  readonly stateSize: number;
  readonly outputSize: number;
  readonly layers: CfcHead[] = [];
  /** Where layer l's state starts in h. */
  readonly stateOffsets: number[] = [];

  constructor(
    readonly config: WiredCfcCellConfig,
    params: ArrayLike<number>,
    offsets: ParamOffsets,
  ) {
    const { inputSize: S, layerSizes } = config;
    if (!Number.isInteger(S) || S < 1) {
      throw new RangeError(`${API}: expected a positive integer for config.inputSize, received number ${S}.`);
    }
    if (layerSizes.length < 1 || !layerSizes.every((n) => Number.isInteger(n) && n >= 1)) {
      throw new RangeError(
        `${API}: expected a non-empty array of positive integers for config.layerSizes, ` +
          `received [${layerSizes.join(', ')}].`,
      );
    }
    let inFeatures = S;
    let stateOffset = 0;
    layerSizes.forEach((n, l) => {
      const prefix = `rnn_cell.layer_${l}`;
      const mask = readParam(API, params, offsets, `${prefix}.sparsity_mask`, n * (inFeatures + n));
      this.layers.push(new CfcHead(API, config.mode, params, offsets, prefix, inFeatures + n, n, mask));
      this.stateOffsets.push(stateOffset);
      stateOffset += n;
      inFeatures = n;
    });
    this.inputSize = S;
    this.stateSize = stateOffset;
    this.outputSize = layerSizes[layerSizes.length - 1];
  }

  /** z_l = [input of layer l; h_l]. */
  private layerInput(l: number, input: ArrayLike<number>, h: ArrayLike<number>): Vec {
    const n = this.config.layerSizes[l];
    const inFeatures = this.layers[l].inFeatures - n;
    const z = new Float64Array(inFeatures + n);
    for (let k = 0; k < inFeatures; k++) z[k] = input[k];
    for (let k = 0; k < n; k++) z[inFeatures + k] = h[this.stateOffsets[l] + k];
    return z;
  }

  forward(x: ArrayLike<number>, h: ArrayLike<number>, dt: number, hNext: Vec, y: Vec): WiredCfcTape {
    const tapes: CfcHeadTape[] = [];
    let input: ArrayLike<number> = x;
    this.layers.forEach((head, l) => {
      const out = new Float64Array(head.units);
      tapes.push(head.forward(this.layerInput(l, input, h), dt, out));
      hNext.set(out, this.stateOffsets[l]);
      input = out;
    });
    y.set(input as Vec);
    return { layers: tapes };
  }

  backward(
    x: ArrayLike<number>,
    h: ArrayLike<number>,
    dt: number,
    tape: WiredCfcTape,
    dhNext: ArrayLike<number>,
    dy: ArrayLike<number>,
    dx: Vec,
    dh: Vec,
    grad: Vec,
  ): number {
    const last = this.layers.length - 1;
    let ddt = 0;
    let dOut: Vec = Float64Array.from(dy); // dL/d(output of layer l) from layer l+1 (or from y)
    for (let l = last; l >= 0; l--) {
      const head = this.layers[l];
      const n = head.units;
      const inFeatures = head.inFeatures - n;
      const input = l === 0 ? x : this.layers[l - 1].outputFromTape(tape.layers[l - 1], dt);
      const z = this.layerInput(l, input, h);
      const g = new Float64Array(n);
      for (let j = 0; j < n; j++) g[j] = dhNext[this.stateOffsets[l] + j] + dOut[j];
      const dz = new Float64Array(z.length);
      ddt += head.backward(z, dt, tape.layers[l], g, dz, grad);
      for (let k = 0; k < n; k++) dh[this.stateOffsets[l] + k] = dz[inFeatures + k];
      dOut = dz.subarray(0, inFeatures);
    }
    for (let k = 0; k < this.inputSize; k++) dx[k] += dOut[k];
    return ddt;
  }
}
