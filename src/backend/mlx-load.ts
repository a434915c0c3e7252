/**
 * Loads the optional MLX addon (build-mlx/Release/ncp_silicon_mlx.node, from `npm run build:mlx`). Unlike the CPU
 * addon it may be absent: `mlxStatus()` says whether it loaded and, if not, why and how to build it.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BackendUnavailableError } from '../errors.js';
import type { MlxAddon } from './mlx-types.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CANDIDATES = ['build-mlx/Release/ncp_silicon_mlx.node', 'build-mlx/ncp_silicon_mlx.node'];
const HOW_TO_BUILD =
  'build it with `npm run build:mlx` (on a Mac after `pip install mlx==0.32.1` or `brew install mlx`; elsewhere with ' +
  'NCP_SILICON_MLX_SOURCE=path/to/mlx-0.32.1.tar.gz, which builds MLX for its CPU device)';

export type MlxStatus = { available: true; addon: MlxAddon } | { available: false; reason: string };

let status: MlxStatus | undefined;

/** Whether the MLX addon loads here, loading it once. NCP_SILICON_MLX_ADDON_PATH names a build to load instead. */
export function mlxStatus(): MlxStatus {
  if (status) return status;
  const override = process.env.NCP_SILICON_MLX_ADDON_PATH;
  const candidates = override ? [override] : CANDIDATES.map((relative) => PACKAGE_ROOT + relative);
  const failures: string[] = [];
  for (const path of candidates) {
    if (!existsSync(path)) {
      if (override) failures.push(`${path} (NCP_SILICON_MLX_ADDON_PATH) does not exist`);
      continue;
    }
    try {
      status = { available: true, addon: createRequire(import.meta.url)(path) as MlxAddon };
      return status;
    } catch (error) {
      failures.push(`${path}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const cause = failures.length > 0 ? `it failed to load (${failures.join('; ')})` : 'the MLX addon is not built';
  status = { available: false, reason: `${cause}; ${HOW_TO_BUILD}` };
  return status;
}

/** The MLX addon, or a BackendUnavailableError saying why it is missing and how to build it. */
export function loadMlx(): MlxAddon {
  const s = mlxStatus();
  if (!s.available) throw new BackendUnavailableError(`The MLX backend is unavailable: ${s.reason}.`);
  return s.addon;
}
