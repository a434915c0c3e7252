#!/usr/bin/env node
// Builds the optional MLX addon (build-mlx/Release/ncp_silicon_mlx.node) with cmake-js, and says plainly whether it
// was built and, if not, why and how to get it. MLX is found, in order, through:
//   1. MLX_DIR or CMAKE_PREFIX_PATH (an installed MLX: its share/cmake/MLX or a prefix holding it);
//   2. `python3 -m mlx --cmake-dir` (pip install mlx, on a Mac);
//   3. an MLX source archive built into a cache outside the clone (scripts/mlx/build-mlx-from-source.sh):
//      NCP_SILICON_MLX_SOURCE=path/to/mlx-0.32.1.tar.gz, or ../shared/mlx/mlx-0.32.1.tar.gz beside the clone.
// Exit code 0 when built; 1 when MLX was found but the build failed; 2 when no MLX was found (with
// --required, or under CI=true, that is an error too; otherwise only a notice: the CPU addon never needs MLX).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const required = process.argv.includes('--required') || process.env.CI === 'true';
const say = (text) => console.error(`build:mlx: ${text}`);

function prefixFromEnvironment() {
  if (process.env.MLX_DIR) return { how: `MLX_DIR=${process.env.MLX_DIR}`, args: [`--CDMLX_DIR=${process.env.MLX_DIR}`] };
  if (process.env.CMAKE_PREFIX_PATH) {
    return { how: `CMAKE_PREFIX_PATH=${process.env.CMAKE_PREFIX_PATH}`, args: [`--CDCMAKE_PREFIX_PATH=${process.env.CMAKE_PREFIX_PATH}`] };
  }
  return undefined;
}

function prefixFromPython() {
  for (const python of ['python3', 'python']) {
    const run = spawnSync(python, ['-m', 'mlx', '--cmake-dir'], { encoding: 'utf8' });
    const dir = run.status === 0 ? run.stdout.trim() : '';
    if (dir && existsSync(dir)) return { how: `${python} -m mlx --cmake-dir`, args: [`--CDMLX_DIR=${dir}`] };
  }
  return undefined;
}

function prefixFromSource() {
  const archive = process.env.NCP_SILICON_MLX_SOURCE ?? join(root, '..', 'shared', 'mlx', 'mlx-0.32.1.tar.gz');
  if (!existsSync(archive)) return undefined;
  say(`MLX from the source archive ${archive}: built into a cache outside the clone on first use (about 12 minutes on 2 cores), reused afterwards`);
  const script = join(root, 'scripts', 'mlx', 'build-mlx-from-source.sh');
  const run = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NCP_SILICON_MLX_SOURCE: archive } });
  if (run.status !== 0) return { failed: `building MLX from ${archive} failed (exit ${run.status})` };
  const prefix = run.stdout.trim().split('\n').pop();
  return { how: `MLX built from ${archive} into ${prefix}`, args: [`--CDCMAKE_PREFIX_PATH=${prefix}`] };
}

const found = prefixFromEnvironment() ?? prefixFromPython() ?? prefixFromSource();
if (!found || found.failed) {
  const why = found?.failed ?? 'no MLX found (MLX_DIR, CMAKE_PREFIX_PATH, `python3 -m mlx --cmake-dir`, NCP_SILICON_MLX_SOURCE)';
  say(`the MLX backend was NOT built: ${why}.`);
  say('To build it: on a Mac `pip install mlx==0.32.1` (or Homebrew), elsewhere NCP_SILICON_MLX_SOURCE=path/to/mlx-0.32.1.tar.gz; then `npm run build:mlx`.');
  process.exit(required ? 2 : 0);
}

say(`MLX from ${found.how}`);
const cmakeJs = join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
try {
  execFileSync(process.execPath, [cmakeJs, 'compile', '--directory', join(root, 'native', 'mlx'), '--out', join(root, 'build-mlx'), ...found.args], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
} catch (error) {
  say(`the MLX backend was NOT built: cmake-js failed (${error.status ?? error.message}); see the output above.`);
  process.exit(1);
}
say(`the MLX backend was built: ${join('build-mlx', 'Release', 'ncp_silicon_mlx.node')}`);
