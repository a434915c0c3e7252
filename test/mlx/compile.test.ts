/**
 * Compiled steps (NCP_SILICON_MLX_COMPILE=1, docs/mlx.md): the parity subset with the step function under
 * mlx::core::compile and proof that it was compiled; and that a missing or failing run-time C++ compiler never
 * breaks a call (child processes: MLX decides once per process whether a compiler exists).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireMlx } from './harness.js';
import { describeParitySubset, kernelLibraries, useCompileSwitch } from './compile-cases.js';

const scratch = useCompileSwitch('1');
describeParitySubset('1', scratch);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface ChildReport { errors: Record<string, number>; failures: string[] }

/** compile-child.ts with compiled steps on, `path` as PATH and a fresh TMPDIR; its report and kernel libraries. */
function runChild(path: string): { report: ChildReport; libraries: string[] } {
  const tmp = mkdtempSync(join(scratch, 'child-'));
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/mlx/compile-child.ts')], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, NCP_SILICON_MLX_COMPILE: '1', TMPDIR: tmp, PATH: path },
  });
  expect(child.status, child.stderr).toBe(0);
  return { report: JSON.parse(child.stdout) as ChildReport, libraries: kernelLibraries(tmp) };
}

function expectAllClose(report: ChildReport): void {
  expect(report.failures).toEqual([]);
  expect(Object.keys(report.errors)).toHaveLength(8);
  for (const [label, error] of Object.entries(report.errors)) expect(error, label).toBeLessThan(1e-5);
}

describe('compiled steps without a working C++ compiler', () => {
  it('no compiler on PATH: MLX runs the steps eagerly, results unchanged', () => {
    requireMlx();
    const { report, libraries } = runChild(mkdtempSync(join(scratch, 'empty-path-')));
    expectAllClose(report);
    expect(libraries).toEqual([]);
  });

  it('a compiler that fails: each call still succeeds (run eagerly), results unchanged', () => {
    requireMlx();
    // Answers `g++ --version` (so MLX believes it has a compiler) and fails every build.
    const fake = mkdtempSync(join(scratch, 'fake-gxx-'));
    writeFileSync(join(fake, 'g++'), '#!/bin/sh\n[ "$1" = "--version" ] && exit 0\necho "g++: simulated failure" >&2\nexit 1\n');
    chmodSync(join(fake, 'g++'), 0o755);
    const { report, libraries } = runChild(`${fake}:/usr/bin:/bin`);
    expectAllClose(report);
    expect(libraries).toEqual([]);
  });
});
