/**
 * The LTC cell of SPEC.md §2, written plainly in float64: one sample, dense loops over every (source,
 * destination) pair with the sparsity masks multiplied in, exactly as ncps does it. This is the readable
 * oracle; native/core/ltc.cpp is the fast one (compressed synapse lists) and is checked against it.
 *
 * Parameter names (full ncps state-dict names, looked up in `offsets`), with i a source and j a destination:
 *   rnn_cell.gleak, vleak, cm (N); sigma, mu, w, erev, sparsity_mask (N×N, [i, j]);
 *   rnn_cell.sensory_sigma, sensory_mu, sensory_w, sensory_erev, sensory_sparsity_mask (S×N, [input, j]);
 *   rnn_cell.input_w, input_b (S); rnn_cell.output_w, output_b (M), as the mappings ask.
 */
import { describe } from '../../describe.js';
import type { ReferenceCell, Vec } from './cell.js';
import type { LtcCellConfig } from '../cell-configs.js';
export type { LtcCellConfig, LtcMapping } from '../cell-configs.js';

/** What forward keeps for backward: the mapped input and every intermediate state of the ODE solver. */
export interface LtcTape {
  /** x after the input mapping (S). */
  xm: Vec;
  /** v_0 … v_U: the state before each unfold and after the last (U + 1 vectors of N). */
  v: Vec[];
  /** Per unfold: the denominator cmt + f(gleak) + den + ε (U vectors of N). */
  denominator: Vec[];
}

const P = 'rnn_cell.';

const LTC_PARAM_NAMES = [
  'gleak', 'vleak', 'cm', 'sigma', 'mu', 'w', 'erev',
  'sensory_sigma', 'sensory_mu', 'sensory_w', 'sensory_erev',
  'sparsity_mask', 'sensory_sparsity_mask',
  'input_w', 'input_b', 'output_w', 'output_b',
] as const;
type LtcParamName = (typeof LTC_PARAM_NAMES)[number];

/** The full ncps names of every flat-layout entry an LTC cell with this config reads (masks included). */
export function ltcParameterNames(config: Pick<LtcCellConfig, 'inputMapping' | 'outputMapping'>): string[] {
  return LTC_PARAM_NAMES.filter(
    (name) =>
      !(name === 'input_w' && config.inputMapping === 'none') &&
      !(name === 'input_b' && config.inputMapping !== 'affine') &&
      !(name === 'output_w' && config.outputMapping === 'none') &&
      !(name === 'output_b' && config.outputMapping !== 'affine'),
  ).map((name) => P + name);
}

