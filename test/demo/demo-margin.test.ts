/**
 * The acceptance check of `ncp-silicon demo`: the same training as the default run, at a CI-sized budget (half
 * the epochs; ~10 s on two cores), with a fixed seed. Both NCP models must beat persistence by at least 15 %
 * test MSE and beat climatology; they must also come within 5 % of the linear AR baseline (in the tuning runs
 * listed in docs/demo.md they beat it). Then the report folder is checked file by file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo, type DemoOutcome } from '../../src/demo/run-demo.js';
import { loadModel } from '../../src/io/checkpoint.js';
import { predict } from '../../src/train/index.js';
import { mse } from '../../src/demo/baselines.js';

const CI_BUDGET = { epochs: 15, seed: 1, dataSeed: 1 } as const;

const out = mkdtempSync(join(tmpdir(), 'ncp-demo-ci-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('demo at CI budget', () => {
  let outcome: DemoOutcome;
  let seconds = 0;

  it('trains both models and beats the baselines by the required margins', { timeout: 180_000 }, async () => {
    const started = performance.now();
    outcome = await runDemo({ ...CI_BUDGET, out });
    seconds = (performance.now() - started) / 1000;
    const { models, baselines } = outcome.results;
    const persistence = baselines.persistence.testMse;
    const summary = Object.entries(models).map(([k, r]) => `${k} ${(r.testMse / persistence).toFixed(3)}`).join(', ');
    console.log(`demo CI budget: ${seconds.toFixed(1)} s; test MSE / persistence: ${summary}; linear AR ${(baselines.linearAR.testMse / persistence).toFixed(3)}; climatology ${(baselines.climatology.testMse / persistence).toFixed(3)}`);
    expect(outcome.aborted).toBe(false);
    expect(Object.keys(models)).toEqual(['cfc', 'ltc']);
    for (const r of Object.values(models)) {
      expect(r.testMse).toBeLessThanOrEqual(0.85 * persistence);
      expect(r.testMse).toBeLessThan(baselines.climatology.testMse);
      expect(r.testMse).toBeLessThan(1.05 * baselines.linearAR.testMse);
    }
  });

  it('writes results.json in exactly the documented shape', () => {
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(Object.keys(json)).toEqual(['models', 'baselines']);
    for (const name of ['cfc', 'ltc']) {
      expect(Object.keys(json.models[name]).sort()).toEqual(['peakRssBytes', 'sampleStepsPerSecond', 'testMse', 'trainSeconds']);
      for (const v of Object.values(json.models[name])) expect(Number.isFinite(v as number) && (v as number) > 0).toBe(true);
    }
    expect(json.baselines).toEqual({
      persistence: { testMse: expect.any(Number) },
      climatology: { testMse: expect.any(Number) },
      linearAR: { testMse: expect.any(Number) },
    });
    expect(json).toEqual(outcome.results);
  });

  it('writes the report, the plots and checkpoints that reproduce the reported test MSE', async () => {
    for (const f of ['report.md', 'learning-curves.svg', 'forecast-cfc.svg', 'forecast-ltc.svg', 'forecast-persistence.svg', 'forecast-climatology.svg', 'forecast-linearAR.svg']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| CfC |');
    expect(md).toContain('![learning-curves.svg](learning-curves.svg)');
    const { task } = outcome;
    for (const name of ['cfc', 'ltc']) {
      const model = await loadModel(join(out, `${name}.safetensors`));
      const output = await predict(model, task.testInputs, { timespans: task.testTimespans });
      expect(mse(task.decode(output.data), task.testTruth)).toBeCloseTo(outcome.results.models[name].testMse, 6);
    }
  });
});
