/**
 * The cells of SPEC.md §2–4 written with TensorFlow.js ops, batched, so tfjs differentiates them and runs them
 * on any of its backends. Same formulas as the float64 reference in src/backend/reference/ (which the native
 * kernels are checked against); parameters are looked up by their ncps names.
 */
import * as tf from '@tensorflow/tfjs';
import { LECUN_TANH_INNER_SCALE, LECUN_TANH_OUTER_SCALE, type CfcActivation, type CfcMode } from '../backend/reference/cfc-cell.js';

/** Parameter tensors keyed by ncps name (`rnn_cell.gleak`, `lstm.input_map.weight`, `fc.bias`, …). */
export type ParamTensors = Record<string, tf.Tensor>;

export interface LtcMath {
  kind: 'ltc';
  motors: number;
  unfolds: number;
  epsilon: number;
  inputMapping: 'affine' | 'linear' | 'none';
  outputMapping: 'affine' | 'linear' | 'none';
  implicitParamConstraints: boolean;
}

export interface CfcMath {
  kind: 'cfc';
  mode: CfcMode;
  activation: CfcActivation;
  backboneLayers: number;
  backboneDropout: number;
  /** Linear indices of the backbone layers in ncps's nn.Sequential (`rnn_cell.backbone.<i>`). */
  backboneIndices: number[];
}

export interface WiredCfcMath {
  kind: 'wired_cfc';
  mode: CfcMode;
  /** Neurons per wiring layer; the state is their concatenation in this order. */
  layerSizes: number[];
}

export type CellMath = LtcMath | CfcMath | WiredCfcMath;

/** y = x·Wᵀ + b, W (out × in) as PyTorch stores it; `mask` (same shape as W) multiplies W first. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor, mask?: tf.Tensor): tf.Tensor2D {
  const w = (mask ? tf.mul(weight, mask) : weight) as tf.Tensor2D;
  return tf.add(tf.matMul(x, w, false, true), bias);
}

function activate(kind: CfcActivation, a: tf.Tensor2D): tf.Tensor2D {
  switch (kind) {
    case 'lecun_tanh':
      return tf.mul(LECUN_TANH_OUTER_SCALE, tf.tanh(tf.mul(LECUN_TANH_INNER_SCALE, a)));
    case 'tanh':
      return tf.tanh(a);
    case 'relu':
      return tf.relu(a);
    case 'gelu':
      return tf.mul(tf.mul(0.5, a), tf.add(1, tf.erf(tf.mul(Math.SQRT1_2, a))));
    case 'silu':
      return tf.mul(a, tf.sigmoid(a));
  }
}

/** One LTC step (SPEC.md §2): x (B×S), v (B×N), dt (B×1) → [output (B×M), v' (B×N)]. */
export function ltcStep(m: LtcMath, p: ParamTensors, x: tf.Tensor2D, v: tf.Tensor2D, dt: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const f = (t: tf.Tensor): tf.Tensor => (m.implicitParamConstraints ? tf.softplus(t) : t);
  const P = 'rnn_cell.';
  let xm: tf.Tensor2D = x;
  if (m.inputMapping !== 'none') xm = tf.mul(xm, p[`${P}input_w`]);
  if (m.inputMapping === 'affine') xm = tf.add(xm, p[`${P}input_b`]);

  // Sensory synapses, once per step: sa[b, i, j] with i an input and j a destination neuron.
  const sensoryW = tf.mul(f(p[`${P}sensory_w`]), p[`${P}sensory_sparsity_mask`]);
  const sa = tf.mul(sensoryW, tf.sigmoid(tf.mul(p[`${P}sensory_sigma`], tf.sub(tf.expandDims(xm, 2), p[`${P}sensory_mu`]))));
  const numS = tf.sum(tf.mul(sa, p[`${P}sensory_erev`]), 1);
  const denS = tf.sum(sa, 1);

  const gleak = f(p[`${P}gleak`]);
  const cmt = tf.div(f(p[`${P}cm`]), tf.div(dt, m.unfolds));
  const leak = tf.mul(gleak, p[`${P}vleak`]);
  const w = tf.mul(f(p[`${P}w`]), p[`${P}sparsity_mask`]);
  const sigma = p[`${P}sigma`];
  const mu = p[`${P}mu`];
  const erev = p[`${P}erev`];
  for (let u = 0; u < m.unfolds; u++) {
    const a = tf.mul(w, tf.sigmoid(tf.mul(sigma, tf.sub(tf.expandDims(v, 2), mu))));
    const num = tf.add(tf.sum(tf.mul(a, erev), 1), numS);
    const den = tf.add(tf.sum(a, 1), denS);
    v = tf.div(tf.add(tf.add(tf.mul(cmt, v), leak), num), tf.add(tf.add(tf.add(cmt, gleak), den), m.epsilon));
  }
  let out: tf.Tensor2D = tf.slice(v, [0, 0], [-1, m.motors]);
  if (m.outputMapping !== 'none') out = tf.mul(out, p[`${P}output_w`]);
  if (m.outputMapping === 'affine') out = tf.add(out, p[`${P}output_b`]);
  return [out, v];
}