/** softplus with β = 1 and PyTorch's threshold 20, and its derivative. */
function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}
function softplusGrad(x: number): number {
  return x > 20 ? 1 : sigmoid(x);
}
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export class ReferenceLtcCell implements ReferenceCell<LtcTape> {
  readonly inputSize: number;
  readonly stateSize: number;
  readonly outputSize: number;
  private readonly config: LtcCellConfig;
  private readonly p: ArrayLike<number>;
  /** Element offset of each parameter in the flat buffer (-1 for a mapping parameter this config has not). */
  private readonly o: Record<LtcParamName, number>;

  constructor(config: LtcCellConfig, params: ArrayLike<number>, offsets: Record<string, number>) {
    const { inputSize: S, units: N, motorSize: M, odeUnfolds: U } = config;
    for (const [name, value, min] of [
      ['inputSize', S, 1],
      ['units', N, 1],
      ['motorSize', M, 1],
      ['odeUnfolds', U, 1],
    ] as const) {
      if (!Number.isInteger(value) || value < min) {
        throw new RangeError(`ReferenceLtcCell: expected a positive integer for config.${name}, received ${describe(value)}.`);
      }
    }
    if (M > N) throw new RangeError(`ReferenceLtcCell: expected at most ${N} (units) for config.motorSize, received ${describe(M)}.`);
    this.config = { ...config };
    this.p = params;
    this.inputSize = S;
    this.stateSize = N;
    this.outputSize = M;
    // Resolve every offset now, so a layout that lacks a parameter this configuration uses fails here.
    const used = new Set(ltcParameterNames(config));
    const o = {} as Record<LtcParamName, number>;
    for (const name of LTC_PARAM_NAMES) {
      const offset = offsets[P + name];
      if (used.has(P + name) && offset === undefined) {
        throw new RangeError(`ReferenceLtcCell: the parameter layout has no entry '${P + name}'.`);
      }
      o[name] = used.has(P + name) ? offset : -1;
    }
    this.o = o;
  }

  /** f: softplus under implicit constraints, identity otherwise (used on w, sensory_w, cm, gleak only). */
  private f(x: number): number {
    return this.config.implicitParamConstraints ? softplus(x) : x;
  }
  private fGrad(x: number): number {
    return this.config.implicitParamConstraints ? softplusGrad(x) : 1;
  }

  forward(x: ArrayLike<number>, h: ArrayLike<number>, dt: number, hNext: Vec, y: Vec): LtcTape {
    if (!(dt > 0) || !Number.isFinite(dt)) {
      throw new RangeError(`ReferenceLtcCell: expected a positive finite elapsed time, received ${describe(dt)}.`);
    }
    const { inputSize: S, units: N, motorSize: M, odeUnfolds: U, epsilon, inputMapping, outputMapping } = this.config;
    const p = this.p;
    const o = this.o;

    // x ← x ⊙ input_w + input_b
    const xm = new Float64Array(S);
    for (let i = 0; i < S; i++) {
      let value = x[i];
      if (inputMapping !== 'none') value *= p[o.input_w + i];
      if (inputMapping === 'affine') value += p[o.input_b + i];
      xm[i] = value;
    }

    // numS = Σ_i sa·sensory_erev, denS = Σ_i sa with sa = f(sensory_w)·σ(sensory_sigma·(x − sensory_mu))·mask
    const numS = new Float64Array(N);
    const denS = new Float64Array(N);
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < N; j++) {
        const k = i * N + j;
        const sa =
          this.f(p[o.sensory_w + k]) *
          sigmoid(p[o.sensory_sigma + k] * (xm[i] - p[o.sensory_mu + k])) *
          p[o.sensory_sparsity_mask + k];
        numS[j] += sa * p[o.sensory_erev + k];
        denS[j] += sa;
      }
    }

    // cmt = f(cm) / (Δ / U)
    const cmt = new Float64Array(N);
    for (let j = 0; j < N; j++) cmt[j] = this.f(p[o.cm + j]) / (dt / U);

    const v: Vec[] = [Float64Array.from({ length: N }, (_, j) => h[j])];
    const denominator: Vec[] = [];
    for (let k = 0; k < U; k++) {
      const vk = v[k];
      const num = Float64Array.from(numS);
      const den = Float64Array.from(denS);
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          const q = i * N + j;
          const a =
            this.f(p[o.w + q]) * sigmoid(p[o.sigma + q] * (vk[i] - p[o.mu + q])) * p[o.sparsity_mask + q];
          num[j] += a * p[o.erev + q];
          den[j] += a;
        }
      }
      const next = new Float64Array(N);
      const denom = new Float64Array(N);
      for (let j = 0; j < N; j++) {
        const gleak = this.f(p[o.gleak + j]);
        const numerator = cmt[j] * vk[j] + gleak * p[o.vleak + j] + num[j];
        denom[j] = cmt[j] + gleak + den[j] + epsilon;
        next[j] = numerator / denom[j];
      }
      v.push(next);
      denominator.push(denom);
    }

    const vU = v[U];
    for (let j = 0; j < N; j++) hNext[j] = vU[j];
    // output = v[0:M] ⊙ output_w + output_b
    for (let m = 0; m < M; m++) {
      let value = vU[m];
      if (outputMapping !== 'none') value *= p[o.output_w + m];
      if (outputMapping === 'affine') value += p[o.output_b + m];
      y[m] = value;
    }
    return { xm, v, denominator };
  }

  backward(
    x: ArrayLike<number>,
    _h: ArrayLike<number>,
    dt: number,
    tape: LtcTape,
    dhNext: ArrayLike<number>,
    dy: ArrayLike<number>,
    dx: Vec,
    dh: Vec,
    grad: Vec,
  ): number {
    const { inputSize: S, units: N, motorSize: M, odeUnfolds: U, inputMapping, outputMapping } = this.config;
    const p = this.p;
    const o = this.o;
    const { xm, v, denominator } = tape;

    // Output mapping: y[m] = v_U[m]·output_w[m] + output_b[m].
    const dv = Float64Array.from({ length: N }, (_, j) => dhNext[j]);
    for (let m = 0; m < M; m++) {
      if (outputMapping !== 'none') {
        grad[o.output_w + m] += dy[m] * v[U][m];
        dv[m] += dy[m] * p[o.output_w + m];
      } else {
        dv[m] += dy[m];
      }
      if (outputMapping === 'affine') grad[o.output_b + m] += dy[m];
    }

    const cmt = new Float64Array(N);
    for (let j = 0; j < N; j++) cmt[j] = this.f(p[o.cm + j]) / (dt / U);
    const dCmt = new Float64Array(N);
    const dGleak = new Float64Array(N); // d/d f(gleak)
    const dNumS = new Float64Array(N);
    const dDenS = new Float64Array(N);

    // Unfolds in reverse: v_{k+1} = numerator / denominator.
    for (let k = U - 1; k >= 0; k--) {
      const vk = v[k];
      const dNum = new Float64Array(N); // d/d numerator
      const dDen = new Float64Array(N); // d/d denominator
      const dvk = new Float64Array(N);
      for (let j = 0; j < N; j++) {
        dNum[j] = dv[j] / denominator[k][j];
        dDen[j] = (-dv[j] * v[k + 1][j]) / denominator[k][j];
        const gleak = this.f(p[o.gleak + j]);
        // numerator = cmt·v_k + f(gleak)·vleak + num; denominator = cmt + f(gleak) + den + ε
        dvk[j] += dNum[j] * cmt[j];
        dCmt[j] += dNum[j] * vk[j] + dDen[j];
        dGleak[j] += dNum[j] * p[o.vleak + j] + dDen[j];
        grad[o.vleak + j] += dNum[j] * gleak;
        dNumS[j] += dNum[j];
        dDenS[j] += dDen[j];
      }
      // num = Σ_i a·erev, den = Σ_i a, a = f(w)·σ(sigma·(v_k[i] − mu))·mask
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          const q = i * N + j;
          const mask = p[o.sparsity_mask + q];
          const wRaw = p[o.w + q];
          const sigma = p[o.sigma + q];
          const diff = vk[i] - p[o.mu + q];
          const s = sigmoid(sigma * diff);
          const a = this.f(wRaw) * s * mask;
          const dA = dNum[j] * p[o.erev + q] + dDen[j];
          grad[o.erev + q] += dNum[j] * a;
          grad[o.w + q] += dA * s * mask * this.fGrad(wRaw);
          const dZ = dA * a * (1 - s); // d/d (sigma·(v − mu))
          grad[o.sigma + q] += dZ * diff;
          grad[o.mu + q] -= dZ * sigma;
          dvk[i] += dZ * sigma;
        }
      }
      dv.set(dvk);
    }
    dh.set(dv);

    // cmt = f(cm)·U/Δ, f(gleak)
    let dDt = 0;
    for (let j = 0; j < N; j++) {
      grad[o.cm + j] += (dCmt[j] * U * this.fGrad(p[o.cm + j])) / dt;
      dDt -= (dCmt[j] * cmt[j]) / dt;
      grad[o.gleak + j] += dGleak[j] * this.fGrad(p[o.gleak + j]);
    }

    // Sensory synapses, then the input mapping.
    const dXm = new Float64Array(S);
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < N; j++) {
        const q = i * N + j;
        const mask = p[o.sensory_sparsity_mask + q];
        const wRaw = p[o.sensory_w + q];
        const sigma = p[o.sensory_sigma + q];
        const diff = xm[i] - p[o.sensory_mu + q];
        const s = sigmoid(sigma * diff);
        const sa = this.f(wRaw) * s * mask;
        const dSa = dNumS[j] * p[o.sensory_erev + q] + dDenS[j];
        grad[o.sensory_erev + q] += dNumS[j] * sa;
        grad[o.sensory_w + q] += dSa * s * mask * this.fGrad(wRaw);
        const dZ = dSa * sa * (1 - s);
        grad[o.sensory_sigma + q] += dZ * diff;
        grad[o.sensory_mu + q] -= dZ * sigma;
        dXm[i] += dZ * sigma;
      }
    }
    for (let i = 0; i < S; i++) {
      if (inputMapping !== 'none') {
        grad[o.input_w + i] += dXm[i] * x[i];
        dx[i] += dXm[i] * p[o.input_w + i];
      } else {
        dx[i] += dXm[i];
      }
      if (inputMapping === 'affine') grad[o.input_b + i] += dXm[i];
    }
    return dDt;
  }
}
