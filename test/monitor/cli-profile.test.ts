/** `ncp-silicon profile`: a new model or a checkpoint, forward and training, and every output file. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runProfile, type ProfileCliOptions } from '../../src/cli/profile.js';
import { AutoNCP, CfC, LTC, saveModel } from '../../src/index.js';
import { describeModel } from '../../src/monitor/result.js';

const dir = mkdtempSync(join(tmpdir(), 'ncp-cli-profile-'));
const savedCacheDir = process.env.NCP_SILICON_CACHE_DIR;
beforeAll(() => {
  process.env.NCP_SILICON_CACHE_DIR = join(dir, 'cache'); // keep the user's calibration cache out of tests
});
afterAll(() => {
  if (savedCacheDir === undefined) delete process.env.NCP_SILICON_CACHE_DIR;
  else process.env.NCP_SILICON_CACHE_DIR = savedCacheDir;
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

const base: ProfileCliOptions = { cell: 'ltc', wiring: 'autoncp', units: 12, outputs: 3, inputs: 4, batch: 4, steps: 5, repeats: 2, epochs: 1, out: '' };

describe('ncp-silicon profile', () => {
  it('profiles a new LTC (forward, steps, one epoch) and writes the HTML, Markdown, JSON and trace', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const files = { out: join(dir, 'r.html'), md: join(dir, 'r.md'), json: join(dir, 'r.json'), trace: join(dir, 't.json') };
    await runProfile(undefined, { ...base, ...files });
    const text = lines.join('\n');
    expect(text).toMatch(/\| ltc\.forward \| 2 \|/); // the 2 timed; training runs no forward of its own
    expect(text).toMatch(/\| ltc\.step \| 101 \|/);
    expect(text).toMatch(/\| ltc\.forwardBackward \| 4 \|/); // one fused call per training batch
    expect(text).toContain(`report written to ${files.out}`);
    expect(readFileSync(files.out, 'utf8')).toMatch(/^<!doctype html>/);
    expect(readFileSync(files.md, 'utf8')).toMatch(/Ceilings/);
    expect(JSON.parse(readFileSync(files.json, 'utf8')).kernels.length).toBe(3);
    expect(JSON.parse(readFileSync(files.trace, 'utf8')).traceEvents.length).toBeGreaterThan(100);
    expect(existsSync(join(dir, 'cache', 'calibration.json'))).toBe(true);
  });

  it('profiles a checkpoint (wired CfC) without training', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const path = join(dir, 'model.safetensors');
    await saveModel(new CfC(3, new AutoNCP(10, 2, { seed: 1 }), { seed: 1 }), path);
    const out = join(dir, 'c.html');
    await runProfile(path, { ...base, epochs: 0, out, json: join(dir, 'c.json') });
    const json = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8'));
    expect(json.kernels.map((k: { kernel: string }) => k.kernel).sort()).toEqual(['wired_cfc.forward', 'wired_cfc.step']);
    expect(json.training).toEqual([]);
    expect(json.model).toMatch(/^CfC\(3 inputs/);
  });

  it('--wiring fc profiles the model new CfC(inputs, units) / new LTC(inputs, units) builds', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    for (const [cell, model, kernels] of [
      ['cfc', new CfC(4, 12, { seed: 1 }), ['cfc.forward', 'cfc.step']],
      ['ltc', new LTC(4, 12, { seed: 1 }), ['ltc.forward', 'ltc.step']],
    ] as const) {
      const json = join(dir, `fc-${cell}.json`);
      await runProfile(undefined, { ...base, cell, wiring: 'fc', epochs: 0, out: join(dir, `fc-${cell}.html`), json });
      const report = JSON.parse(readFileSync(json, 'utf8'));
      expect(report.model).toBe(describeModel(model));
      expect(report.kernels.map((k: { kernel: string }) => k.kernel).sort()).toEqual(kernels);
    }
  });
});
