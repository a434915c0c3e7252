/**
 * The analytic FLOP and byte formulas of docs/monitoring.md, written out from the document (not from the C++):
 * test/monitor/work-counts.test.ts checks the CPU runner's counts of real calls against them, and profiles count
 * the calls of other backends (MLX, call-work.ts) with them, so every backend's work is counted alike.
 */
export interface Work {
  flops: number;
  bytesRead: number;
  bytesWritten: number;
}
const zero = (): Work => ({ flops: 0, bytesRead: 0, bytesWritten: 0 });
const add = (a: Work, b: Work): Work => ({ flops: a.flops + b.flops, bytesRead: a.bytesRead + b.bytesRead, bytesWritten: a.bytesWritten + b.bytesWritten });
const times = (a: Work, n: number): Work => ({ flops: a.flops * n, bytesRead: a.bytesRead * n, bytesWritten: a.bytesWritten * n });

// Special functions (docs/monitoring.md, "Counting conventions").
const EXP = 22;
const EXP2 = 16;
const SIGMOID = EXP + 2;
const TANH = EXP + 4;
const ERF = 24;

export interface CellWork {
  forward: Work;
  tape: Work;
  backward: Work;
  dropout: Work;
}

export type Mapping = 'affine' | 'linear' | 'none';

export function ltcWork(c: { S: number; N: number; M: number; U: number; inMap: Mapping; outMap: Mapping }, synapses: number, sensory: number, E: number): CellWork {
  const { S, N, M, U } = c;
  const params = (m: Mapping) => (m === 'affine' ? 2 : m === 'linear' ? 1 : 0);
  const backReads = (m: Mapping) => (m === 'affine' ? 3 : m === 'linear' ? 2 : 0);
  const backFlops = (m: Mapping) => (m === 'affine' ? 5 : m === 'linear' ? 4 : 1);
  const synFlops = 2 + EXP2 + 1 + 1 + 2 + 1; // 23
  const synBackFlops = 4 + EXP2 + 1 + 2 + 2 + 3 + 3 + 2 + 3 + 2; // 38
  const synRead = 5 * E + 4;
  const inMap = params(c.inMap), outMap = params(c.outMap);
  const forward: Work = {
    flops: inMap * S + sensory * synFlops + N + 1 + U * (synapses * synFlops + 9 * N) + outMap * M,
    bytesRead: (S + inMap * S) * E + sensory * synRead + 2 * N * E + U * (synapses * synRead + 6 * N * E) + (M + outMap * M) * E,
    bytesWritten: U * N * E + (N + M) * E,
  };
  const tape: Work = { flops: 0, bytesRead: 0, bytesWritten: 2 * U * N * E };
  const synBackRead = 15 * E + 4;
  const backward: Work = {
    flops: backFlops(c.outMap) * M + U * (15 * N + synapses * synBackFlops) + 9 * N + sensory * synBackFlops + backFlops(c.inMap) * S,
    bytesRead: (N + 2 * M + backReads(c.outMap) * M) * E + U * (12 * N * E + synapses * synBackRead) + 7 * N * E + sensory * synBackRead + (3 * S + backReads(c.inMap) * S) * E,
    bytesWritten: (N + outMap * M) * E + U * (8 * N * E + synapses * 5 * E) + 2 * N * E + sensory * 5 * E + (S + inMap * S) * E,
  };
  return { forward, tape, backward, dropout: zero() };
}

const roundUp = (n: number, lanes: number) => Math.ceil(n / lanes) * lanes;

/** A dense layer of `out` rows over `in` inputs; `maskedBlocks` of `blockRows` rows carry a mask. */
function denseForward(inputs: number, out: number, lanes: number, E: number): Work {
  const rows = roundUp(out, lanes);
  return { flops: 2 * inputs * rows, bytesRead: (inputs * rows + rows + inputs) * E, bytesWritten: rows * E };
}
function denseBackward(inputs: number, out: number, blockRows: number, maskedBlocks: number, lanes: number, E: number): Work {
  const inPad = roundUp(inputs, lanes);
  return {
    flops: 2 * out * inPad + out + 2 * out * inputs + maskedBlocks * blockRows * inputs,
    bytesRead: (out * inPad + out + inputs + out + out * inputs + maskedBlocks * blockRows * inputs) * E,
    bytesWritten: (inPad + out + out * inputs) * E,
  };
}

