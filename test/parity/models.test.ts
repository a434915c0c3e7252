/**
 * End-to-end parity through the public API: every ncps fixture is brought over with fromNcps (constructor
 * arguments + state dict), run forward and forwardBackward on each backend, and compared with ncps 1.0.1.
 * float64 runs within 1e-10 relative (2-norm), float32 runs within 1e-5 of both the float32 and float64 runs.
 * MLX (float32 only) runs through `fromNcps(kind, { ...config, backend: 'mlx' }, dict)` like the others.
 */
import { describe, expect, it } from 'vitest';
import type { State } from '../../src/models/sequence-model.js';
import { arrayTypeOf, type Tensor } from '../../src/models/tensor.js';
import { modelFromFixture } from '../helpers/fixture-models.js';
import { flat, loadModelFixture, MODEL_FIXTURES, relativeError, RUN_NAMES, type FixtureRun } from '../helpers/fixtures.js';

function stateH(state: State): Tensor {
  return 'h' in state ? state.h : state;
}

/** (B, L, X) batch-first → (L, B, X). */
function toTimeMajor(values: number[], B: number, L: number, X: number): number[] {
  const out = new Array<number>(values.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < L; t++) for (let x = 0; x < X; x++) out[(t * B + b) * X + x] = values[(b * L + t) * X + x];
  return out;
}

for (const name of MODEL_FIXTURES) {
  const fixture = loadModelFixture(name);
  const [B, L, S] = fixture.input.shape;
  describe(`${name} (${fixture.constructor.replace(/^torch\.manual_seed\(\d+\); /, '')})`, () => {
    for (const backend of ['cpu', 'reference', 'mlx'] as const) {
      for (const runName of RUN_NAMES) {
        const run = fixture.runs[runName];
        const dtype = run.dtype;
        if (backend === 'mlx' && dtype !== 'float32') continue;
        const reference64 = fixture.runs[runName.replace('float32', 'float64') as typeof runName];
        const bounds: [FixtureRun, number][] = dtype === 'float64' ? [[run, 1e-10]] : [[run, 1e-5], [reference64, 1e-5]];

        it(`${backend} ${runName}: outputs, final state, loss and every gradient`, () => {
          const model = modelFromFixture(name, fixture, dtype, backend);
          expect(model.backend).toBe(backend);
          const ArrayType = arrayTypeOf(dtype);
          const input = { data: ArrayType.from(flat(fixture.input.values)), shape: [B, L, S] };
          const timespans = run.uses_timespans ? { data: ArrayType.from(flat(fixture.timespans.values)), shape: [B, L] } : undefined;
          const forward = model.forward(input, { timespans });
          // d(Σ out²)/d out = 2·out
          const dOutput = { data: forward.output.data.map((v) => 2 * v), shape: forward.output.shape };
          const result = model.forwardBackward(input, dOutput, { timespans });
          expect(result.output.shape).toEqual(run.outputs_shape);
          expect(Array.from(result.output.data)).toEqual(Array.from(forward.output.data));
          let loss = 0;
          for (const v of result.output.data) loss += v * v;
          for (const [expected, tolerance] of bounds) {
            expect(relativeError(result.output.data, flat(expected.outputs))).toBeLessThan(tolerance);
            const finalHidden = expected.final_hidden;
            if (typeof finalHidden === 'object' && !Array.isArray(finalHidden)) {
              // Mixed memory: the state is { h, c }.
              expect('c' in result.state).toBe(true);
              const state = result.state as { h: Tensor; c: Tensor };
              expect(relativeError(state.h.data, flat(finalHidden.h))).toBeLessThan(tolerance);
              expect(relativeError(state.c.data, flat(finalHidden.c))).toBeLessThan(tolerance);
            } else {
              expect(relativeError(stateH(result.state).data, flat(finalHidden))).toBeLessThan(tolerance);
            }
            expect(Math.abs(loss - expected.loss_sum_outputs_sq) / expected.loss_sum_outputs_sq).toBeLessThan(tolerance);
            for (const [param, grad] of Object.entries(expected.grad_params)) {
              if (grad === null) {
                expect(result.grads.params[param]).toBeUndefined();
                continue;
              }
              const err = relativeError(result.grads.params[param].data, flat(grad));
              expect(err, `grad ${param}`).toBeLessThan(tolerance);
            }
            expect(relativeError(result.grads.input.data, flat(expected.grad_input))).toBeLessThan(tolerance);
            if (run.uses_timespans) {
              expect(relativeError(result.grads.timespans!.data, flat(expected.grad_timespans!))).toBeLessThan(tolerance);
            } else {
              expect(result.grads.timespans).toBeUndefined();
            }
          }
        });
      }
    }

    it('time-major layout gives the same numbers, transposed', () => {
      const run = fixture.runs.timespans_float64;
      const model = modelFromFixture(name, fixture, 'float64', 'cpu', false);
      const input = { data: Float64Array.from(toTimeMajor(flat(fixture.input.values), B, L, S)), shape: [L, B, S] };
      const timespans = { data: Float64Array.from(toTimeMajor(flat(fixture.timespans.values), B, L, 1)), shape: [L, B] };
      const { output } = model.forward(input, { timespans });
      const P = run.outputs_shape[2];
      expect(output.shape).toEqual([L, B, P]);
      expect(relativeError(output.data, toTimeMajor(flat(run.outputs), B, L, P))).toBeLessThan(1e-10);
    });

    it('forwardAsync and forwardBackwardAsync match the synchronous calls', async () => {
      const model = modelFromFixture(name, fixture, 'float64', 'cpu');
      const input = { data: Float64Array.from(flat(fixture.input.values)), shape: [B, L, S] };
      const timespans = { data: Float64Array.from(flat(fixture.timespans.values)), shape: [B, L] };
      const sync = model.forwardBackward(input, model.forward(input, { timespans }).output, { timespans });
      const [a, b] = await Promise.all([
        model.forwardAsync(input, { timespans }),
        model.forwardBackwardAsync(input, sync.output, { timespans }),
      ]);
      expect(Array.from(a.output.data)).toEqual(Array.from(sync.output.data));
      expect(Array.from(b.grads.flat)).toEqual(Array.from(sync.grads.flat));
      expect(Array.from(b.grads.input.data)).toEqual(Array.from(sync.grads.input.data));
    });
  });
}