/** A CfC head (SPEC.md §3) reading features z: the new hidden state. `mask` multiplies ff1 and ff2 only. */
function cfcHead(mode: CfcMode, p: ParamTensors, prefix: string, z: tf.Tensor2D, dt: tf.Tensor2D, mask?: tf.Tensor): tf.Tensor2D {
  const ff1 = linear(z, p[`${prefix}.ff1.weight`], p[`${prefix}.ff1.bias`], mask);
  if (mode === 'pure') {
    const a = p[`${prefix}.A`];
    const decay = tf.exp(tf.neg(tf.mul(dt, tf.add(tf.abs(p[`${prefix}.w_tau`]), tf.abs(ff1)))));
    return tf.add(tf.neg(tf.mul(tf.mul(a, decay), ff1)), a);
  }
  const t1 = tf.tanh(ff1);
  const t2 = tf.tanh(linear(z, p[`${prefix}.ff2.weight`], p[`${prefix}.ff2.bias`], mask));
  const timeA = linear(z, p[`${prefix}.time_a.weight`], p[`${prefix}.time_a.bias`]);
  const timeB = linear(z, p[`${prefix}.time_b.weight`], p[`${prefix}.time_b.bias`]);
  const ti = tf.sigmoid(tf.add(tf.mul(timeA, dt), timeB));
  if (mode === 'no_gate') return tf.add(t1, tf.mul(ti, t2));
  return tf.add(tf.mul(t1, tf.sub(1, ti)), tf.mul(ti, t2));
}

/**
 * One fully connected CfC step: x (B×S), h (B×N), dt (B×1) → [output, h'] (the output is h').
 * `training` turns on backbone dropout (tfjs's own masks: the native kernel's hash masks are not reproduced).
 */
export function cfcStep(m: CfcMath, p: ParamTensors, x: tf.Tensor2D, h: tf.Tensor2D, dt: tf.Tensor2D, training = false): [tf.Tensor2D, tf.Tensor2D] {
  let z: tf.Tensor2D = tf.concat([x, h], 1);
  m.backboneIndices.forEach((index, l) => {
    z = activate(m.activation, linear(z, p[`rnn_cell.backbone.${index}.weight`], p[`rnn_cell.backbone.${index}.bias`]));
    if (l > 0 && training && m.backboneDropout > 0) z = tf.dropout(z, m.backboneDropout) as tf.Tensor2D;
  });
  const next = cfcHead(m.mode, p, 'rnn_cell', z, dt);
  return [next, next];
}

/** One wired CfC step: layer l reads layer l−1's new state; the state is [layer 0 | layer 1 | …]. */
export function wiredCfcStep(m: WiredCfcMath, p: ParamTensors, x: tf.Tensor2D, h: tf.Tensor2D, dt: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const states = tf.split(h, m.layerSizes, 1) as tf.Tensor2D[];
  let input: tf.Tensor2D = x;
  const next: tf.Tensor2D[] = [];
  m.layerSizes.forEach((_, l) => {
    const prefix = `rnn_cell.layer_${l}`;
    input = cfcHead(m.mode, p, prefix, tf.concat([input, states[l]], 1), dt, p[`${prefix}.sparsity_mask`]);
    next.push(input);
  });
  return [input, next.length === 1 ? next[0] : tf.concat(next, 1)];
}

/** ncps's mixed-memory LSTM (SPEC.md §4): chunks (i, ig, fg, og), forget-gate bias +1, no recurrent bias. */
export function lstmStep(p: ParamTensors, x: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const z = tf.add(linear(x, p['lstm.input_map.weight'], p['lstm.input_map.bias']), tf.matMul(h, p['lstm.recurrent_map.weight'] as tf.Tensor2D, false, true));
  const [i, ig, fg, og] = tf.split(z, 4, 1) as tf.Tensor2D[];
  const cNext = tf.add<tf.Tensor2D>(tf.mul(c, tf.sigmoid(tf.add(fg, 1))), tf.mul(tf.tanh(i), tf.sigmoid(ig)));
  const hNext = tf.mul<tf.Tensor2D>(tf.tanh(cNext), tf.sigmoid(og));
  return [hNext, cNext];
}

export function cellStep(m: CellMath, p: ParamTensors, x: tf.Tensor2D, h: tf.Tensor2D, dt: tf.Tensor2D, training: boolean): [tf.Tensor2D, tf.Tensor2D] {
  switch (m.kind) {
    case 'ltc':
      return ltcStep(m, p, x, h, dt);
    case 'cfc':
      return cfcStep(m, p, x, h, dt, training);
    case 'wired_cfc':
      return wiredCfcStep(m, p, x, h, dt);
  }
}
