/**
 * `--backend` on the CLI: train on MLX, predict the same checkpoint on the CPU (the numbers agree within MLX's
 * float32 tolerance, printed to 6 digits), and an unknown backend is refused by the option parser.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/io/checkpoint.js';
import { runCli } from '../helpers/cli.js';
import { requireMlx } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'ncp-mlx-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(): string {
  const rows = ['t,y'];
  for (let i = 0; i < 60; i++) rows.push(`${i},${Math.sin(i / 4).toFixed(4)}`);
  return rows.join('\n') + '\n';
}

describe('CLI --backend', () => {
  it('train --backend mlx, predict --backend cpu and --backend mlx give the same forecasts', async () => {
    requireMlx();
    const data = join(dir, 'sine.csv');
    writeFileSync(data, csv());
    const out = join(dir, 'm.safetensors');
    const train = await runCli('train', data, '--target', 'y', '--window', '6', '--units', '6', '--epochs', '2', '--backend', 'mlx', '--out', out, '--quiet');
    expect(train.err).not.toMatch(/Error/);
    expect(train.code).toBe(0);
    expect((await loadModel(out)).backend).toBe('mlx');
    const onCpu = await runCli('predict', out, data, '--backend', 'cpu', '--format', 'json');
    const onMlx = await runCli('predict', out, data, '--backend', 'mlx', '--format', 'json');
    expect(onCpu.code).toBe(0);
    expect(onMlx.code).toBe(0);
    const values = (text: string) => (JSON.parse(text) as Record<string, number>[]).map((r) => r.y);
    const a = values(onCpu.out);
    const b = values(onMlx.out);
    expect(a.length).toBeGreaterThan(10);
    for (let i = 0; i < a.length; i++) expect(Math.abs(b[i] - a[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(a[i])));
  });

  it('an unknown backend is refused with the choices', async () => {
    const result = await runCli('predict', 'x.safetensors', 'y.csv', '--backend', 'gpu');
    expect(result.code).not.toBe(0);
    expect(result.err).toMatch(/--backend <name>' argument 'gpu' is invalid. Allowed choices are auto, cpu, mlx, reference/);
  });
});
