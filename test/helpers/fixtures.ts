/** Loading of the ncps reference fixtures in test/fixtures/ncps (copied verbatim from shared/fixtures). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildParamLayout, type ParamLayout } from '../../src/backend/param-layout.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/ncps/', import.meta.url));

export type Nested = number | Nested[];

export interface FixtureParameter {
  name: string;
  shape: number[];
  requires_grad: boolean;
  values: Nested;
}

export interface FixtureRun {
  dtype: 'float32' | 'float64';
  uses_timespans: boolean;
  outputs: Nested;
  outputs_shape: number[];
  final_hidden: Nested | { h: Nested; c: Nested };
  hidden_sequence_BLH: Nested;
  loss_sum_outputs_sq: number;
  grad_params: Record<string, Nested | null>;
  grad_input: Nested;
  grad_timespans?: Nested;
}

export interface ModelFixture {
  case: string;
  constructor: string;
  batch_first: boolean;
  return_sequences: boolean;
  state_size: number;
  parameters: FixtureParameter[];
  wiring?: {
    units: number;
    input_dim: number;
    output_dim: number;
    adjacency_matrix: number[][];
    sensory_adjacency_matrix: number[][];
    layers: number[][];
  };
  input: { shape: number[]; layout: string; values: Nested };
  timespans: { shape: number[]; layout: string; values: Nested };
  initial_hx: null | Nested | { h: Nested; c: Nested };
  runs: Record<'uniform_float32' | 'uniform_float64' | 'timespans_float32' | 'timespans_float64', FixtureRun>;
}

export const MODEL_FIXTURES = [
  'ltc_autoncp16_4',
  'cfc_wired_autoncp16_4_default',
  'cfc_wired_autoncp16_4_no_gate',
  'cfc_wired_autoncp16_4_pure',
  'cfc_fc8_default',
  'cfc_fc8_no_gate',
  'cfc_fc8_pure',
  'cfc_fc8_mixedmemory_tanh',
] as const;

export const RUN_NAMES = ['uniform_float32', 'uniform_float64', 'timespans_float32', 'timespans_float64'] as const;

export function readJsonFixture<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(FIXTURE_DIR + file, 'utf8')) as T;
}

export function loadModelFixture(name: string): ModelFixture {
  return readJsonFixture<ModelFixture>(`${name}.json`);
}

/** Row-major flattening of a nested list. */
export function flat(values: Nested): number[] {
  if (typeof values === 'number') return [values];
  const out: number[] = [];
  const walk = (v: Nested): void => {
    if (typeof v === 'number') out.push(v);
    else for (const x of v) walk(x);
  };
  walk(values);
  return out;
}

/** The fixture's parameters as one flat buffer with the model layout (full ncps names as keys). */
export function fixtureParams(
  fixture: ModelFixture,
  ArrayType: Float32ArrayConstructor | Float64ArrayConstructor,
): { layout: ParamLayout; params: Float32Array | Float64Array } {
  const layout = buildParamLayout(
    fixture.parameters.map((p) => ({ name: p.name, shape: p.shape, trainable: p.requires_grad })),
  );
  const params = new ArrayType(layout.length);
  for (const p of fixture.parameters) params.set(flat(p.values), layout.offsets[p.name]);
  return { layout, params };
}

/** ‖a − b‖₂ / max(‖b‖₂, tiny): the relative 2-norm error the parity bounds are stated in. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new Error(`relativeError: length ${actual.length} vs expected ${expected.length}`);
  }
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = actual[i] - expected[i];
    diff += d * d;
    norm += expected[i] * expected[i];
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-300);
}
