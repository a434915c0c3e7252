import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where ncp-silicon keeps what it measures per machine (ceilings, the MLX crossover): $NCP_SILICON_CACHE_DIR, else ~/.cache/ncp-silicon. */
export function defaultCacheDir(): string {
  return process.env.NCP_SILICON_CACHE_DIR || join(homedir(), '.cache', 'ncp-silicon');
}
