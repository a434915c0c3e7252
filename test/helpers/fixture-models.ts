/** The ncps fixtures as models of ours: each fixture's constructor arguments and state dict through fromNcps. */
import { fromNcps } from '../../src/io/from-ncps.js';
import type { CfC } from '../../src/models/cfc.js';
import type { LTC } from '../../src/models/ltc.js';
import type { Dtype } from '../../src/models/tensor.js';
import type { Backend } from '../../src/models/sequence-types.js';
import { flat, type MODEL_FIXTURES, type ModelFixture } from './fixtures.js';

/** The constructor options of each fixture (from its `constructor` field), in our camelCase. */
const FIXTURE_CONFIGS: Record<(typeof MODEL_FIXTURES)[number], { kind: 'LTC' | 'CfC'; options: Record<string, unknown> }> = {
  ltc_autoncp16_4: { kind: 'LTC', options: {} },
  cfc_wired_autoncp16_4_default: { kind: 'CfC', options: { mode: 'default' } },
  cfc_wired_autoncp16_4_no_gate: { kind: 'CfC', options: { mode: 'no_gate' } },
  cfc_wired_autoncp16_4_pure: { kind: 'CfC', options: { mode: 'pure' } },
  cfc_fc8_default: { kind: 'CfC', options: { mode: 'default' } },
  cfc_fc8_no_gate: { kind: 'CfC', options: { mode: 'no_gate' } },
  cfc_fc8_pure: { kind: 'CfC', options: { mode: 'pure' } },
  cfc_fc8_mixedmemory_tanh: { kind: 'CfC', options: { mixedMemory: true, backboneUnits: 32, activation: 'tanh' } },
};

export function modelFromFixture(name: (typeof MODEL_FIXTURES)[number], fixture: ModelFixture, dtype: Dtype, backend: Backend, batchFirst = true): LTC | CfC {
  const { kind, options } = FIXTURE_CONFIGS[name];
  const stateDict = Object.fromEntries(fixture.parameters.map((p) => [p.name, { data: flat(p.values), shape: p.shape }]));
  const structure = fixture.wiring ? { wiring: fixture.wiring } : { units: fixture.state_size };
  return fromNcps(kind, { inputSize: fixture.input.shape[2], ...structure, ...options, dtype, backend, batchFirst }, stateDict);
}
