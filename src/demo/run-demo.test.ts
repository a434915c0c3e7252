import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from './run-demo.js';
import { formatTable } from '../cli/demo.js';

const dir = mkdtempSync(join(tmpdir(), 'ncp-demo-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runDemo (tiny budget)', () => {
  it('stops on an aborted signal without writing a report', async () => {
    const controller = new AbortController();
    controller.abort(new Error('interrupted'));
    const out = join(dir, 'aborted');
    const outcome = await runDemo({ out, epochs: 2, augment: 1, signal: controller.signal });
    expect(outcome.aborted).toBe(true);
    expect(outcome.results.models).toEqual({});
    expect(existsSync(out)).toBe(false);
  });

  it('trains only the models asked for and reports progress lines on a non-TTY stream', async () => {
    const lines: string[] = [];
    const outcome = await runDemo({ epochs: 1, augment: 1, window: 4, models: ['cfc'], writeFiles: false, progress: { write: (t: string) => lines.push(t) } });
    expect(Object.keys(outcome.results.models)).toEqual(['cfc']);
    expect(outcome.results.models.cfc.testMse).toBeGreaterThan(0);
    expect(outcome.results.models.cfc.sampleStepsPerSecond).toBeGreaterThan(0);
    expect(outcome.results.models.cfc.peakRssBytes).toBeGreaterThan(1e7);
    expect(outcome.testCurves.cfc).toHaveLength(1);
    expect(lines.join('')).toMatch(/Seattle weather: \d+ of 1461 days kept/);
    expect(lines.join('')).toMatch(/CfC\s+test MSE \d+\.\d{3}/);
    const table = formatTable(outcome.results);
    expect(table.split('\n')[0]).toMatch(/^model\s+test MSE\s+vs persistence\s+train time\s+sample-steps\/s\s+peak RSS$/);
    expect(table).toContain('linear AR (baseline)');
  });
});
