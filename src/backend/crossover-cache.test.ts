/** crossover.json: round trip, other machines kept, corrupt files refused with the file and the fault named. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleMeasurement } from '../../test/helpers/crossover-sample.js';
import { cachedCrossoverFor, crossoverCachePath, CrossoverCacheError, readCrossoverCache } from './crossover-cache.js';
import { storeCrossover } from '../io/crossover-store.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ncp-crossover-cache-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function refusal(path: string): CrossoverCacheError {
  try {
    readCrossoverCache(path);
  } catch (error) {
    return error as CrossoverCacheError;
  }
  throw new Error('expected a refusal');
}

describe('the crossover cache', () => {
  it('round-trips a measurement, keeps other machines, and writes nothing but the file (atomic temp renamed)', async () => {
    const a = sampleMeasurement();
    const b = sampleMeasurement({ key: 'other machine', cpuModel: 'Other CPU', minWork: null });
    const { path, replacedCorrupt } = await storeCrossover(a, dir);
    expect(path).toBe(crossoverCachePath(dir));
    expect(replacedCorrupt).toBe(false);
    await storeCrossover(b, dir);
    expect(readCrossoverCache(path)).toEqual({ [a.key]: a, [b.key]: b });
    expect(cachedCrossoverFor(a.key, path)).toEqual(a);
    expect(cachedCrossoverFor('no such machine', path)).toBeUndefined();
    expect(readdirSync(dir)).toEqual(['crossover.json']);
  });

  it('has nothing cached where the file does not exist', () => {
    expect(readCrossoverCache(join(dir, 'crossover.json'))).toEqual({});
    expect(cachedCrossoverFor('k', join(dir, 'crossover.json'))).toBeUndefined();
  });

  it('re-reads the file when it changes', async () => {
    const path = (await storeCrossover(sampleMeasurement(), dir)).path;
    expect(cachedCrossoverFor(sampleMeasurement().key, path)?.minWork).toBe(256 * 100 * 64);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.machines[sampleMeasurement().key].minWork = null;
    writeFileSync(path, JSON.stringify(file));
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    expect(cachedCrossoverFor(sampleMeasurement().key, path)?.minWork).toBeNull();
  });

  it.each([
    ['not JSON', '{"format": "ncp-silicon-crossover", ', /is corrupt: not JSON/],
    ['another format', JSON.stringify({ version: 1, machines: {} }), /is not an ncp-silicon crossover cache/],
    ['a future version', JSON.stringify({ format: 'ncp-silicon-crossover', version: 2, machines: {} }), /is not an ncp-silicon crossover cache/],
  ])('refuses %s, naming the file and the fix', (_name, text, pattern) => {
    const path = join(dir, 'crossover.json');
    writeFileSync(path, text);
    const error = refusal(path);
    expect(error).toBeInstanceOf(CrossoverCacheError);
    expect(error.code).toBe('NCP_CROSSOVER_CACHE');
    expect(error.message).toMatch(pattern);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/ncp-silicon bench --crossover/);
    expect(() => cachedCrossoverFor('k', path)).toThrow(CrossoverCacheError);
  });

  it.each([
    ['a timing that is not a positive number', (m: Record<string, any>) => (m.rungs[0].cases[0].mlxMs = null), /rung 0 without positive finite timings/],
    ['a minWork no rung won', (m: Record<string, any>) => (m.minWork = 16 * 32 * 64), /minWork 32768, not the work of a rung MLX won/],
    ['a non-integer minWork', (m: Record<string, any>) => (m.minWork = 'big'), /minWork "big"/],
    ['an unknown device', (m: Record<string, any>) => (m.mlxDevice = 'npu'), /mlxDevice "npu"/],
    ['no rungs', (m: Record<string, any>) => (m.rungs = []), /has no rungs/],
    ['an entry filed under another key', (m: Record<string, any>) => (m.key = 'elsewhere'), /names key "elsewhere"/],
  ])('refuses an entry with %s', async (_name, spoil, pattern) => {
    const m = sampleMeasurement();
    const path = (await storeCrossover(m, dir)).path;
    const file = JSON.parse(readFileSync(path, 'utf8'));
    spoil(file.machines[m.key]);
    writeFileSync(path, JSON.stringify(file));
    const error = refusal(path);
    expect(error.message).toMatch(new RegExp(`is corrupt: the entry '${m.key.replace(/[|()]/g, '\\$&')}'`));
    expect(error.message).toMatch(pattern);
  });

  it('refuses to store a measurement the reader would refuse', async () => {
    await expect(storeCrossover(sampleMeasurement({ minWork: 7 }), dir)).rejects.toThrow(/storeCrossover: the measurement '.*' has minWork 7, not the work of a rung MLX won; it was not stored\./);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('replaces a corrupt file with a new measurement, and says so', async () => {
    const path = join(dir, 'crossover.json');
    writeFileSync(path, 'garbage');
    const m = sampleMeasurement();
    expect((await storeCrossover(m, dir)).replacedCorrupt).toBe(true);
    expect(readCrossoverCache(path)).toEqual({ [m.key]: m });
  });
});
