/**
 * `ncp-silicon info|train|profile` with sizes over LIMITS exit 1 with the bound in one line (issue 11, §2);
 * before, `--units 1000000000` aborted V8 (SIGABRT). Spawned, since the failure was the process dying.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', cwd: root, timeout: 60_000 });

describe('the CLI refuses sizes over LIMITS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ncp-cli-limits-'));
  const csv = join(dir, 'data.csv');
  writeFileSync(csv, ['t,x,y', ...Array.from({ length: 40 }, (_, i) => `${i},${Math.sin(i)},${Math.cos(i)}`)].join('\n'));
  const units = 'AutoNCP: expected an integer from 4 to 16384 (LIMITS.maxUnits) for units, received number 1000000000.';

  it.each([
    ['info', ['info', '--units', '1000000000', '--out', join(dir, 'w.svg')], units],
    ['train', ['train', csv, '--target', 'y', '--units', '1000000000', '--out', join(dir, 'm.safetensors')], units],
    ['profile', ['profile', '--units', '1000000000', '--out', join(dir, 'p.html')], units],
    ['profile', ['profile', '--batch', '100000', '--steps', '100000', '--out', join(dir, 'p.html')], 'LIMITS.maxBatchSteps) for --batch × --steps'],
  ])('%s %s', (_name, args, message) => {
    const result = cli(...args);
    expect(result.signal, result.stderr).toBeNull();
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
