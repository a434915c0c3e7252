/**
 * The measured MLX/CPU crossover, cached per machine beside the hardware ceilings: <cache dir>/crossover.json, one
 * entry per crossoverMachineKey (platform, CPU model, cores, MLX version and device), read here for backend 'auto'
 * (select.ts) and written by io/crossover-store.ts. A file that is not one we wrote (bad JSON, another format, an
 * entry with missing or non-finite figures) is refused with a CrossoverCacheError naming the file and what is
 * wrong, never half-trusted.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import type { CrossoverCase, CrossoverMeasurement, CrossoverRung } from './crossover-ladder.js';
import { defaultCacheDir } from '../cache-dir.js';
import { NcpError } from '../errors.js';

export const CROSSOVER_CACHE_FILE = 'crossover.json';

/** crossover.json is unreadable or not what ncp-silicon writes; the message says how to fix it. */
export class CrossoverCacheError extends NcpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'NCP_CROSSOVER_CACHE', options);
  }
}

export interface CrossoverCacheFile {
  format: 'ncp-silicon-crossover';
  version: 1;
  machines: Record<string, CrossoverMeasurement>;
}

export function crossoverCachePath(cacheDir = defaultCacheDir()): string {
  return join(cacheDir, CROSSOVER_CACHE_FILE);
}

/** Every cached measurement in `path` (none when the file does not exist); a corrupt file is a CrossoverCacheError. */
export function readCrossoverCache(path: string): Record<string, CrossoverMeasurement> {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CrossoverCacheError(`${path}: cannot read the crossover cache (${(error as Error).message})`, { cause: error });
  }
  return parseCrossoverCache(path, text).machines;
}

const parsedByPath = new Map<string, { mtimeMs: number; size: number; machines: Record<string, CrossoverMeasurement> }>();

/**
 * The cached measurement for `key`, re-reading the file only when it changed (select.ts asks on every model built
 * with backend 'auto'). Undefined when there is none; a corrupt file throws as readCrossoverCache does.
 */
/** Drops the parsed copy of `path` (after a write: the next read parses the file again). */
export function forgetCachedCrossover(path: string): void {
  parsedByPath.delete(path);
}

export function cachedCrossoverFor(key: string, path = crossoverCachePath()): CrossoverMeasurement | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    parsedByPath.delete(path);
    return undefined;
  }
  let seen = parsedByPath.get(path);
  if (!seen || seen.mtimeMs !== stat.mtimeMs || seen.size !== stat.size) {
    seen = { mtimeMs: stat.mtimeMs, size: stat.size, machines: readCrossoverCache(path) };
    parsedByPath.set(path, seen);
  }
  return seen.machines[key];
}

function parseCrossoverCache(path: string, text: string): CrossoverCacheFile {
  const fix = `delete it or run \`ncp-silicon bench --crossover\` to measure again`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CrossoverCacheError(`${path} is corrupt: not JSON (${(error as Error).message}); ${fix}.`, { cause: error });
  }
  const file = parsed as Partial<CrossoverCacheFile> | null;
  if (!isObject(file) || file.format !== 'ncp-silicon-crossover' || file.version !== 1 || !isObject(file.machines)) {
    throw new CrossoverCacheError(`${path} is not an ncp-silicon crossover cache (expected { format: 'ncp-silicon-crossover', version: 1, machines }); ${fix}.`);
  }
  for (const [key, entry] of Object.entries(file.machines)) {
    const problem = measurementProblem(key, entry);
    if (problem) throw new CrossoverCacheError(`${path} is corrupt: the entry '${key}' ${problem}; ${fix}.`);
  }
  return file as CrossoverCacheFile;
}

/** What is wrong with one stored measurement, or undefined. */
export function measurementProblem(key: string, m: unknown): string | undefined {
  if (!isObject(m)) return 'is not an object';
  if (m.key !== key) return `names key ${JSON.stringify(m.key)}`;
  for (const field of ['cpuModel', 'mlxVersion', 'measuredAt', 'models'] as const) {
    if (typeof m[field] !== 'string') return `has no string ${field}`;
  }
  if (m.mlxDevice !== 'gpu' && m.mlxDevice !== 'cpu') return `has mlxDevice ${JSON.stringify(m.mlxDevice)} (expected 'gpu' or 'cpu')`;
  for (const field of ['cores', 'cpuThreads', 'units', 'repeats', 'largestWorkTried'] as const) {
    if (!isPositiveInteger(m[field])) return `has ${field} ${JSON.stringify(m[field])} (expected a positive integer)`;
  }
  if (!isFiniteNumber(m.durationMs) || !isFiniteNumber(m.margin)) return 'has a non-finite durationMs or margin';
  if (m.minWork !== null && !isPositiveInteger(m.minWork)) return `has minWork ${JSON.stringify(m.minWork)} (expected a positive integer or null)`;
  if (!['mlx-wins', 'ladder-end', 'time-cap'].includes(m.stoppedBecause as string)) return `has stoppedBecause ${JSON.stringify(m.stoppedBecause)}`;
  if (!Array.isArray(m.rungs) || m.rungs.length === 0) return 'has no rungs';
  const rungProblem = (m.rungs as unknown[]).map(rungIssue).find((p) => p !== undefined);
  if (rungProblem) return rungProblem;
  const rungs = m.rungs as CrossoverRung[];
  if (m.minWork !== null && !rungs.some((r) => r.work === m.minWork && r.mlxWins)) return `has minWork ${m.minWork}, not the work of a rung MLX won`;
  return undefined;
}

function rungIssue(r: unknown, i: number): string | undefined {
  if (!isObject(r) || !isPositiveInteger(r.batch) || !isPositiveInteger(r.steps) || !isPositiveInteger(r.work)) return `has a rung ${i} without a positive batch, steps and work`;
  if (typeof r.mlxWins !== 'boolean' || !Array.isArray(r.cases)) return `has a rung ${i} without cases`;
  for (const c of r.cases as Partial<CrossoverCase>[]) {
    if (!isObject(c) || !isPositiveFinite(c.cpuMs) || !isPositiveFinite(c.mlxMs) || !isPositiveFinite(c.ratio) || typeof c.mlxWins !== 'boolean') {
      return `has a case at rung ${i} without positive finite timings`;
    }
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isPositiveFinite(v: unknown): v is number {
  return isFiniteNumber(v) && v > 0;
}

function isPositiveInteger(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) > 0;
}