export type CfcMode = 'default' | 'no_gate' | 'pure';

function headWork(mode: CfcMode, inputs: number, N: number, masked: boolean, lanes: number, E: number) {
  const out = mode === 'pure' ? N : 4 * N;
  const maskedBlocks = masked ? (mode === 'pure' ? 1 : 2) : 0;
  let forward = denseForward(inputs, out, lanes, E);
  let backward = denseBackward(inputs, out, N, maskedBlocks, lanes, E);
  if (mode === 'pure') {
    forward = add(forward, { flops: N * (EXP + 5), bytesRead: 3 * N * E, bytesWritten: 3 * N * E });
    backward = add(backward, { flops: 21 * N, bytesRead: 8 * N * E, bytesWritten: 3 * N * E });
  } else {
    forward = add(forward, { flops: N * (2 * TANH + SIGMOID + 2 + (mode === 'default' ? 4 : 2)), bytesRead: 7 * N * E, bytesWritten: 5 * N * E });
    backward = add(backward, { flops: N * (mode === 'default' ? 17 : 14), bytesRead: 5 * N * E, bytesWritten: 4 * N * E });
  }
  const fromTape: Work = { flops: N * (mode === 'pure' ? 3 : mode === 'default' ? 4 : 2), bytesRead: 3 * N * E, bytesWritten: N * E };
  return { forward, backward, fromTape };
}

export type Activation = 'lecun_tanh' | 'tanh' | 'relu' | 'gelu' | 'silu';
function activationFlops(a: Activation, withGrad: boolean): number {
  switch (a) {
    case 'lecun_tanh': return TANH + 2 + (withGrad ? 3 : 0);
    case 'tanh': return TANH + (withGrad ? 2 : 0);
    case 'relu': return 0;
    case 'gelu': return ERF + 4 + (withGrad ? EXP + 5 : 0);
    case 'silu': return SIGMOID + 1 + (withGrad ? 4 : 0);
  }
}

export function cfcWork(c: { S: number; N: number; mode: CfcMode; activation: Activation; units: number; layers: number; dropout: number }, vectorBytes: number, E: number): CellWork {
  const { S, N, units: Ub, layers } = c;
  const lanes = vectorBytes / E;
  const work: CellWork = { forward: { flops: 0, bytesRead: (S + N) * E, bytesWritten: N * E }, tape: zero(), backward: zero(), dropout: zero() };
  for (let l = 0; l < layers; l++) {
    const inputs = l === 0 ? S + N : Ub;
    work.forward = add(work.forward, denseForward(inputs, Ub, lanes, E));
    work.forward = add(work.forward, { flops: Ub * activationFlops(c.activation, false), bytesRead: Ub * E, bytesWritten: 2 * Ub * E });
    if (l > 0 && c.dropout > 0) work.dropout = add(work.dropout, { flops: Ub, bytesRead: Ub * E, bytesWritten: Ub * E });
  }
  const head = headWork(c.mode, layers > 0 ? Ub : S + N, N, false, lanes, E);
  work.forward = add(work.forward, head.forward);
  work.backward = { flops: N + S, bytesRead: (3 * N + 3 * S) * E, bytesWritten: (2 * N + S) * E };
  work.backward = add(work.backward, head.backward);
  for (let l = 0; l < layers; l++) {
    const inputs = l === 0 ? S + N : Ub;
    work.backward = add(work.backward, { flops: Ub * activationFlops(c.activation, true) + Ub, bytesRead: 3 * Ub * E, bytesWritten: 3 * Ub * E });
    if (l > 0 && c.dropout > 0) work.dropout = add(work.dropout, { flops: 2 * Ub, bytesRead: 0, bytesWritten: 0 });
    work.backward = add(work.backward, denseBackward(inputs, Ub, Ub, 0, lanes, E));
  }
  return work;
}

