/**
 * The MLX parity subset that compile.test.ts (NCP_SILICON_MLX_COMPILE=1) and eager.test.ts (=0) run, whichever
 * the default: a few ncps fixtures, every random configuration once, the other layouts on three, dropout. The
 * calling file sets the switch and TMPDIR before its process's first MLX call (the addon reads the switch then;
 * vitest's forks pool gives each test file its own process).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LTC } from '../../src/models/ltc.js';
import { AutoNCP } from '../../src/wiring/index.js';
import { requireMlx, runMlx, sequenceArgs } from './harness.js';
import { CALLS, expectCpuParity, expectDropoutParity, expectFixtureParity, RANDOM_MODELS } from './parity-cases.js';

/** The kernel libraries MLX's CPU device built under `dir` ($TMPDIR/mlx/<version>/cpu/*.so). */
export function kernelLibraries(dir: string): string[] {
  const root = join(dir, 'mlx');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((version) => readdirSync(join(root, version, 'cpu')).filter((f) => f.endsWith('.so')));
}

/** Sets the switch and a TMPDIR of this file's own (removed afterwards); returns that directory. */
export function useCompileSwitch(value: '0' | '1'): string {
  const scratch = mkdtempSync(join(tmpdir(), `ncp-mlx-compile-${value}-`));
  process.env.NCP_SILICON_MLX_COMPILE = value;
  process.env.TMPDIR = scratch;
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  return scratch;
}

export function describeParitySubset(value: '0' | '1', scratch: string): void {
  describe(`MLX with NCP_SILICON_MLX_COMPILE=${value}: parity subset`, () => {
    it(value === '1' ? 'compiles: the first forward call builds fused kernels with the run-time C++ compiler'
                     : 'does not compile: no kernel is built', () => {
      requireMlx();
      const model = new LTC(3, new AutoNCP(6, 2, { seed: 1 }), { seed: 2 });
      runMlx(model.nativeModelConfig(), sequenceArgs(model, { batch: 2, steps: 2 }, 7, false), false);
      if (value === '1') expect(kernelLibraries(scratch).length).toBeGreaterThan(0);
      else expect(kernelLibraries(scratch)).toEqual([]);
    });

    for (const name of ['ltc_autoncp16_4', 'cfc_wired_autoncp16_4_default', 'cfc_fc8_pure', 'cfc_fc8_mixedmemory_tanh'] as const) {
      it(`ncps fixture ${name} timespans_float32 within 1e-5 of ncps`, () => expectFixtureParity(name, 'timespans_float32'));
    }

    // Every configuration once (each costs the run-time compiler its own kernels), and the other layouts on three.
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
}
