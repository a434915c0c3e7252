/**
 * Importing the package fails clearly when the native addon is missing or was built for another platform:
 * the error names the platform and says how to rebuild. Each case runs in a fresh Node process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlxStatus } from '../../src/backend/mlx-load.js';
import { describe, expect, it } from 'vitest';
import { backendInfo } from '../../src/index.js';

const ENTRY = new URL('../../src/index.ts', import.meta.url).pathname;

function importWith(env: Record<string, string>): { status: number | null; stderr: string; stdout: string } {
  const script = `import(${JSON.stringify(ENTRY)}).then((m) => console.log('loaded', typeof m.LTC), (e) => { console.error(e.name + ': ' + e.message); process.exit(3); });`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('native addon loading', () => {
  const platform = `${process.platform}-${process.arch}`;

  it('a missing build fails at import, naming the platform and the fix', () => {
    const { status, stderr } = importWith({ NCP_SILICON_ADDON_PATH: join(tmpdir(), 'no-such-dir', 'ncp_silicon.node') });
    expect(status).toBe(3);
    expect(stderr).toContain(`BackendUnavailableError: Could not load the ncp-silicon native addon for ${platform}`);
    expect(stderr).toMatch(/does not exist/);
    expect(stderr).toMatch(/Possible fixes:\n {2}- Rebuild it for this platform: npm rebuild ncp-silicon/);
  });

  it('a build for another platform (not a loadable shared object) fails the same way, with the loader\'s reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncp-addon-'));
    const fake = join(dir, 'ncp_silicon.node');
    writeFileSync(fake, Buffer.from('\u00cf\u00fa\u00ed\u00fe this is a Mach-O arm64 file, not an ELF x86-64 one'));
    const { status, stderr } = importWith({ NCP_SILICON_ADDON_PATH: fake });
    expect(status).toBe(3);
    expect(stderr).toContain(`for ${platform}`);
    expect(stderr).toMatch(/Causes:\n {2}- .*ncp_silicon\.node: .+/);
    expect(stderr).toMatch(/A build copied from another machine or architecture will not load/);
  });

  it('NCP_SILICON_BACKEND=reference imports without the addon and runs models on the TypeScript reference', () => {
    const { status, stdout } = importWith({ NCP_SILICON_ADDON_PATH: '/nonexistent/ncp_silicon.node', NCP_SILICON_BACKEND: 'reference' });
    expect(status).toBe(0);
    expect(stdout).toContain('loaded function');
  });

  it('backendInfo() reports the compiled backends, SIMD level, threads and versions', () => {
    const info = backendInfo();
    expect(info.compiledBackends).toContain('cpu');
    expect(['avx2+fma', 'avx512', 'neon', 'scalar']).toContain(info.simdLevel);
    expect(info.numThreads).toBeGreaterThanOrEqual(1);
    expect(info.napiVersion.addon).toBe(8);
    expect(info.napiVersion.runtime).toBeGreaterThanOrEqual(8);
    expect(info.platform).toBe(platform);
    const mlx = mlxStatus();
    expect(info.backends.find((b) => b.name === 'mlx')?.available).toBe(mlx.available);
    if (mlx.available) {
      expect(info.mlx!.mlxVersion).toBe('0.32.1');
      expect(info.mlx!.device).toBe(info.mlx!.metalAvailable ? 'gpu' : 'cpu');
    } else {
      expect(info.backends.find((b) => b.name === 'mlx')?.reason).toMatch(/npm run build:mlx/);
    }
  });
});
