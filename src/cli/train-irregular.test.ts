/**
 * `ncp-silicon train` on irregular multi-series data it has never seen (built here, not the demo's weather): the
 * model must beat persistence on the validation tail, checked from `predict`'s own forecasts against the file, and
 * the command must say so (scores printed and stored), or warn when it does not. An interrupted run (SIGINT or
 * SIGTERM to a child process) leaves its state behind, and --resume ends where an uninterrupted run ends.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSafetensors } from '../io/safetensors.js';
import { runCli as run } from '../../test/helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ncp-train-irregular-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A seeded LCG: the data are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

interface Series {
  unit: string;
  t: number[];
  y: number[];
}

/**
 * Each unit: y = a·sin(ωt + φ) + small noise, sampled at gaps drawn from [0.5, 3): how far y moves before the next
 * row depends on the gap, the phase and the frequency, which persistence ignores. `noise` is an unrelated column.
 */
function irregularSeries(count: number, rows: number, seed: number, walk = false): Series[] {
  const rand = random(seed);
  return Array.from({ length: count }, (_, s) => {
    const w = 0.25 + 0.2 * rand();
    const phase = 2 * Math.PI * rand();
    const amplitude = 1 + rand();
    const t: number[] = [];
    const y: number[] = [];
    let time = 0;
    let level = 0;
    for (let i = 0; i < rows; i++) {
      time += 0.5 + 2.5 * rand();
      level += rand() - 0.5;
      t.push(Number(time.toFixed(3)));
      y.push(Number((walk ? level : amplitude * Math.sin(w * time + phase) + 0.05 * (rand() - 0.5)).toFixed(4)));
    }
    return { unit: `u${s}`, t, y };
  });
}

