import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { loadSeattleWeather, parseSeattleWeather, seattleWeatherPath } from './weather-data.js';

describe('Seattle weather data', () => {
  it('resolves the CSV inside the installed vega-datasets package', () => {
    const path = seattleWeatherPath();
    expect(path).toMatch(/vega-datasets[\\/]data[\\/]seattle-weather\.csv$/);
    expect(existsSync(path)).toBe(true);
  });

  it('loads 1,461 consecutive days of 2012–2015 with numbers in plausible ranges', () => {
    const days = loadSeattleWeather();
    expect(days).toHaveLength(1461);
    expect(days[0]).toMatchObject({ date: '2012-01-01', day: 0, dayOfYear: 0, precipitation: 0, tempMax: 12.8, tempMin: 5, wind: 4.7, weather: 'drizzle' });
    expect(days.at(-1)!.date).toBe('2015-12-31');
    days.forEach((d, i) => expect(d.day).toBe(i));
    // 2012 is a leap year: 31 December 2012 is day-of-year 365, 1 January 2013 is 0 again.
    expect(days[365]).toMatchObject({ date: '2012-12-31', dayOfYear: 365 });
    expect(days[366]).toMatchObject({ date: '2013-01-01', dayOfYear: 0 });
    for (const d of days) {
      expect(d.tempMax).toBeGreaterThanOrEqual(d.tempMin);
      expect(d.precipitation).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses a wrong header or a malformed row, naming the line', () => {
    expect(() => parseSeattleWeather('a,b\n1,2\n')).toThrow(/expected the header "date,precipitation,temp_max,temp_min,wind,weather"/);
    const header = 'date,precipitation,temp_max,temp_min,wind,weather\n';
    expect(() => parseSeattleWeather(`${header}2012-01-01,0,1,0,1,sun\n2012-01-02,x,1,0,1,sun\n`)).toThrow(/on line 3/);
    expect(() => parseSeattleWeather(`${header}2012-01-01,0,1,0\n`)).toThrow(/6 columns/);
  });
});
