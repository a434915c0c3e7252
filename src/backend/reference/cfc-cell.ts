/**
 * Reference CfC cell (fully connected, with backbone): SPEC.md §3 written plainly in float64.
 * Also holds the pieces the wired cell reuses (Linear, CfcHead) and the dropout hash that the native
 * kernel (native/core/cfc.h, `dropout_bits`) implements identically.
 *
 *   z = [x; h]  →  backbone (backboneLayers × act(Linear), Dropout after layers 2+)  →  f
 *   pure:      h' = −A·exp(−Δ·(|w_tau| + |ff1(f)|))·ff1(f) + A
 *   otherwise: t1 = tanh(ff1(f)), t2 = tanh(ff2(f)), ti = σ(time_a(f)·Δ + time_b(f))
 *              no_gate: h' = t1 + ti·t2        default: h' = t1·(1 − ti) + ti·t2
 *   output = h'
 */
import type { ReferenceCell, Vec } from './cell.js';
import { backboneLinearIndex } from '../ncps-names.js';
import type { CfcCellConfig, CfcMode, CfcActivation } from '../cell-configs.js';
export type { CfcCellConfig, CfcMode, CfcActivation } from '../cell-configs.js';

export const CFC_MODES: readonly CfcMode[] = ['default', 'no_gate', 'pure'];
export const CFC_ACTIVATIONS: readonly CfcActivation[] = ['lecun_tanh', 'tanh', 'relu', 'gelu', 'silu'];

/** Outer scale of ncps's LeCun tanh, `1.7159 * tanh(0.666 * x)` (ncps/torch/cfc_cell.py:33). */
export const LECUN_TANH_OUTER_SCALE = 1.7159;
/** Inner scale of ncps's LeCun tanh: ncps uses 0.666, not LeCun's 2/3 (ncps/torch/cfc_cell.py:33). */
export const LECUN_TANH_INNER_SCALE = 0.666;

// ---------------------------------------------------------------------------------------------------------
// Activations

/** erf(x) by the all-positive series erf(x) = 2/√π·e^{−x²}·Σ (2x²)ⁿ·x / (2n+1)!! (no cancellation). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x); // erfc(6) ≈ 2e−17: below half an ulp of 1
  const x2 = 2 * ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 0; term > 1e-17 * sum; n++) {
    term *= x2 / (2 * n + 3);
    sum += term;
  }
  const value = (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
  return x < 0 ? -value : value;
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** act(a) for the backbone. gelu is the exact (erf) form, PyTorch's nn.GELU() default. */
export function activate(kind: CfcActivation, a: number): number {
  switch (kind) {
    case 'lecun_tanh':
      return LECUN_TANH_OUTER_SCALE * Math.tanh(LECUN_TANH_INNER_SCALE * a);
    case 'tanh':
      return Math.tanh(a);
    case 'relu':
      return a > 0 ? a : 0;
    case 'gelu':
      return 0.5 * a * (1 + erf(a / Math.SQRT2));
    case 'silu':
      return a * sigmoid(a);
  }
}

