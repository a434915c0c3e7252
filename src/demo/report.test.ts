import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport, type DemoResults } from './report.js';
import type { History } from '../train/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ncp-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const results: DemoResults = {
  models: {
    cfc: { testMse: 8, trainSeconds: 1.5, sampleStepsPerSecond: 4e5, peakRssBytes: 100 * 2 ** 20 },
    ltc: { testMse: 9, trainSeconds: 2.5, sampleStepsPerSecond: 3e5, peakRssBytes: 110 * 2 ** 20 },
  },
  baselines: { persistence: { testMse: 10 }, climatology: { testMse: 14 }, linearAR: { testMse: 8.5 } },
};
const history = (losses: number[]): History => ({
  epochs: losses.map((loss, i) => ({ epoch: i + 1, loss, lr: 0.01, seconds: 0.5, sampleStepsPerSecond: 1000 })),
  aborted: false,
  stoppedEarly: false,
});

describe('writeReport', () => {
  const truth = Float64Array.from({ length: 60 }, (_, i) => 10 + 5 * Math.sin(i / 9));
  const dates = Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2015, 0, 1 + 2 * i)).toISOString().slice(0, 10));
  const written = writeReport(dir, {
    results,
    command: 'npx ncp-silicon demo --seed 1',
    setup: ['Data: test.'],
    modelLines: { cfc: 'a CfC', ltc: 'an LTC' },
    labels: { cfc: 'CfC', ltc: 'LTC' },
    histories: { cfc: history([1, 0.8, 0.7]), ltc: history([1, 0.9, 0.75]) },
    testCurves: { cfc: [0.9, 0.8, 0.78], ltc: [0.95, 0.85, 0.8] },
    truth,
    testDates: dates,
    forecasts: [
      { key: 'cfc', label: 'CfC', values: truth.map((v) => v + 1) },
      { key: 'persistence', label: 'Persistence', values: truth.map((v) => v - 1) },
    ],
    checkpoints: { cfc: 'cfc.safetensors', ltc: 'ltc.safetensors' },
  });

  it('writes results.json in exactly the documented shape', () => {
    expect(JSON.parse(readFileSync(written.results, 'utf8'))).toEqual(results);
  });

  it('writes a forecast plot per series and the learning curves, with month ticks', () => {
    expect(readdirSync(dir).sort()).toEqual(['forecast-cfc.svg', 'forecast-persistence.svg', 'learning-curves.svg', 'report.md', 'results.json']);
    const forecast = readFileSync(join(dir, 'forecast-cfc.svg'), 'utf8');
    expect(forecast).toContain('>Jan 2015<');
    expect(forecast).toContain('>Mar<');
    expect(forecast).toContain('(MSE 1.00)');
    const curves = readFileSync(join(dir, 'learning-curves.svg'), 'utf8');
    expect(curves).toContain('data-name="LTC test loss"');
  });

  it('renders a Markdown page with the table, the plots, the checkpoints and the command', () => {
    const md = readFileSync(written.markdown, 'utf8');
    expect(md).toContain('| CfC | 8.000 | 2.83 | −20.0 % | 1.5 s | 400 k | 100 MiB |');
    expect(md).toContain('| climatology (baseline) | 14.000 | 3.74 | +40.0 % |');
    expect(md).toContain('![forecast-cfc.svg](forecast-cfc.svg)');
    expect(md).toContain('`ltc.safetensors` (LTC)');
    expect(md).toContain('npx ncp-silicon demo --seed 1');
  });
});
