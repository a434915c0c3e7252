/**
 * The TypeScript reference LTC cell against ncps (fixture ltc_autoncp16_4: LTC(3, AutoNCP(16, 4, seed=1)), batch 2,
 * 5 steps, batch first, return sequences, no mixed memory, zero initial state) and against finite differences.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceLtcCell, type LtcCellConfig, type LtcMapping } from '../../src/backend/reference/ltc-cell.js';
import { buildParamLayout, type ParamSpec } from '../../src/backend/param-layout.js';
import { fixtureParams, flat, loadModelFixture, relativeError, RUN_NAMES } from '../helpers/fixtures.js';
import { mulberry32 } from '../../src/random/mulberry32.js';

interface SequenceResult {
  outputs: Float64Array; // B×L×M
  hiddenSequence: Float64Array; // B×L×N
  finalHidden: Float64Array; // B×N
  loss: number;
  gradParams: Float64Array;
  gradInput: Float64Array; // B×L×S
  gradTimespans: Float64Array; // B×L
  gradInitialState: Float64Array; // B×N
}

/**
 * Runs the cell over a batch-first sequence one sample at a time and backpropagates through time.
 * dLoss/dy_t and dLoss/dh_L come from `lossGrad`; by default the loss is Σ outputs².
 */
function runSequence(
  cell: ReferenceLtcCell,
  paramLength: number,
  dims: { B: number; L: number },
  input: ArrayLike<number>,
  timespans: ArrayLike<number> | null,
  initialState: ArrayLike<number> | null,
  lossWeights?: { outputs: ArrayLike<number>; finalHidden: ArrayLike<number> },
): SequenceResult {
  const { B, L } = dims;
  const S = cell.inputSize;
  const N = cell.stateSize;
  const M = cell.outputSize;
  const out: SequenceResult = {
    outputs: new Float64Array(B * L * M),
    hiddenSequence: new Float64Array(B * L * N),
    finalHidden: new Float64Array(B * N),
    loss: 0,
    gradParams: new Float64Array(paramLength),
    gradInput: new Float64Array(B * L * S),
    gradTimespans: new Float64Array(B * L),
    gradInitialState: new Float64Array(B * N),
  };
  for (let b = 0; b < B; b++) {
    const states: Float64Array[] = [
      initialState ? Float64Array.from({ length: N }, (_, j) => initialState[b * N + j]) : new Float64Array(N),
    ];
    const tapes = [];
    const xs: Float64Array[] = [];
    const dts: number[] = [];
    for (let t = 0; t < L; t++) {
      const x = Float64Array.from({ length: S }, (_, i) => input[(b * L + t) * S + i]);
      const dt = timespans ? timespans[b * L + t] : 1;
      const hNext = new Float64Array(N);
      const y = new Float64Array(M);
      tapes.push(cell.forward(x, states[t], dt, hNext, y));
      states.push(hNext);
      xs.push(x);
      dts.push(dt);
      out.outputs.set(y, (b * L + t) * M);
      out.hiddenSequence.set(hNext, (b * L + t) * N);
    }
    out.finalHidden.set(states[L], b * N);

    let dhNext = new Float64Array(N);
    if (lossWeights) for (let j = 0; j < N; j++) dhNext[j] = lossWeights.finalHidden[b * N + j];
    for (let t = L - 1; t >= 0; t--) {
      const dy = new Float64Array(M);
      for (let m = 0; m < M; m++) {
        const index = (b * L + t) * M + m;
        dy[m] = lossWeights ? lossWeights.outputs[index] : 2 * out.outputs[index];
      }
      const dx = new Float64Array(S);
      const dh = new Float64Array(N);
      out.gradTimespans[b * L + t] = cell.backward(xs[t], states[t], dts[t], tapes[t], dhNext, dy, dx, dh, out.gradParams);
      out.gradInput.set(dx, (b * L + t) * S);
      dhNext = dh;
    }
    out.gradInitialState.set(dhNext, b * N);
  }
  if (lossWeights) {
    for (let k = 0; k < out.outputs.length; k++) out.loss += lossWeights.outputs[k] * out.outputs[k];
    for (let k = 0; k < out.finalHidden.length; k++) out.loss += lossWeights.finalHidden[k] * out.finalHidden[k];
  } else {
    for (const v of out.outputs) out.loss += v * v;
  }
  return out;
}