/** d act / da (relu: 0 at a = 0, as PyTorch). */
export function activateGrad(kind: CfcActivation, a: number): number {
  switch (kind) {
    case 'lecun_tanh': {
      const t = Math.tanh(LECUN_TANH_INNER_SCALE * a);
      return LECUN_TANH_OUTER_SCALE * LECUN_TANH_INNER_SCALE * (1 - t * t);
    }
    case 'tanh': {
      const t = Math.tanh(a);
      return 1 - t * t;
    }
    case 'relu':
      return a > 0 ? 1 : 0;
    case 'gelu':
      return 0.5 * (1 + erf(a / Math.SQRT2)) + (a * Math.exp(-0.5 * a * a)) / Math.sqrt(2 * Math.PI);
    case 'silu': {
      const s = sigmoid(a);
      return s * (1 + a * (1 - s));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Dropout hash (shared bit-for-bit with native/core/cfc.h `dropout_bits`)

const MASK64 = (1n << 64n) - 1n;
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;

/**
 * The 64 random bits for (key, layer, unit): output number `counter + 1` of a SplitMix64 generator seeded
 * with `key`, where counter = layer·2³² + unit. (key 0, layer 0, unit 0 gives SplitMix64(0)'s first output,
 * 0xe220a8397b1dcdaf.) Counter-based, so forward and backward (and both backends) derive the same masks.
 */
export function dropoutBits(key: bigint | number, layer: number, unit: number): bigint {
  const counter = (BigInt(layer) << 32n) | BigInt(unit);
  let z = (BigInt(key) + (counter + 1n) * GOLDEN_GAMMA) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/**
 * Inverted-dropout factor of one unit: 0 (dropped) or 1/(1 − p) (kept), like torch.nn.Dropout in training.
 * u = top 53 bits / 2⁵³ ∈ [0, 1); the unit is kept when u ≥ p (probability 1 − p).
 */
export function dropoutScale(key: bigint | number, layer: number, unit: number, p: number): number {
  const u = Number(dropoutBits(key, layer, unit) >> 11n) * 2 ** -53;
  return u >= p ? 1 / (1 - p) : 0;
}

// ---------------------------------------------------------------------------------------------------------
// Parameters and Linear

export type ParamOffsets = Readonly<Record<string, number>>;

/** A float64 copy of the named tensor (`size` elements) from the flat parameter buffer. */
export function readParam(
  api: string,
  params: ArrayLike<number>,
  offsets: ParamOffsets,
  name: string,
  size: number,
): Float64Array {
  const offset = offsets[name];
  if (offset === undefined) {
    throw new RangeError(`${api}: expected an entry '${name}' in the parameter layout, received none.`);
  }
  if (offset + size > params.length) {
    throw new RangeError(
      `${api}: expected ${size} values for '${name}' at offset ${offset}, ` +
        `received a buffer of length ${params.length}.`,
    );
  }
  const out = new Float64Array(size);
  for (let k = 0; k < size; k++) out[k] = params[offset + k];
  return out;
}

/**
 * y = (W ⊙ mask)·x + b with W (out × in) row-major, as torch's F.linear(x, W * mask, b).
 * The gradient of W is (dy ⊗ x) ⊙ mask, so masked entries get exactly 0.
 */
export class Linear {
  readonly weight: Float64Array; // effective (masked) weight
  readonly bias: Float64Array;
  readonly mask: Float64Array | null;
  readonly weightOffset: number;
  readonly biasOffset: number;

  constructor(
    api: string,
    params: ArrayLike<number>,
    offsets: ParamOffsets,
    prefix: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    mask: Float64Array | null = null,
  ) {
    const raw = readParam(api, params, offsets, `${prefix}.weight`, outFeatures * inFeatures);
    this.bias = readParam(api, params, offsets, `${prefix}.bias`, outFeatures);
    this.mask = mask;
    this.weight = mask ? raw.map((w, k) => w * mask[k]) : raw;
    this.weightOffset = offsets[`${prefix}.weight`];
    this.biasOffset = offsets[`${prefix}.bias`];
  }

  forward(x: ArrayLike<number>): Vec {
    const { inFeatures: K, outFeatures: M, weight } = this;
    const y = new Float64Array(M);
    for (let j = 0; j < M; j++) {
      let s = this.bias[j];
      for (let k = 0; k < K; k++) s += weight[j * K + k] * x[k];
      y[j] = s;
    }
    return y;
  }

  /** grad += dL/dW, dL/db; dx += Wᵀ·dy. */
  backward(x: ArrayLike<number>, dy: ArrayLike<number>, dx: Vec, grad: Vec): void {
    const { inFeatures: K, outFeatures: M, weight, mask } = this;
    for (let j = 0; j < M; j++) {
      const d = dy[j];
      grad[this.biasOffset + j] += d;
      const row = this.weightOffset + j * K;
      for (let k = 0; k < K; k++) {
        grad[row + k] += mask ? d * x[k] * mask[j * K + k] : d * x[k];
        dx[k] += weight[j * K + k] * d;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The CfC head: features f → new hidden state (shared by the FC cell and every wired layer)

export interface CfcHeadTape {
  /** pure: ff1(f); otherwise t1 = tanh(ff1(f)). */
  ff1: Vec;
  /** pure: exp(−Δ·(|w_tau| + |ff1|)). */
  decay?: Vec;
  t2?: Vec;
  /** ti = σ(time_a·Δ + time_b). */
  ti?: Vec;
  timeA?: Vec;
}

/** sign with sign(0) = 0, as torch.abs's backward. */
function sign(v: number): number {
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

export class CfcHead {
  readonly ff1: Linear;
  readonly ff2: Linear | null = null;
  readonly timeA: Linear | null = null;
  readonly timeB: Linear | null = null;
  readonly wTau: Float64Array | null = null;
  readonly a: Float64Array | null = null;
  readonly wTauOffset: number = -1;
  readonly aOffset: number = -1;

  /** Parameters `${prefix}.ff1.weight`, …; `mask` (units × inFeatures) multiplies ff1 and ff2 only. */
  constructor(
    api: string,
    readonly mode: CfcMode,
    params: ArrayLike<number>,
    offsets: ParamOffsets,
    prefix: string,
    readonly inFeatures: number,
    readonly units: number,
    mask: Float64Array | null = null,
  ) {
    this.ff1 = new Linear(api, params, offsets, `${prefix}.ff1`, inFeatures, units, mask);
    if (mode === 'pure') {
      this.wTau = readParam(api, params, offsets, `${prefix}.w_tau`, units);
      this.a = readParam(api, params, offsets, `${prefix}.A`, units);
      this.wTauOffset = offsets[`${prefix}.w_tau`];
      this.aOffset = offsets[`${prefix}.A`];
    } else {
      this.ff2 = new Linear(api, params, offsets, `${prefix}.ff2`, inFeatures, units, mask);
      this.timeA = new Linear(api, params, offsets, `${prefix}.time_a`, inFeatures, units);
      this.timeB = new Linear(api, params, offsets, `${prefix}.time_b`, inFeatures, units);
    }
  }

  forward(f: ArrayLike<number>, dt: number, out: Vec): CfcHeadTape {
    const N = this.units;
    const ff1 = this.ff1.forward(f);
    if (this.mode === 'pure') {
      const wTau = this.wTau!;
      const A = this.a!;
      const decay = new Float64Array(N);
      for (let j = 0; j < N; j++) {
        decay[j] = Math.exp(-dt * (Math.abs(wTau[j]) + Math.abs(ff1[j])));
        out[j] = -A[j] * decay[j] * ff1[j] + A[j];
      }
      return { ff1, decay };
    }
    const t1 = ff1.map(Math.tanh);
    const t2 = this.ff2!.forward(f).map(Math.tanh);
    const timeA = this.timeA!.forward(f);
    const timeB = this.timeB!.forward(f);
    const ti = new Float64Array(N);
    for (let j = 0; j < N; j++) {
      ti[j] = sigmoid(timeA[j] * dt + timeB[j]);
      out[j] = this.mode === 'no_gate' ? t1[j] + ti[j] * t2[j] : t1[j] * (1 - ti[j]) + ti[j] * t2[j];
    }
    return { ff1: t1, t2, ti, timeA };
  }

  /** The h' that forward returned, rebuilt from its tape. */
  outputFromTape(tape: CfcHeadTape, dt: number): Vec {
    const N = this.units;
    const out = new Float64Array(N);
    for (let j = 0; j < N; j++) {
      if (this.mode === 'pure') out[j] = -this.a![j] * tape.decay![j] * tape.ff1[j] + this.a![j];
      else if (this.mode === 'no_gate') out[j] = tape.ff1[j] + tape.ti![j] * tape.t2![j];
      else out[j] = tape.ff1[j] * (1 - tape.ti![j]) + tape.ti![j] * tape.t2![j];
    }
    return out;
  }

  /** g = dL/dh'. Accumulates parameter grads, adds dL/df to df, returns dL/dΔ. */
  backward(f: ArrayLike<number>, dt: number, tape: CfcHeadTape, g: ArrayLike<number>, df: Vec, grad: Vec): number {
    const N = this.units;
    let ddt = 0;
    if (this.mode === 'pure') {
      const wTau = this.wTau!;
      const A = this.a!;
      const dff1 = new Float64Array(N);
      for (let j = 0; j < N; j++) {
        const p = tape.ff1[j];
        const e = tape.decay![j];
        // h' = −A·e·p + A with e = exp(−Δ·(|w_tau| + |p|))
        const dE = -g[j] * A[j] * p; // dL/de
        grad[this.aOffset + j] += g[j] * (1 - e * p);
        grad[this.wTauOffset + j] += dE * e * -dt * sign(wTau[j]);
        dff1[j] = -g[j] * A[j] * e + dE * e * -dt * sign(p);
        ddt += dE * e * -(Math.abs(wTau[j]) + Math.abs(p));
      }
      this.ff1.backward(f, dff1, df, grad);
      return ddt;
    }
    const t1 = tape.ff1;
    const t2 = tape.t2!;
    const ti = tape.ti!;
    const dff1 = new Float64Array(N);
    const dff2 = new Float64Array(N);
    const dTimeA = new Float64Array(N);
    const dTimeB = new Float64Array(N);
    for (let j = 0; j < N; j++) {
      const dt1 = this.mode === 'no_gate' ? g[j] : g[j] * (1 - ti[j]);
      const dt2 = g[j] * ti[j];
      const dti = this.mode === 'no_gate' ? g[j] * t2[j] : g[j] * (t2[j] - t1[j]);
      const ds = dti * ti[j] * (1 - ti[j]); // through σ
      dff1[j] = dt1 * (1 - t1[j] * t1[j]);
      dff2[j] = dt2 * (1 - t2[j] * t2[j]);
      dTimeA[j] = ds * dt;
      dTimeB[j] = ds;
      ddt += ds * tape.timeA![j];
    }
    this.ff1.backward(f, dff1, df, grad);
    this.ff2!.backward(f, dff2, df, grad);
    this.timeA!.backward(f, dTimeA, df, grad);
    this.timeB!.backward(f, dTimeB, df, grad);
    return ddt;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The fully connected cell

export interface CfcTape {
  /** z = [x; h]. */
  z: Vec;
  /** Per backbone layer: pre-activation, output after activation and dropout, dropout factors (or null). */
  backbone: { pre: Vec; out: Vec; dropout: Vec | null }[];
  head: CfcHeadTape;
}

const FC_API = 'ReferenceCfcCell';

function checkInteger(api: string, field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${api}: expected an integer ≥ ${min} for config.${field}, received number ${value}.`);
  }
}

export class ReferenceCfcCell implements ReferenceCell<CfcTape> {
  readonly inputSize: number;
  readonly stateSize: number;
  readonly outputSize: number;
  readonly backbone: Linear[] = [];
  readonly head: CfcHead;

  constructor(
    readonly config: CfcCellConfig,
    params: ArrayLike<number>,
    offsets: ParamOffsets,
  ) {
    const { inputSize: S, units: N, backboneUnits: U, backboneLayers, backboneDropout: p } = config;
    checkInteger(FC_API, 'inputSize', S, 1);
    checkInteger(FC_API, 'units', N, 1);
    checkInteger(FC_API, 'backboneLayers', backboneLayers, 0);
    if (backboneLayers > 0) checkInteger(FC_API, 'backboneUnits', U, 1);
    if (!(p >= 0 && p < 1)) {
      throw new RangeError(`${FC_API}: expected a number in [0, 1) for config.backboneDropout, received number ${p}.`);
    }
    this.inputSize = S;
    this.stateSize = N;
    this.outputSize = N;
    for (let l = 0; l < backboneLayers; l++) {
      const prefix = `rnn_cell.backbone.${backboneLinearIndex(l, p)}`;
      this.backbone.push(new Linear(FC_API, params, offsets, prefix, l === 0 ? S + N : U, U));
    }
    const features = backboneLayers > 0 ? U : S + N;
    this.head = new CfcHead(FC_API, config.mode, params, offsets, 'rnn_cell', features, N);
  }

  forward(x: ArrayLike<number>, h: ArrayLike<number>, dt: number, hNext: Vec, y: Vec, dropoutKey = 0): CfcTape {
    const { inputSize: S, stateSize: N } = this;
    const { activation, backboneDropout: p } = this.config;
    const z = new Float64Array(S + N);
    for (let k = 0; k < S; k++) z[k] = x[k];
    for (let k = 0; k < N; k++) z[S + k] = h[k];
    const backbone: CfcTape['backbone'] = [];
    let f: Vec = z;
    this.backbone.forEach((linear, l) => {
      const pre = linear.forward(f);
      const out = pre.map((a) => activate(activation, a));
      let dropout: Vec | null = null;
      if (l > 0 && p > 0 && dropoutKey !== 0) {
        dropout = out.map((_, j) => dropoutScale(dropoutKey, l, j, p));
        for (let j = 0; j < out.length; j++) out[j] *= dropout[j];
      }
      backbone.push({ pre, out, dropout });
      f = out;
    });
    const head = this.head.forward(f, dt, hNext);
    y.set(hNext);
    return { z, backbone, head };
  }

  backward(
    _x: ArrayLike<number>,
    _h: ArrayLike<number>,
    dt: number,
    tape: CfcTape,
    dhNext: ArrayLike<number>,
    dy: ArrayLike<number>,
    dx: Vec,
    dh: Vec,
    grad: Vec,
  ): number {
    const { inputSize: S, stateSize: N } = this;
    const { activation } = this.config;
    const g = new Float64Array(N);
    for (let j = 0; j < N; j++) g[j] = dhNext[j] + dy[j]; // y = h'
    const layers = tape.backbone;
    const features = layers.length > 0 ? layers[layers.length - 1].out : tape.z;
    let df = new Float64Array(features.length);
    const ddt = this.head.backward(features, dt, tape.head, g, df, grad);
    for (let l = layers.length - 1; l >= 0; l--) {
      const { pre, dropout } = layers[l];
      const da = df.map((d, j) => d * (dropout ? dropout[j] : 1) * activateGrad(activation, pre[j]));
      const input = l > 0 ? layers[l - 1].out : tape.z;
      df = new Float64Array(input.length);
      this.backbone[l].backward(input, da, df, grad);
    }
    for (let k = 0; k < S; k++) dx[k] += df[k];
    for (let k = 0; k < N; k++) dh[k] = df[S + k];
    return ddt;
  }
}
