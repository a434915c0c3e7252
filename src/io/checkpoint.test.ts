import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CheckpointError } from '../errors.js';
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import { AutoNCP, NCP } from '../wiring/index.js';
import { Trainer } from '../train/index.js';
import { loadModel, modelConfig, saveModel, type CheckpointModel } from './checkpoint.js';
import { loadSafetensors, saveSafetensors, type SafetensorsInput } from './safetensors.js';

const dir = fs.mkdtempSync(join(os.tmpdir(), 'ncp-checkpoint-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());
let counter = 0;
const file = (name = 'model') => join(dir, `${name}-${counter++}.safetensors`);
const bytes = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function expectRefusal(path: string, message: RegExp): Promise<void> {
  const error = await loadModel(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CheckpointError);
  expect((error as CheckpointError).code).toBe('NCP_CHECKPOINT_INVALID');
  expect((error as Error).message).toMatch(message);
}

/** A checkpoint rewritten with changed tensors and/or metadata. */
async function tampered(
  model: CheckpointModel,
  edit: (tensors: Record<string, SafetensorsInput>, metadata: Record<string, string>) => void,
): Promise<string> {
  const path = file();
  await saveModel(model, path);
  const { tensors, metadata } = await loadSafetensors(path);
  const t = tensors as unknown as Record<string, SafetensorsInput>;
  edit(t, metadata);
  await saveSafetensors(t, path, { metadata });
  return path;
}

const input = (S: number, L = 5, B = 3) => ({ data: Float32Array.from({ length: B * L * S }, (_, i) => Math.sin(i * 0.7)), shape: [B, L, S] });

describe('saveModel / loadModel round trips', () => {
  const models: [string, () => CheckpointModel][] = [
    ['a fully connected LTC', () => new LTC(3, 6, { seed: 2 })],
    ['a wired LTC with every option changed', () => new LTC(3, new AutoNCP(10, 2, { seed: 5 }), { dtype: 'float64', mixedMemory: true, implicitParamConstraints: false, odeUnfolds: 3, epsilon: 1e-6, inputMapping: 'linear', outputMapping: 'none', returnSequences: false, seed: 3 })],
    ['a CfC with a deep backbone and projection', () => new CfC(3, 7, { mode: 'no_gate', activation: 'relu', backboneUnits: 9, backboneLayers: 2, backboneDropout: 0.1, projSize: 2, seed: 4 })],
    ['a wired pure CfC, time-major', () => new CfC(3, new NCP({ interNeurons: 4, commandNeurons: 3, motorNeurons: 2, sensoryFanout: 2, interFanout: 2, recurrentCommandSynapses: 2, motorFanin: 1, seed: 9 }), { mode: 'pure', batchFirst: false, seed: 6 })],
  ];
  for (const [name, make] of models) {
    it(`${name}: same class, config, weights and outputs`, async () => {
      const model = make();
      // Weights that differ from any seed's initialisation. Only the trainable ones: the sparsity masks after them
      // are the wiring's (|adjacency|), and a checkpoint whose masks say otherwise is refused.
      model.parameters.forEach((v, i) => (model.parameters[i] = i < model.layout.trainableLength ? v + 0.001 * Math.cos(i) : v));
      model.markParametersChanged();
      const path = file();
      await saveModel(model, path);
      const loaded = await loadModel(path);
      expect(loaded.constructor).toBe(model.constructor);
      expect(modelConfig(loaded)).toEqual(modelConfig(model));
      expect(bytes(loaded.parameters).equals(bytes(model.parameters))).toBe(true);
      const x = input(3);
      const data = model.dtype === 'float64' ? { data: Float64Array.from(x.data), shape: x.shape } : x;
      const shaped = model.batchFirst ? data : { data: data.data, shape: [5, 3, 3] };
      expect(bytes(loaded.forward(shaped).output.data).equals(bytes(model.forward(shaped).output.data))).toBe(true);
    });
  }

  it('stores the config as JSON strings in __metadata__, with the wiring from toJSON()', async () => {
    const wiring = new AutoNCP(8, 2, { seed: 1 });
    const model = new LTC(4, wiring);
    const path = file();
    await saveModel(model, path);
    const { metadata, tensors } = await loadSafetensors(path);
    expect(metadata.format).toBe('ncp-silicon/model');
    expect(metadata.formatVersion).toBe('1');
    expect(metadata.kind).toBe('LTC');
    const config = JSON.parse(metadata.config);
    expect(config.wiring).toEqual(JSON.parse(JSON.stringify(wiring.toJSON())));
    expect(config.options).toMatchObject({ odeUnfolds: 6, implicitParamConstraints: true, dtype: 'float32' });
    expect(Object.keys(tensors).sort()).toEqual(model.layout.entries.map((e) => e.name).sort());
  });

  it('can load onto another backend', async () => {
    const model = new CfC(2, 4, { backboneUnits: 4 });
    const path = file();
    await saveModel(model, path);
    const loaded = await loadModel(path, { backend: 'reference' });
    expect(loaded.backend).toBe('reference');
    const a = loaded.forward(input(2)).output.data;
    const b = model.forward(input(2)).output.data;
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
  });

  it('validates its arguments', async () => {
    await expect(saveModel({} as CheckpointModel, file())).rejects.toThrow(/^saveModel: expected an LTC or CfC model for model, received object \{\}\.$/);
    await expect(saveModel(new LTC(1, 2), '')).rejects.toThrow(RangeError);
    await expect(loadModel(3 as unknown as string)).rejects.toThrow(/^loadModel: expected a file path string for path, received number 3\.$/);
    await expect(loadModel(file(), { backend: 'gpu' as 'cpu' })).rejects.toThrow(/expected one of 'auto' \| 'cpu' \| 'mlx' \| 'reference' for options\.backend/);
  });
});

describe('loadModel refuses bad files with a clear CheckpointError', () => {
  const model = () => new LTC(3, 4, { seed: 1 });

  it('a truncated file', async () => {
    const path = file();
    await saveModel(model(), path);
    const full = fs.readFileSync(path);
    fs.writeFileSync(path, full.subarray(0, full.length - 20));
    await expectRefusal(path, /^loadModel: ".*" is not a valid safetensors file: .*/);
  });

  it('a file that is not safetensors at all', async () => {
    const path = file();
    fs.writeFileSync(path, 'hello, this is text\n');
    await expectRefusal(path, /^loadModel: ".*" is not a valid safetensors file/);
  });

  it('a plain safetensors file without our metadata (e.g. from Python)', async () => {
    const path = file();
    await saveSafetensors(model().stateDict(), path);
    await expectRefusal(path, /is not an ncp-silicon checkpoint: its safetensors __metadata__ has no "format" entry \(weights saved by Python ncps load with loadSafetensors and fromNcps\)\.$/);
  });

  it('a tensor of the wrong shape', async () => {
    const path = await tampered(model(), (t) => (t['rnn_cell.w'] = { data: new Float32Array(12), shape: [3, 4] }));
    await expectRefusal(path, /has tensor "rnn_cell\.w" of shape \[3, 4\], but the LTC \(3 inputs, FullyConnected wiring of 4 units\) its config describes needs shape \[4, 4\]\.$/);
  });

  it('a missing tensor, an extra tensor, a wrong dtype', async () => {
    await expectRefusal(await tampered(model(), (t) => delete t['rnn_cell.cm']), /has no tensor "rnn_cell\.cm", which the LTC .* its config describes needs\.$/);
    await expectRefusal(await tampered(model(), (t) => (t['rnn_cell.extra'] = { data: new Float32Array(1), shape: [1] })), /holds tensor "rnn_cell\.extra", which the LTC .* does not have\.$/);
    await expectRefusal(await tampered(model(), (t) => (t['rnn_cell.cm'] = { data: new Float64Array(4), shape: [4] })), /stores tensor "rnn_cell\.cm" as F64, but the LTC .* is float32 \(F32\)\.$/);
  });

  it('a config that does not match the tensors', async () => {
    const path = await tampered(model(), (_t, m) => {
      const config = JSON.parse(m.config);
      config.wiring = new AutoNCP(6, 2, { seed: 1 }).build(3).toJSON();
      m.config = JSON.stringify(config);
    });
    await expectRefusal(path, /has tensor "rnn_cell\.\w+" of shape \[4\], but the LTC \(3 inputs, AutoNCP wiring of 6 units\) its config describes needs shape \[6\]\.$/);
  });

  it('a config that is not JSON, not a model, or invalid', async () => {
    await expectRefusal(await tampered(model(), (_t, m) => (m.config = '{nope')), /has a __metadata__\.config that is not valid JSON\.$/);
    await expectRefusal(await tampered(model(), (_t, m) => (m.config = '{"kind":"GRU"}')), /has no model configuration/);
    await expectRefusal(
      await tampered(model(), (_t, m) => (m.config = m.config.replace('"odeUnfolds":6', '"odeUnfolds":0'))),
      /has a config that does not describe a valid model \(LTC: expected an integer from 1 to 1000 for options\.odeUnfolds, received number 0\)\.$/,
    );
  });

  it('another format, or a newer format version', async () => {
    await expectRefusal(await tampered(model(), (_t, m) => (m.format = 'pt')), /is not an ncp-silicon checkpoint: __metadata__\.format is "pt", expected "ncp-silicon\/model" or "ncp-silicon\/trainer"\.$/);
    await expectRefusal(await tampered(model(), (_t, m) => (m.formatVersion = '2')), /has checkpoint format version "2"; this version of ncp-silicon reads version 1\.$/);
  });

  it('lets file-system errors through unchanged', async () => {
    await expect(loadModel(join(dir, 'does-not-exist.safetensors'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('loadModel checks the config against the tensors before it builds anything', () => {
  /** A checkpoint of `model` whose stored config was changed by `edit` (the tensors stay small). */
  const withConfig = (model: CheckpointModel, edit: (config: Record<string, any>) => void) =>
    tampered(model, (_t, m) => {
      const config = JSON.parse(m.config);
      edit(config);
      m.config = JSON.stringify(config);
    });
  const huge = 1e9;

  it('a fully connected CfC config that says units: 1e9', async () => {
    const path = await withConfig(new CfC(3, 4, { backboneUnits: 4 }), (c) => (c.units = huge));
    expect(fs.statSync(path).size).toBeLessThan(4096);
    await expectRefusal(path, /has tensor "rnn_cell\.backbone\.0\.weight" of shape \[4, 7\], but the CfC \(3 inputs, 1000000000 units\) its config describes needs shape \[4, 1000000003\]\.$/);
  });

  it('an LTC config whose wiring says units: 1e9 (header and constructor arguments alike)', async () => {
    const path = await withConfig(new LTC(3, 4), (c) => {
      c.wiring.units = huge;
      c.wiring.config.units = huge;
    });
    await expectRefusal(path, /has a config that does not describe a valid model \(config\.wiring\.layers hold 4 neurons, but config\.wiring\.units is 1000000000\)\.$/);
  });

  it('an LTC config with units: 1e9 and no wiring', async () => {
    const path = await withConfig(new LTC(3, 4), (c) => {
      delete c.wiring;
      c.units = huge;
    });
    await expectRefusal(path, /has tensor "rnn_cell\.gleak" of shape \[4\], but the LTC \(3 inputs, 1000000000 units\) its config describes needs shape \[1000000000\]\.$/);
  });

  it('a wiring whose constructor arguments build more units than its header says', async () => {
    const ncp = await withConfig(new LTC(3, new AutoNCP(8, 2, { seed: 1 })), (c) => (c.wiring.config.units = huge));
    await expectRefusal(ncp, /has a config that does not describe a valid model \(config\.wiring\.config builds a wiring of 1000000000 units, but config\.wiring\.units is 8\)\.$/);
    const wired = await withConfig(new CfC(3, new AutoNCP(8, 2, { seed: 1 })), (c) => {
      c.wiring.units = huge;
      c.wiring.config.units = huge;
    });
    await expectRefusal(wired, /\(config\.wiring\.layers hold 8 neurons, but config\.wiring\.units is 1000000000\)\.$/);
  });

  it('huge inputSize, backbone, projection and backbone depth', async () => {
    const small = () => new CfC(3, 4, { backboneUnits: 4, projSize: 2 });
    await expectRefusal(await withConfig(small(), (c) => (c.inputSize = huge)), /has tensor "rnn_cell\.backbone\.0\.weight" of shape \[4, 7\], but .* needs shape \[4, 1000000004\]\.$/);
    await expectRefusal(await withConfig(small(), (c) => (c.options.backboneUnits = huge)), /has tensor "rnn_cell\.backbone\.0\.weight" of shape \[4, 7\], but .* needs shape \[1000000000, 7\]\.$/);
    await expectRefusal(await withConfig(small(), (c) => (c.options.projSize = huge)), /has tensor "fc\.weight" of shape \[2, 4\], but .* needs shape \[1000000000, 4\]\.$/);
    await expectRefusal(await withConfig(small(), (c) => (c.options.backboneLayers = huge)), /has a config with 1000000000 backbone layers, which need 2000000000 backbone tensors, but the file holds 12 tensors in all\.$/);
    await expectRefusal(await withConfig(small(), (c) => (c.options.mixedMemory = 'yes')), /\(config\.options\.mixedMemory must be true or false, not string "yes"\)\.$/);
    await expectRefusal(await withConfig(small(), (c) => (c.units = 2 ** 53)), /\(config\.units must be an integer ≥ 1, not number 9007199254740992\)\.$/);
  });

  it('trainer state in a model checkpoint is an unknown tensor', async () => {
    const path = await tampered(new LTC(3, 4), (t) => (t['trainer.step'] = { data: new Float64Array([1]), shape: [1] }));
    await expectRefusal(path, /holds tensor "trainer\.step", which the LTC .* its config describes does not have\.$/);
  });
});

describe('a crash in the middle of a save leaves the previous checkpoint loadable', () => {
  it('when the atomic rename fails (saveModel and Trainer#save)', async () => {
    const path = file();
    const first = new LTC(3, 4, { seed: 1 });
    await saveModel(first, path);
    vi.spyOn(fs.promises, 'rename').mockRejectedValue(Object.assign(new Error('EIO: simulated crash'), { code: 'EIO' }));
    await expect(saveModel(new LTC(3, 4, { seed: 2 }), path)).rejects.toThrow(/simulated crash/);
    await expect(new Trainer(new LTC(3, 4, { seed: 3 }), { verbose: 0 }).save(path)).rejects.toThrow(/simulated crash/);
    vi.restoreAllMocks();
    const loaded = await loadModel(path);
    expect(bytes(loaded.parameters).equals(bytes(first.parameters))).toBe(true);
    // The failed attempts cleaned up their temp files.
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('when the process is killed while it saves over and over', async () => {
    const path = file('killed');
    const script = join(dir, 'save-loop.mts');
    const root = fileURLToPath(new URL('../../', import.meta.url));
    // Alternates two models so that any file that loads is one of them, whole.
    fs.writeFileSync(
      script,
      `import { LTC } from ${JSON.stringify(`${root}src/models/ltc.ts`)};
import { saveModel } from ${JSON.stringify(`${root}src/io/checkpoint.ts`)};
const models = [new LTC(8, 32, { seed: 1 }), new LTC(8, 32, { seed: 2 })];
for (let i = 0; ; i++) { await saveModel(models[i % 2], ${JSON.stringify(path)}); if (i === 3) console.log('saving'); }
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => resolve());
      child.on('exit', (code) => reject(new Error(`save loop exited early (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const loaded = await loadModel(path);
    const candidates = [new LTC(8, 32, { seed: 1 }), new LTC(8, 32, { seed: 2 })];
    expect(candidates.some((m) => bytes(m.parameters).equals(bytes(loaded.parameters)))).toBe(true);
  });
});
