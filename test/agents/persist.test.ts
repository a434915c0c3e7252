import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { ConfidencePolicy } from '../../src/agents/index.js';
import { callOf, flightsSlice, newPolicy, replaySlice } from './slice.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const s = flightsSlice();

describe('ConfidencePolicy save/load', () => {
  it('round trip: model, calibrator, agents, pending calls and metrics continue exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncp-policy-'));
    const a = newPolicy({ maxAgents: 60 }); // small cap: the file also carries LRU order and free slots
    replaySlice(a, s, 0, 1200);
    const open = [1200, 1201, 1202].map((j) => a.score(callOf(s, j)).callId); // pending across the save
    await a.save(join(dir, 'p.safetensors'));
    const b = await ConfidencePolicy.load(join(dir, 'p.safetensors'));
    expect(b.metrics()).toEqual(a.metrics());
    expect(b.memory()).toEqual(a.memory());
    for (const policy of [a, b]) {
      open.forEach((id, k) => policy.observe(id, s.outcome[1200 + k]));
    }
    const pa = replaySlice(a, s, 1203, 2000).p;
    const pb = replaySlice(b, s, 1203, 2000).p;
    expect(pb).toEqual(pa);
    expect(b.metrics()).toEqual(a.metrics());
  });

  it('refuses a file that is not a policy, or a truncated one, with CheckpointError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncp-policy-'));
    const a = newPolicy();
    replaySlice(a, s, 0, 200);
    const path = join(dir, 'p.safetensors');
    await a.save(path);
    const bytes = readFileSync(path);
    writeFileSync(join(dir, 'cut.safetensors'), bytes.subarray(0, bytes.length - 100));
    await expect(ConfidencePolicy.load(join(dir, 'cut.safetensors'))).rejects.toBeInstanceOf(CheckpointError);
    const { saveSafetensors } = await import('../../src/io/safetensors.js');
    await saveSafetensors({ x: { data: new Float32Array(2), shape: [2] } }, join(dir, 'other.safetensors'), { metadata: { format: 'something-else' } });
    await expect(ConfidencePolicy.load(join(dir, 'other.safetensors'))).rejects.toThrow(/not a confidence policy file/);
  });

  it('refuses a version 1 file (before the output calibration stage) with a message saying why and what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncp-policy-'));
    const a = newPolicy();
    replaySlice(a, s, 0, 200);
    const { snapshot } = await import('../../src/agents/persist.js');
    const { saveSafetensors } = await import('../../src/io/safetensors.js');
    const { tensors, metadata } = snapshot(a);
    for (const name of Object.keys(tensors)) if (name.startsWith('output.')) delete tensors[name];
    const path = join(dir, 'v1.safetensors');
    await saveSafetensors(tensors, path, { metadata: { ...metadata, version: '1' } });
    const load = ConfidencePolicy.load(path);
    await expect(load).rejects.toBeInstanceOf(CheckpointError);
    await expect(ConfidencePolicy.load(path)).rejects.toThrow(/format version 1, written before the output calibration stage.*create a new policy/);
  });

  it('autosave: after a SIGKILL mid-run the last saved policy loads and holds every outcome reported saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncp-policy-'));
    const path = join(dir, 'auto.safetensors');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/agents/autosave-child.ts', path], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let lastSaved = 0, saves = 0, stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().trim().split('\n')) {
          const m = /^saved (\d+)$/.exec(line);
          if (!m) continue;
          lastSaved = Number(m[1]);
          if (++saves === 5) {
            child.kill('SIGKILL'); // the child keeps saving: the kill lands at a random point of a save or of the loop
            resolve();
          }
        }
      });
      child.on('exit', (code) => (saves < 5 ? reject(new Error(`child exited early (${code}): ${stderr}`)) : resolve()));
    });
    await new Promise((r) => child.on('close', r));
    const loaded = await ConfidencePolicy.load(path);
    expect(loaded.counters.outcomes).toBeGreaterThanOrEqual(lastSaved);
    expect(loaded.metrics().outcomes).toBe(loaded.counters.outcomes);
    const r = loaded.score({ agentId: 'a1', time: 1e12, confidence: 0.5, features: [1, 2, 3] });
    expect(r.probability).toBeGreaterThan(0);
  }, 120_000);
});
