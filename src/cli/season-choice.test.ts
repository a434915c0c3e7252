/**
 * Dated data: the calendar (season phases) becomes an input only where a linear model fitted on the earlier training
 * windows shows it helps on the later ones; the choice travels in the checkpoint, and `predict` applies it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSafetensors } from '../io/safetensors.js';
import { calendarSeasons, windowOrigins, type DataSpec, type NumericSequence } from '../train/forecast-windows.js';
import { runCli as run } from '../../test/helpers/cli.js';
import { chooseSeasons } from './season-choice.js';

const dir = mkdtempSync(join(tmpdir(), 'ncp-season-choice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Rows every 2–5 days for about three years; y from `f(day, previous y)`. */
function datedRows(seed: number, f: (day: number, previous: number, rand: () => number) => number): { day: number; y: number }[] {
  const rand = random(seed);
  const rows: { day: number; y: number }[] = [];
  for (let day = 0, y = 0; day < 1100; day += 2 + Math.floor(4 * rand())) rows.push({ day, y: (y = f(day, y, rand)) });
  return rows;
}

const yearly = (day: number, _y: number, rand: () => number) => 10 * Math.sin((2 * Math.PI * day) / 365.25) + 0.3 * (rand() - 0.5);
const walk = (_day: number, y: number, rand: () => number) => y + (rand() - 0.5);

function numeric(rows: { day: number; y: number }[]): NumericSequence {
  const times = rows.map((r) => r.day + 11_000); // days since 1970, as forecast-windows stores dates
  return { id: '0', inputs: rows.map((r) => [r.y]), targets: rows.map((r) => [r.y]), times, gaps: times.map((t, i) => (i === 0 ? NaN : t - times[i - 1])) };
}

const spec: DataSpec = { columns: ['y'], target: ['y'], window: 8, horizon: 10, timeColumn: 'date', targetMode: 'residual', firstGap: 1, inputMean: [], inputStd: [], targetMean: [], targetStd: [] };

describe('chooseSeasons', () => {
  it('offers the year for three years of rows a few days apart, and the week and day only for denser rows', () => {
    expect(calendarSeasons([numeric(datedRows(1, yearly))])).toEqual([365.25]);
    const hourly = Array.from({ length: 24 * 40 }, (_, i) => ({ day: i / 24, y: 0 }));
    expect(calendarSeasons([numeric(hourly)])).toEqual([1, 7]);
  });

  it('takes the year where the data has a yearly cycle and nothing for a random walk', () => {
    for (const [f, expected] of [[yearly, [365.25]], [walk, []]] as const) {
      const s = numeric(datedRows(2, f));
      const origins = windowOrigins([s], spec, true);
      const train = origins.slice(0, Math.floor(0.8 * origins.length));
      expect(chooseSeasons([s], spec, train, [365.25])).toEqual(expected);
    }
  });
});

describe('train and predict with the calendar', () => {
  it('stores the seasons in the checkpoint, beats persistence 10 rows ahead on a yearly cycle, and predict applies them', async () => {
    const csv = join(dir, 'yearly.csv');
    const date = (day: number) => new Date(Date.UTC(2020, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
    writeFileSync(csv, `date,y\n${datedRows(3, yearly).map((r) => `${date(r.day)},${r.y.toFixed(4)}`).join('\n')}\n`);
    const out = join(dir, 'yearly.safetensors');
    const r = await run('train', csv, '--target', 'y', '--time-column', 'date', '--horizon', '10', '--window', '8', '--units', '8', '--epochs', '15', '--quiet', '--out', out);
    expect(r.code).toBe(0);
    const { metadata } = await loadSafetensors(out);
    expect(JSON.parse(metadata['ncp-silicon/data']!).seasons).toEqual([365.25]);
    const { scores } = JSON.parse(metadata['ncp-silicon/validation']!);
    expect(scores.y.model.mse).toBeLessThan(0.5 * scores.y.persistence.mse);
    const p = await run('predict', out, csv);
    expect(p.code).toBe(0);
    const lines = p.out.trim().split('\n');
    expect(lines[0]).toBe('row,time,forecast_row,forecast_time,y,y_actual');
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.slice(1).every((l) => Number.isFinite(Number(l.split(',')[4])))).toBe(true);
  });
});
