/**
 * Compiled steps (NCP_SILICON_MLX_COMPILE=1, docs/mlx.md): a subset of parity.test.ts's checks with the step
 * function under mlx::core::compile, proof that the compiled path ran (MLX's CPU device built kernel libraries),
 * and that a missing or failing run-time C++ compiler never breaks a call (child processes: MLX decides whether
 * a compiler exists once per process).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LTC } from '../../src/models/ltc.js';
import { AutoNCP } from '../../src/wiring/index.js';
import { requireMlx, runMlx, sequenceArgs } from './harness.js';
import { CALLS, expectCpuParity, expectDropoutParity, expectFixtureParity, RANDOM_MODELS } from './parity-cases.js';

// Before this process's first MLX call (the addon reads the switch once, then; vitest's forks pool gives each test
// file its own process): compiled steps on, and a kernel cache of our own to look into.
const scratch = mkdtempSync(join(tmpdir(), 'ncp-mlx-compile-test-'));
process.env.NCP_SILICON_MLX_COMPILE = '1';
process.env.TMPDIR = scratch;
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The kernel libraries MLX's CPU device built under `dir` ($TMPDIR/mlx/<version>/cpu/*.so). */
function kernelLibraries(dir: string): string[] {
  const root = join(dir, 'mlx');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((version) => readdirSync(join(root, version, 'cpu')).filter((f) => f.endsWith('.so')));
}

describe('MLX with compiled steps (NCP_SILICON_MLX_COMPILE=1)', () => {
  it('compiles: the first forward call builds fused kernels with the run-time C++ compiler', () => {
    requireMlx();
    const model = new LTC(3, new AutoNCP(6, 2, { seed: 1 }), { seed: 2 });
    runMlx(model.nativeModelConfig(), sequenceArgs(model, { batch: 2, steps: 2 }, 7, false), false);
    expect(kernelLibraries(scratch).length).toBeGreaterThan(0);
  });

  for (const name of ['ltc_autoncp16_4', 'cfc_wired_autoncp16_4_default', 'cfc_fc8_pure', 'cfc_fc8_mixedmemory_tanh'] as const) {
    it(`ncps fixture ${name} timespans_float32 within 1e-5 of ncps`, () => expectFixtureParity(name, 'timespans_float32'));
  }

  // Every configuration once (each costs the run-time compiler its own kernels), and the other layouts on two.
  const cases: [string, string][] = [
    ...Object.keys(RANDOM_MODELS).map((m): [string, string] => [m, 'batch-first, timespans, initial state']),
    ['LTC AutoNCP(12, 3), mixed memory', 'time-major, last output only'],
    ['wired CfC AutoNCP(10, 2) default, projection', 'time-major, last output only'],
    ['CfC no_gate silu, projection', 'Δ = 1, one step'],
  ];
  for (const [modelName, callName] of cases) {
    it(`${modelName}; ${callName}: within 1e-5 of the CPU backend`, () => expectCpuParity(RANDOM_MODELS[modelName](), CALLS[callName]));
  }

  it('backbone dropout drops the same units as the CPU backend', expectDropoutParity);
});

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
    const empty = mkdtempSync(join(scratch, 'empty-path-'));
    const { report, libraries } = runChild(empty);
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
