/** Reference mixed-memory LSTM (SPEC.md §4) and output projection, float64. Twin of native/core/lstm.cpp. */
import type { Vec } from './cell.js';

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export interface LstmTape {
  inputAct: Vec;
  inputGate: Vec;
  forgetGate: Vec;
  outputGate: Vec;
  tanhC: Vec;
}

export class ReferenceLstm {
  private readonly wIn: number;
  private readonly bIn: number;
  private readonly wRec: number;

  constructor(
    readonly inputSize: number,
    readonly hidden: number,
    private readonly params: ArrayLike<number>,
    offsets: Record<string, number>,
  ) {
    this.wIn = offsets['lstm.input_map.weight'];
    this.bIn = offsets['lstm.input_map.bias'];
    this.wRec = offsets['lstm.recurrent_map.weight'];
  }

  forward(x: ArrayLike<number>, h: ArrayLike<number>, c: ArrayLike<number>, hNext: Vec, cNext: Vec): LstmTape {
    const { inputSize: S, hidden: H, params: p } = this;
    const z = new Float64Array(4 * H);
    for (let row = 0; row < 4 * H; row++) {
      let acc = p[this.bIn + row];
      for (let k = 0; k < S; k++) acc += p[this.wIn + row * S + k] * x[k];
      for (let k = 0; k < H; k++) acc += p[this.wRec + row * H + k] * h[k];
      z[row] = acc;
    }
    const tape: LstmTape = {
      inputAct: new Float64Array(H),
      inputGate: new Float64Array(H),
      forgetGate: new Float64Array(H),
      outputGate: new Float64Array(H),
      tanhC: new Float64Array(H),
    };
    for (let j = 0; j < H; j++) {
      tape.inputAct[j] = Math.tanh(z[j]);
      tape.inputGate[j] = sigmoid(z[H + j]);
      tape.forgetGate[j] = sigmoid(z[2 * H + j] + 1); // ncps adds 1 to the forget gate
      tape.outputGate[j] = sigmoid(z[3 * H + j]);
      cNext[j] = c[j] * tape.forgetGate[j] + tape.inputAct[j] * tape.inputGate[j];
      tape.tanhC[j] = Math.tanh(cNext[j]);
      hNext[j] = tape.tanhC[j] * tape.outputGate[j];
    }
    return tape;
  }

  /** dx += …; dh, dc overwritten; grad += …. */
  backward(
    x: ArrayLike<number>,
    h: ArrayLike<number>,
    c: ArrayLike<number>,
    tape: LstmTape,
    dhNext: ArrayLike<number>,
    dcNext: ArrayLike<number>,
    dx: Vec,
    dh: Vec,
    dc: Vec,
    grad: Vec,
  ): void {
    const { inputSize: S, hidden: H, params: p } = this;
    const dz = new Float64Array(4 * H);
    for (let j = 0; j < H; j++) {
      const { inputAct: ia, inputGate: ig, forgetGate: fg, outputGate: og, tanhC: tc } = tape;
      const dcNew = dcNext[j] + dhNext[j] * og[j] * (1 - tc[j] * tc[j]);
      dz[3 * H + j] = dhNext[j] * tc[j] * og[j] * (1 - og[j]);
      dz[2 * H + j] = dcNew * c[j] * fg[j] * (1 - fg[j]);
      dz[H + j] = dcNew * ia[j] * ig[j] * (1 - ig[j]);
      dz[j] = dcNew * ig[j] * (1 - ia[j] * ia[j]);
      dc[j] = dcNew * fg[j];
    }
    dh.fill(0);
    for (let row = 0; row < 4 * H; row++) {
      const d = dz[row];
      grad[this.bIn + row] += d;
      for (let k = 0; k < S; k++) {
        grad[this.wIn + row * S + k] += d * x[k];
        dx[k] += d * p[this.wIn + row * S + k];
      }
      for (let k = 0; k < H; k++) {
        grad[this.wRec + row * H + k] += d * h[k];
        dh[k] += d * p[this.wRec + row * H + k];
      }
    }
  }
}

/** out = W·y + b with fc.weight (P × O), fc.bias (P). */
export class ReferenceProjection {
  private readonly w: number;
  private readonly b: number;

  constructor(
    readonly inputSize: number,
    readonly outputSize: number,
    private readonly params: ArrayLike<number>,
    offsets: Record<string, number>,
  ) {
    this.w = offsets['fc.weight'];
    this.b = offsets['fc.bias'];
  }

  forward(y: ArrayLike<number>, out: Vec): void {
    const { inputSize: O, outputSize: P, params: p } = this;
    for (let r = 0; r < P; r++) {
      let acc = p[this.b + r];
      for (let k = 0; k < O; k++) acc += p[this.w + r * O + k] * y[k];
      out[r] = acc;
    }
  }

  /** dy overwritten; grad += …. */
  backward(y: ArrayLike<number>, dOut: ArrayLike<number>, dy: Vec, grad: Vec): void {
    const { inputSize: O, outputSize: P, params: p } = this;
    dy.fill(0);
    for (let r = 0; r < P; r++) {
      grad[this.b + r] += dOut[r];
      for (let k = 0; k < O; k++) {
        grad[this.w + r * O + k] += dOut[r] * y[k];
        dy[k] += dOut[r] * p[this.w + r * O + k];
      }
    }
  }
}