export function wiredCfcWork(S: number, layerSizes: number[], mode: CfcMode, vectorBytes: number, E: number): CellWork {
  const lanes = vectorBytes / E;
  const work: CellWork = { forward: zero(), tape: zero(), backward: zero(), dropout: zero() };
  let inputs = S;
  let previous: ReturnType<typeof headWork> | undefined;
  for (const n of layerSizes) {
    const head = headWork(mode, inputs + n, n, true, lanes, E);
    work.forward = add(work.forward, { flops: 0, bytesRead: (inputs + n) * E, bytesWritten: 0 });
    work.forward = add(work.forward, head.forward);
    if (previous) work.backward = add(work.backward, previous.fromTape);
    work.backward = add(work.backward, { flops: n, bytesRead: (inputs + 3 * n) * E, bytesWritten: 2 * n * E });
    work.backward = add(work.backward, head.backward);
    previous = head;
    inputs = n;
  }
  work.forward.bytesWritten += inputs * E;
  work.backward = add(work.backward, { flops: S, bytesRead: 2 * S * E, bytesWritten: S * E });
  return work;
}

export function lstmWork(S: number, H: number, backward: boolean, E: number): Work {
  const weights = 4 * H * (S + H);
  const w: Work = { flops: 2 * weights + H * (2 * TANH + 3 * SIGMOID + 5), bytesRead: (weights + 6 * H + S) * E, bytesWritten: 7 * H * E };
  if (!backward) return w;
  return add(w, { flops: 26 * H + 4 * weights, bytesRead: (13 * H + 2 * S + 2 * weights) * E, bytesWritten: (6 * H + weights + S) * E });
}

export function projectionWork(O: number, P: number, backward: boolean, E: number): Work {
  const w: Work = { flops: 2 * P * O, bytesRead: (P * O + P + O) * E, bytesWritten: P * E };
  if (!backward) return w;
  return add(w, { flops: P * (1 + 4 * O), bytesRead: (2 * P + 2 * P * O + O) * E, bytesWritten: (P + P * O + O) * E });
}

/** One call of the sequence runner: per-step work × B·L, inputs and outputs, and (training) the chunk sums. */
export function callWork(
  cell: CellWork,
  c: {
    B: number; L: number; S: number; H: number; P: number; E: number; params: number;
    backward: boolean; returnSequences: boolean; timespans: boolean; h0: boolean; dropoutSeed?: boolean;
    lstm?: Work; projection?: Work; chunks: number;
  },
): Work & { uniqueBytes: number } {
  const { B, L, S, H, P, E } = c;
  const outputs = c.returnSequences ? L : 1;
  let step = cell.forward;
  if (c.backward) step = add(step, add(cell.tape, cell.backward));
  if (c.backward && c.dropoutSeed) step = add(step, cell.dropout);
  if (c.lstm) step = add(step, c.lstm);
  let total = times(step, B * L);
  if (c.projection) total = add(total, times(c.projection, B * outputs));
  const mixed = c.lstm !== undefined;
  const io: Work = {
    flops: 0,
    bytesRead: (B * L * S + (c.timespans ? B * L : 0) + (c.h0 ? B * H : 0) + (c.h0 && mixed ? B * H : 0)) * E,
    bytesWritten: (B * outputs * P + B * H + (mixed ? B * H : 0)) * E,
  };
  if (c.backward) {
    io.bytesRead += B * outputs * P * E;
    io.bytesWritten += (B * L * S + (c.timespans ? B * L : 0) + B * H + (mixed ? B * H : 0)) * E;
    total = add(total, { flops: c.chunks * c.params, bytesRead: 2 * c.chunks * c.params * E, bytesWritten: 2 * c.chunks * c.params * E });
  }
  const sum = add(total, io);
  return { ...sum, uniqueBytes: c.params * E * (c.backward ? 3 : 1) + io.bytesRead + io.bytesWritten };
}
