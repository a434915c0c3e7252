/**
 * Writes a measured MLX/CPU crossover into the per-machine cache that backend 'auto' reads
 * (backend/crossover-cache.ts), atomically, keeping other machines' entries.
 */
import fs from 'node:fs';
import type { CrossoverMeasurement } from '../backend/crossover-ladder.js';
import {
  CrossoverCacheError, crossoverCachePath, forgetCachedCrossover, measurementProblem, readCrossoverCache, type CrossoverCacheFile,
} from '../backend/crossover-cache.js';
import { defaultCacheDir } from '../cache-dir.js';
import { writeFileAtomic } from './atomic-write.js';

/**
 * Stores `m` under its key, keeping other machines' entries. A corrupt file is replaced (a new measurement is the
 * fix its error message asks for); returns whether that happened.
 */
export async function storeCrossover(m: CrossoverMeasurement, cacheDir = defaultCacheDir()): Promise<{ path: string; replacedCorrupt: boolean }> {
  const path = crossoverCachePath(cacheDir);
  // Never write what the reader would refuse: 'auto' would then quietly fall back to the estimate.
  const problem = measurementProblem(m.key, m);
  if (problem) throw new CrossoverCacheError(`storeCrossover: the measurement '${m.key}' ${problem}; it was not stored.`);
  let machines: Record<string, CrossoverMeasurement> = {};
  let replacedCorrupt = false;
  try {
    machines = readCrossoverCache(path);
  } catch (error) {
    if (!(error instanceof CrossoverCacheError)) throw error;
    replacedCorrupt = true;
  }
  const file: CrossoverCacheFile = { format: 'ncp-silicon-crossover', version: 1, machines: { ...machines, [m.key]: m } };
  fs.mkdirSync(cacheDir, { recursive: true });
  await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(file, null, 2)}\n`));
  forgetCachedCrossover(path);
  return { path, replacedCorrupt };
}

