/**
 * Reference sequence runner: the readable twin of native/core/sequence.h. Drives a ReferenceCell over a batch
 * (timespans, mixed-memory LSTM, projection) and backpropagates through time, all in float64.
 */
import type { ReferenceCell, Vec } from './cell.js';
import type { LstmTape, ReferenceLstm, ReferenceProjection } from './lstm.js';
import type { SequenceArgs } from '../sequence-args.js';

export interface ReferenceSequenceModel {
  cell: ReferenceCell;
  lstm?: ReferenceLstm;
  projection?: ReferenceProjection;
}

interface StepRecord {
  hBefore: Vec;
  cBefore?: Vec;
  cellH: Vec;
  lstmTape?: LstmTape;
  y: Vec;
  cellTape: unknown;
}

const MASK64 = (1n << 64n) - 1n;

/** The per-(call, sample, step) dropout key: the exact twin of mix_key in native/core/sequence.h. */
export function dropoutKey(seed: number, sample: number, step: number): number {
  if (seed === 0) return 0;
  let z = (BigInt(seed) + 0x9e3779b97f4a7c15n * (BigInt(sample) * 1000003n + BigInt(step) + 1n)) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  z ^= z >> 31n;
  z &= (1n << 53n) - 1n;
  return z === 0n ? 1 : Number(z);
}

/**
 * Runs `args` forward, and with `backward` backpropagates through time. `lossGradient`, when given, runs
 * between the two on the whole output and returns the cotangent to use instead of args.dOutput: the reference
 * of the fused forwardBackwardLoss (one forward, its records kept for the backward).
 */
export function runReferenceSequence(
  model: ReferenceSequenceModel,
  args: SequenceArgs,
  backward: boolean,
  lossGradient?: (output: SequenceArgs['output']) => SequenceArgs['output'],
): void {
  const { cell, lstm, projection } = model;
  const B = args.batch;
  const L = args.steps;
  const S = cell.inputSize;
  const H = cell.stateSize;
  const O = cell.outputSize;
  const P = projection ? projection.outputSize : O;
  const index = (b: number, t: number): number => (args.batchFirst ? b * L + t : t * B + b);
  const seed = args.dropoutSeed ?? 0;

  const samples: { records: StepRecord[] }[] = [];
  for (let b = 0; b < B; b++) {
    let h: Vec = args.h0 ? Float64Array.from(args.h0.subarray(b * H, (b + 1) * H)) : new Float64Array(H);
    let c: Vec = lstm
      ? args.c0
        ? Float64Array.from(args.c0.subarray(b * H, (b + 1) * H))
        : new Float64Array(H)
      : new Float64Array(0);
    const records: StepRecord[] = [];
    for (let t = 0; t < L; t++) {
      const idx = index(b, t);
      const x = args.input.subarray(idx * S, (idx + 1) * S);
      const dt = args.timespans ? args.timespans[idx] : 1;
      const record: StepRecord = { hBefore: h, cellH: h, y: new Float64Array(O), cellTape: undefined };
      if (lstm) {
        const hAfter = new Float64Array(H);
        const cAfter = new Float64Array(H);
        record.cBefore = c;
        record.lstmTape = lstm.forward(x, h, c, hAfter, cAfter);
        record.cellH = hAfter;
        c = cAfter;
      }
      const hNext = new Float64Array(H);
      record.cellTape = cell.forward(x, record.cellH, dt, hNext, record.y, dropoutKey(seed, b, t));
      h = hNext;
      if (args.hSequence) args.hSequence.set(h, (b * L + t) * H);
      if (args.returnSequences || t === L - 1) {
        const out = new Float64Array(P);
        if (projection) projection.forward(record.y, out);
        else out.set(record.y);
        args.output.set(out, (args.returnSequences ? idx : b) * P);
      }
      if (backward) records.push(record);
    }
    args.hFinal.set(h, b * H);
    if (lstm && args.cFinal) args.cFinal.set(c, b * H);
    samples.push({ records });
  }
  if (!backward) return;
  const dOutput = lossGradient ? lossGradient(args.output) : args.dOutput!;

  for (let b = 0; b < B; b++) {
    const { records } = samples[b];

    const grad = args.dParams as Vec | Float32Array;
    const gradF64 = new Float64Array(grad.length);
    let dh: Vec = args.dHFinal ? Float64Array.from(args.dHFinal.subarray(b * H, (b + 1) * H)) : new Float64Array(H);
    let dc: Vec = lstm && args.dCFinal ? Float64Array.from(args.dCFinal.subarray(b * H, (b + 1) * H)) : new Float64Array(H);
    for (let t = L - 1; t >= 0; t--) {
      const idx = index(b, t);
      const x = args.input.subarray(idx * S, (idx + 1) * S);
      const dt = args.timespans ? args.timespans[idx] : 1;
      const record = records[t];
      const dy = new Float64Array(O);
      if (args.returnSequences || t === L - 1) {
        const at = (args.returnSequences ? idx : b) * P;
        const dOut = dOutput.subarray(at, at + P);
        if (projection) projection.backward(record.y, dOut, dy, gradF64);
        else dy.set(dOut);
      }
      const dx = new Float64Array(S);
      const dhCell = new Float64Array(H);
      const ddt = cell.backward(x, record.cellH, dt, record.cellTape, dh, dy, dx, dhCell, gradF64);
      if (args.dTimespans) args.dTimespans[idx] = args.timespans ? ddt : 0;
      if (lstm) {
        const dhBefore = new Float64Array(H);
        const dcBefore = new Float64Array(H);
        lstm.backward(x, record.hBefore, record.cBefore!, record.lstmTape!, dhCell, dc, dx, dhBefore, dcBefore, gradF64);
        dh = dhBefore;
        dc = dcBefore;
      } else {
        dh = dhCell;
      }
      args.dInput!.set(dx, idx * S);
    }
    for (let k = 0; k < grad.length; k++) grad[k] += gradF64[k];
    if (args.dH0) args.dH0.set(dh, b * H);
    if (lstm && args.dC0) args.dC0.set(dc, b * H);
  }
}