describe('ReferenceLtcCell vs ncps (ltc_autoncp16_4)', () => {
  const fixture = loadModelFixture('ltc_autoncp16_4');
  const [B, L, S] = fixture.input.shape;
  const N = fixture.state_size;
  const M = fixture.wiring!.output_dim;
  // LTC wrapper defaults (fixtures/README.md): softplus constraints, 6 unfolds, ε 1e-8, affine mappings.
  const config: LtcCellConfig = {
    inputSize: S,
    units: N,
    motorSize: M,
    odeUnfolds: 6,
    epsilon: 1e-8,
    inputMapping: 'affine',
    outputMapping: 'affine',
    implicitParamConstraints: true,
  };

  it('has the layout the fixture describes', () => {
    expect(fixture.batch_first).toBe(true);
    expect(fixture.return_sequences).toBe(true);
    expect(fixture.initial_hx).toBeNull();
    expect(fixture.input.layout).toMatch(/^\(batch, time/);
  });

  for (const runName of RUN_NAMES) {
    it(`matches run ${runName}`, () => {
      const run = fixture.runs[runName];
      const isFloat32 = run.dtype === 'float32';
      const bound = isFloat32 ? 1e-5 : 1e-10;
      // The float32 run: the f32 parameter values, computed in float64 here, compared with ncps's float32 results.
      const { layout, params } = fixtureParams(fixture, isFloat32 ? Float32Array : Float64Array);
      const round = isFloat32 ? Math.fround : (v: number) => v;
      const input = flat(fixture.input.values).map(round);
      const timespans = run.uses_timespans ? flat(fixture.timespans.values).map(round) : null;
      const cell = new ReferenceLtcCell(config, params, layout.offsets);
      const result = runSequence(cell, layout.length, { B, L }, input, timespans, null);

      expect(run.outputs_shape).toEqual([B, L, M]);
      expect(relativeError(result.outputs, flat(run.outputs))).toBeLessThan(bound);
      expect(relativeError(result.finalHidden, flat(run.final_hidden as number[][]))).toBeLessThan(bound);
      expect(relativeError(result.hiddenSequence, flat(run.hidden_sequence_BLH))).toBeLessThan(bound);
      expect(Math.abs(result.loss - run.loss_sum_outputs_sq) / run.loss_sum_outputs_sq).toBeLessThan(bound);
      let checked = 0;
      for (const entry of layout.entries) {
        const expected = run.grad_params[entry.name];
        if (!entry.trainable) {
          expect(expected).toBeNull();
          continue;
        }
        const actual = result.gradParams.subarray(entry.offset, entry.offset + entry.size);
        expect(relativeError(actual, flat(expected!)), entry.name).toBeLessThan(bound);
        checked++;
      }
      expect(checked).toBe(15);
      expect(relativeError(result.gradInput, flat(run.grad_input))).toBeLessThan(bound);
      if (run.uses_timespans) {
        expect(relativeError(result.gradTimespans, flat(run.grad_timespans!))).toBeLessThan(bound);
      }
    });
  }
});

/** A random small LTC: random sparse masks and polarities, parameters in ncps's init ranges. */
function randomLtc(config: LtcCellConfig, seed: number) {
  const random = mulberry32(seed);
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
  const { inputSize: S, units: N, motorSize: M, inputMapping, outputMapping } = config;
  const specs: ParamSpec[] = [];
  const add = (name: string, shape: number[], trainable = true) => specs.push({ name: `rnn_cell.${name}`, shape, trainable });
  for (const name of ['gleak', 'vleak', 'cm']) add(name, [N]);
  for (const name of ['sigma', 'mu', 'w', 'erev']) add(name, [N, N]);
  for (const name of ['sensory_sigma', 'sensory_mu', 'sensory_w', 'sensory_erev']) add(name, [S, N]);
  add('sparsity_mask', [N, N], false);
  add('sensory_sparsity_mask', [S, N], false);
  if (inputMapping !== 'none') add('input_w', [S]);
  if (inputMapping === 'affine') add('input_b', [S]);
  if (outputMapping !== 'none') add('output_w', [M]);
  if (outputMapping === 'affine') add('output_b', [M]);
  const layout = buildParamLayout(specs);
  const params = new Float64Array(layout.length);
  const init: Record<string, () => number> = {
    gleak: () => uniform(0.001, 1),
    vleak: () => uniform(-0.2, 0.2),
    cm: () => uniform(0.4, 0.6),
    sigma: () => uniform(3, 8),
    mu: () => uniform(0.3, 0.8),
    w: () => uniform(0.001, 1),
    // Trainable, so any real value is legal; polarities ±1 plus noise exercise the general case.
    erev: () => (random() < 1 / 3 ? -1 : 1) + uniform(-0.2, 0.2),
    sensory_sigma: () => uniform(3, 8),
    sensory_mu: () => uniform(0.3, 0.8),
    sensory_w: () => uniform(0.001, 1),
    sensory_erev: () => (random() < 1 / 3 ? -1 : 1) + uniform(-0.2, 0.2),
    sparsity_mask: () => (random() < 0.5 ? 1 : 0),
    sensory_sparsity_mask: () => (random() < 0.6 ? 1 : 0),
    input_w: () => uniform(0.7, 1.3),
    input_b: () => uniform(-0.3, 0.3),
    output_w: () => uniform(0.7, 1.3),
    output_b: () => uniform(-0.3, 0.3),
  };
  for (const entry of layout.entries) {
    const draw = init[entry.name.slice('rnn_cell.'.length)];
    for (let k = 0; k < entry.size; k++) params[entry.offset + k] = draw();
  }
  return { layout, params, random, uniform };
}

describe('ReferenceLtcCell gradients vs central finite differences (float64)', () => {
  const mappings: LtcMapping[] = ['affine', 'linear', 'none'];
  let seed = 1;
  for (const implicitParamConstraints of [true, false]) {
    for (const inputMapping of mappings) {
      for (const outputMapping of mappings) {
        const caseSeed = seed++;
        const odeUnfolds = [1, 3, 6][caseSeed % 3];
        const name = `implicit ${implicitParamConstraints}, input ${inputMapping}, output ${outputMapping}, U ${odeUnfolds}`;
        it(name, () => {
          const S = 3;
          const N = 6;
          const M = 2;
          const B = 2;
          const L = 4;
          const config: LtcCellConfig = {
            inputSize: S,
            units: N,
            motorSize: M,
            odeUnfolds,
            epsilon: 1e-8,
            inputMapping,
            outputMapping,
            implicitParamConstraints,
          };
          const { layout, params, uniform } = randomLtc(config, 1000 + caseSeed);
          const input = Float64Array.from({ length: B * L * S }, () => uniform(-1, 1));
          const timespans = Float64Array.from({ length: B * L }, () => uniform(0.2, 2));
          const h0 = Float64Array.from({ length: B * N }, () => uniform(-0.5, 0.5));
          const lossWeights = {
            outputs: Float64Array.from({ length: B * L * M }, () => uniform(-1, 1)),
            finalHidden: Float64Array.from({ length: B * N }, () => uniform(-1, 1)),
          };
          const lossAt = (p: Float64Array, x: Float64Array, ts: Float64Array, h: Float64Array): number =>
            runSequence(new ReferenceLtcCell(config, p, layout.offsets), layout.length, { B, L }, x, ts, h, lossWeights)
              .loss;
          const analytic = runSequence(
            new ReferenceLtcCell(config, params, layout.offsets),
            layout.length,
            { B, L },
            input,
            timespans,
            h0,
            lossWeights,
          );
          const step = 1e-6;
          const numeric = (values: Float64Array, evaluate: () => number): Float64Array => {
            const out = new Float64Array(values.length);
            for (let k = 0; k < values.length; k++) {
              const saved = values[k];
              values[k] = saved + step;
              const plus = evaluate();
              values[k] = saved - step;
              const minus = evaluate();
              values[k] = saved;
              out[k] = (plus - minus) / (2 * step);
            }
            return out;
          };
          const evaluate = () => lossAt(params, input, timespans, h0);
          const fdParams = numeric(params, evaluate);
          for (const entry of layout.entries) {
            if (!entry.trainable) continue;
            const actual = analytic.gradParams.subarray(entry.offset, entry.offset + entry.size);
            const expected = fdParams.subarray(entry.offset, entry.offset + entry.size);
            expect(relativeError(actual, expected), entry.name).toBeLessThan(1e-6);
          }
          // Masks get no gradient.
          for (const entry of layout.entries.filter((e) => !e.trainable)) {
            expect(analytic.gradParams.subarray(entry.offset, entry.offset + entry.size).every((g) => g === 0)).toBe(true);
          }
          expect(relativeError(analytic.gradInput, numeric(input, evaluate)), 'input').toBeLessThan(1e-6);
          expect(relativeError(analytic.gradTimespans, numeric(timespans, evaluate)), 'timespans').toBeLessThan(1e-6);
          expect(relativeError(analytic.gradInitialState, numeric(h0, evaluate)), 'initial state').toBeLessThan(1e-6);
        });
      }
    }
  }
});
