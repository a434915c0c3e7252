/**
 * Sparsity masks must be exactly the wiring's |adjacency| (SPEC §2–3) wherever weights come in: loadModel,
 * Trainer.load (through the same loader) and fromNcps / loadStateDict. A mask of 7.5 would scale synapses,
 * −3 would flip them and all ones would add every synapse the wiring does not have, while
 * `wiring.synapseCount` still reports the wiring's count.
 */
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.js';
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import { AutoNCP } from '../wiring/index.js';
import { loadModel, saveModel, type CheckpointModel } from './checkpoint.js';
import { fromNcps } from './from-ncps.js';
import { loadSafetensors, saveSafetensors, type SafetensorsInput } from './safetensors.js';
import { flat, loadModelFixture } from '../../test/helpers/fixtures.js';
import { thrown } from '../../test/helpers/thrown.js';

const dir = fs.mkdtempSync(join(os.tmpdir(), 'ncp-masks-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;

/** A saved checkpoint of `model` whose tensor `name` was rewritten by `edit`. */
async function withMask(model: CheckpointModel, name: string, edit: (mask: Float32Array) => void): Promise<string> {
  const path = join(dir, `m-${counter++}.safetensors`);
  await saveModel(model, path);
  const { tensors, metadata } = await loadSafetensors(path);
  edit(tensors[name]!.data as Float32Array);
  await saveSafetensors(tensors as unknown as Record<string, SafetensorsInput>, path, { metadata });
  return path;
}

async function expectMaskRefusal(path: string, name: string, message: RegExp): Promise<void> {
  const error = await loadModel(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CheckpointError);
  expect((error as CheckpointError).code).toBe('NCP_CHECKPOINT_INVALID');
  expect((error as Error).message).toContain(`has tensor "${name}" that is not the sparsity mask of the wiring of`);
  expect((error as Error).message).toMatch(message);
}

const firstIndexOf = (mask: Float32Array, value: number) => {
  const i = mask.indexOf(value);
  if (i < 0) throw new Error(`the test wiring has no mask element ${value}`);
  return i;
};

describe('loadModel refuses masks that disagree with the stored wiring', () => {
  const ltc = () => new LTC(3, new AutoNCP(8, 2, { seed: 3 }), { seed: 1 });

  it('a mask element of 7.5 where the wiring has a synapse', async () => {
    const model = ltc();
    const path = await withMask(model, 'rnn_cell.sparsity_mask', (m) => (m[firstIndexOf(m, 1)] = 7.5));
    await expectMaskRefusal(path, 'rnn_cell.sparsity_mask', /\(\|adjacency\|: 1 per synapse, 0 elsewhere\): element \[\d+, \d+\] = 7\.5 where the wiring has 1\.$/);
  });

  it('a mask element of −3 (a flipped synapse)', async () => {
    const path = await withMask(ltc(), 'rnn_cell.sensory_sparsity_mask', (m) => (m[firstIndexOf(m, 1)] = -3));
    await expectMaskRefusal(path, 'rnn_cell.sensory_sparsity_mask', /element \[\d+, \d+\] = -3 where the wiring has 1\.$/);
  });

  it('an all-ones mask (every absent synapse added) while wiring.synapseCount counts fewer', async () => {
    const model = ltc();
    expect(model.wiring.synapseCount).toBeLessThan(64);
    const path = await withMask(model, 'rnn_cell.sparsity_mask', (m) => m.fill(1));
    await expectMaskRefusal(path, 'rnn_cell.sparsity_mask', /element \[\d+, \d+\] = 1 where the wiring has 0\.$/);
  });

  it('a NaN mask element, and the wired CfC layer masks', async () => {
    await expectMaskRefusal(await withMask(ltc(), 'rnn_cell.sparsity_mask', (m) => (m[0] = NaN)), 'rnn_cell.sparsity_mask', /element \[0, 0\] = NaN where the wiring has [01]\.$/);
    const cfc = new CfC(3, new AutoNCP(8, 2, { seed: 3 }), { seed: 1 });
    const path = await withMask(cfc, 'rnn_cell.layer_1.sparsity_mask', (m) => m.fill(1));
    await expectMaskRefusal(path, 'rnn_cell.layer_1.sparsity_mask', /where the wiring has 0\.$/);
  });

  it('still loads the masks it wrote', async () => {
    const model = ltc();
    const path = await withMask(model, 'rnn_cell.sparsity_mask', () => {});
    expect(Array.from((await loadModel(path)).parameters)).toEqual(Array.from(model.parameters));
  });
});

describe('fromNcps (loadStateDict) checks the masks of an ncps state dict the same way', () => {
  for (const [name, kind, mask] of [
    ['ltc_autoncp16_4', 'LTC', 'rnn_cell.sparsity_mask'],
    ['cfc_wired_autoncp16_4_default', 'CfC', 'rnn_cell.layer_0.sparsity_mask'],
  ] as const) {
    const fixture = loadModelFixture(name);
    const stateDict = () => Object.fromEntries(fixture.parameters.map((p) => [p.name, { data: Float32Array.from(flat(p.values)), shape: p.shape }]));
    const load = (dict: ReturnType<typeof stateDict>) => fromNcps(kind, { inputSize: fixture.input.shape[2]!, wiring: fixture.wiring }, dict);

    it(`${name}: loads ncps's own masks and refuses 7.5, −3 and all ones in ${mask}`, () => {
      expect(() => load(stateDict())).not.toThrow();
      for (const [label, edit] of [
        ['7.5', (m: Float32Array) => (m[m.indexOf(1)] = 7.5)],
        ['-3', (m: Float32Array) => (m[m.indexOf(1)] = -3)],
        ['1', (m: Float32Array) => m.fill(1)],
      ] as const) {
        const dict = stateDict();
        edit(dict[mask]!.data);
        const error = thrown(() => load(dict));
        expect(error).toBeInstanceOf(RangeError);
        expect((error as { code?: string }).code).toBe('NCP_INVALID_RANGE');
        expect((error as Error).message).toMatch(
          new RegExp(`^${kind}\\.loadStateDict: expected the sparsity mask of this model's wiring \\(\\|adjacency\\|: 1 per synapse, 0 elsewhere\\) for dict\\["${mask.replace(/\./g, '\\.')}"\\], received a mask with element \\[\\d+, \\d+\\] = ${label} where the wiring has [01]\\.$`),
        );
      }
    });
  }
});
