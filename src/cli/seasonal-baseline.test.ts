import { describe, expect, it } from 'vitest';
import { seasonalForecast } from './seasonal-baseline.js';
import { windowOrigins, type DataSpec, type NumericSequence } from '../train/forecast-windows.js';
import { splitTail } from './validation.js';

function spec(horizon: number): DataSpec {
  return { columns: ['y'], target: ['y'], window: 4, horizon, timeColumn: 'date', targetMode: 'residual', firstGap: 1, inputMean: [], inputStd: [], targetMean: [], targetStd: [] };
}

/** Days (as forecast-windows stores dates) with the given gaps, and y = f(day). */
function sequence(id: string, gaps: number[], f: (day: number) => number): NumericSequence {
  const times = [0];
  for (const g of gaps) times.push(times.at(-1)! + g);
  const values = times.map(f);
  return { id, inputs: values.map((v) => [v]), targets: values.map((v) => [v]), times, gaps: [NaN, ...gaps] };
}

function split(sequences: NumericSequence[], s: DataSpec) {
  return splitTail(sequences, s, windowOrigins(sequences, s, true), 0.2);
}

describe('seasonalForecast', () => {
  it('forecasts a weekly pattern exactly from the same weekday a week back, choosing 7 days over a year', () => {
    const week = [3, 1, 4, 1, 5, 9, 2];
    const s = sequence('a', Array(800).fill(1), (d) => week[d % 7]);
    const { train, validation } = split([s], spec(1));
    const result = seasonalForecast([s], spec(1), train, validation)!;
    expect(result.periodDays).toBe(7);
    validation.forEach((o, n) => expect(result.forecasts[n]).toBe(week[(o.row + 1) % 7]));
  });

  it('interpolates irregular rows a year back, and chooses the year for a yearly cycle', () => {
    let seed = 7;
    const gaps = Array.from({ length: 500 }, () => ((seed = (seed * 48271) % 2147483647), 3 + (seed % 5)));
    const yearly = (d: number) => 10 * Math.sin((2 * Math.PI * d) / 365.25);
    const s = sequence('b', gaps, yearly);
    const { train, validation } = split([s], spec(10));
    const result = seasonalForecast([s], spec(10), train, validation)!;
    expect(result.periodDays).toBe(365.25);
    validation.forEach((o, n) => {
      const actual = yearly(s.times[o.row + 10]);
      // Linear interpolation across ≤ 7 days of a sine with amplitude 10 and period 365 d errs by < 0.02.
      expect(Math.abs(result.forecasts[n] - actual)).toBeLessThan(0.02);
    });
  });

  it('does not apply without a season of history before every validation forecast, or across long gaps', () => {
    // Every third day for 300 days: less than a year of history, and a week back always falls between rows 3 days apart.
    const short = sequence('c', Array(100).fill(3), (d) => d);
    const parts = split([short], spec(1));
    expect(seasonalForecast([short], spec(1), parts.train, parts.validation)).toBeUndefined();
    // Daily data with one 200-day hole: a year back from some validation rows falls into the hole.
    const gaps = [...Array(400).fill(1), 200, ...Array(300).fill(1)];
    const holey = sequence('d', gaps, (d) => Math.sin((2 * Math.PI * d) / 365.25));
    const { train, validation } = split([holey], spec(1));
    const result = seasonalForecast([holey], spec(1), train, validation);
    // Weekly still applies (no hole a week back); the year does not.
    expect(result?.periodDays).toBe(7);
  });
});