function writeCsv(path: string, series: readonly Series[], seed: number): void {
  const rand = random(seed);
  // Rows of the units interleaved, as a log would have them: --sequence-column must regroup them.
  const lines = ['unit,t,y,noise'];
  const rows = series[0].t.length;
  for (let i = 0; i < rows; i++) for (const s of series) lines.push(`${s.unit},${s.t[i]},${s.y[i]},${rand().toFixed(3)}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
}

describe('train on irregular multi-series data', () => {
  const WINDOW = 8;
  const SPLIT = 0.2;
  const series = irregularSeries(10, 80, 7);
  const csv = join(dir, 'irregular.csv');
  writeCsv(csv, series, 11);
  const checkpoint = join(dir, 'irregular.safetensors');

  it('beats persistence on the validation tail of every series by at least 30 % in MSE, with default options but size', async () => {
    const r = await run('train', csv, '--target', 'y', '--time-column', 't', '--sequence-column', 'unit', '--window', String(WINDOW), '--units', '8', '--epochs', '10', '--quiet', '--out', checkpoint);
    expect(r.code).toBe(0);
    expect(r.err).toContain('(560 for training, 160 for validation)'); // 10 units × (64 and 16 forecasts)
    expect(r.err).toMatch(/Validation: the last 20 % of each series, 160 forecasts, in data units:\n\s+y\s+MSE\s+MAE\s+vs persistence\n\s+CfC\s+\S+\s+\S+\s+−\d+\.\d %\n\s+persistence\s+\S+\s+\S+/);
    expect(r.err).not.toContain('warning');

    // The stored scores, and the same comparison recomputed here from predict's forecasts and the file itself.
    const { metadata } = await loadSafetensors(checkpoint);
    const stored = JSON.parse(metadata['ncp-silicon/validation']!);
    expect(stored).toMatchObject({ split: SPLIT, windows: 160 });
    expect(Object.keys(stored.scores.y).sort()).toEqual(['linear', 'model', 'persistence']);

    const p = await run('predict', checkpoint, csv, '--time-column', 't', '--sequence-column', 'unit');
    expect(p.code).toBe(0);
    const lines = p.out.trim().split('\n');
    expect(lines[0]).toBe('sequence,row,time,forecast_row,forecast_time,y,y_actual');
    const records = lines.slice(1).map((l) => l.split(','));
    const forecasts = new Map(records.map(([unit, , , row, , y]) => [`${unit}:${row}`, Number(y)]));
    // Each forecast carries its row's time and the actual value from the file.
    for (const [unit, , , row, time, , actual] of records) {
      const s = series.find((x) => x.unit === unit)!;
      if (Number(row) < s.y.length) expect([Number(time), Number(actual)]).toEqual([s.t[Number(row)], s.y[Number(row)]]);
      else expect(actual).toBe('');
    }
    let modelSe = 0;
    let persistenceSe = 0;
    let n = 0;
    for (const s of series) {
      const cutoff = s.y.length - Math.round(SPLIT * s.y.length);
      for (let row = cutoff; row < s.y.length; row++) {
        modelSe += (forecasts.get(`${s.unit}:${row}`)! - s.y[row]) ** 2;
        persistenceSe += (s.y[row - 1] - s.y[row]) ** 2;
        n++;
      }
    }
    expect(n).toBe(160);
    expect(modelSe / n).toBeCloseTo(stored.scores.y.model.mse, 4);
    expect(persistenceSe / n).toBeCloseTo(stored.scores.y.persistence.mse, 10);
    expect(modelSe / n).toBeLessThan(0.7 * (persistenceSe / n));
  });

  it('warns when the model does not beat persistence (a random walk, where persistence is the best forecast)', async () => {
    const walk = join(dir, 'walk.csv');
    writeCsv(walk, irregularSeries(4, 40, 3, true), 5);
    const r = await run('train', walk, '--target', 'y', '--time-column', 't', '--sequence-column', 'unit', '--target-mode', 'level', '--window', '4', '--units', '4', '--epochs', '1', '--quiet', '--out', join(dir, 'walk.safetensors'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: the model does not beat persistence on "y" \(MSE \S+ vs \S+\)/);
  });

  it('refuses data too short to hold out a validation tail', async () => {
    const short = join(dir, 'short.csv');
    writeCsv(short, irregularSeries(2, 10, 1), 1);
    await expect(run('train', short, '--target', 'y', '--sequence-column', 'unit', '--window', '8', '--quiet', '--out', join(dir, 'short.safetensors'))).rejects.toThrow(
      /too short to hold out the last 20 % of each series for validation \(0 training and 4 validation windows\)/,
    );
  });
});

describe('interrupted training resumes', () => {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const csv = join(dir, 'resume.csv');
  writeCsv(csv, irregularSeries(10, 80, 13), 17);
  const EPOCHS = 40;
  const args = (out: string) => ['train', csv, '--target', 'y', '--time-column', 't', '--sequence-column', 'unit', '--window', '8', '--units', '8', '--batch-size', '16', '--epochs', String(EPOCHS), '--quiet', '--out', out];

  /** Starts the CLI as a child, sends `signal` once its first epoch's state is on disk, and waits for it to exit. */
  async function interrupt(out: string, signal: NodeJS.Signals): Promise<{ code: number | null; err: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args(out)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const state = join(dir, `${out.split('/').pop()!.replace('.safetensors', '')}.resume.safetensors`);
    let running = true;
    void exited.then(() => (running = false));
    while (running && !existsSync(state)) await new Promise((r) => setTimeout(r, 5));
    child.kill(signal);
    return { code: await exited, err };
  }

  it.each(['SIGINT', 'SIGTERM'] as const)('%s leaves a saved run that --resume continues to the same weights and scores as an uninterrupted run', { timeout: 300_000 }, async (signal) => {
    const whole = join(dir, `whole-${signal}.safetensors`);
    expect((await run(...args(whole))).code).toBe(0);

    const out = join(dir, `cut-${signal}.safetensors`);
    const cut = await interrupt(out, signal);
    expect(cut.err).toMatch(new RegExp(`interrupted after \\d+ steps \\(epoch (\\d+) of ${EPOCHS} complete\\); the run is saved in ${join(dir, `cut-${signal}.resume.safetensors`)}`));
    const done = Number(/epoch (\d+) of/.exec(cut.err)![1]);
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(EPOCHS);
    expect(cut.code).toBe(130);
    expect(existsSync(out)).toBe(false);

    const resumed = await run(...args(out), '--resume');
    expect(resumed.code).toBe(0);
    expect(resumed.err).toMatch(new RegExp(`Resuming .* after epoch ${done}`));
    const [a, b] = await Promise.all([loadSafetensors(whole), loadSafetensors(out)]);
    expect(Object.keys(b.tensors).sort()).toEqual(Object.keys(a.tensors).sort());
    const bytes = ({ data }: { data: ArrayBufferView }) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    for (const name of Object.keys(a.tensors)) expect(bytes(b.tensors[name]).equals(bytes(a.tensors[name])), name).toBe(true);
    expect(b.metadata['ncp-silicon/validation']).toBe(a.metadata['ncp-silicon/validation']);
    expect(b.metadata['ncp-silicon/data']).toBe(a.metadata['ncp-silicon/data']);
  });

  it('--resume without a saved run is one clear error', async () => {
    const out = join(dir, 'never-started.safetensors');
    await expect(run(...args(out), '--resume')).rejects.toThrow(`--resume: there is no saved run ${join(dir, 'never-started.resume.safetensors')} to continue`);
  });
});
