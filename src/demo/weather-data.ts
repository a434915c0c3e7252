/**
 * Daily Seattle weather 2012–2015 (1,461 days), as shipped by the `vega-datasets` npm package, so the demo
 * works offline right after `npm install`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { isMissingPackage, missingPeerError } from '../optional-peer.js';

export interface WeatherDay {
  /** ISO date, e.g. `2012-01-01`. */
  date: string;
  /** Whole days since the first row (the dataset has no missing days, so this is the row index). */
  day: number;
  /** Day of the year, 0-based (0 = 1 January; 365 only in leap years). */
  dayOfYear: number;
  /** mm */
  precipitation: number;
  /** °C */
  tempMax: number;
  /** °C */
  tempMin: number;
  /** m/s */
  wind: number;
  weather: string;
}

const COLUMNS = ['date', 'precipitation', 'temp_max', 'temp_min', 'wind', 'weather'] as const;
const MS_PER_DAY = 86_400_000;

/**
 * Path of `seattle-weather.csv` inside the installed `vega-datasets`. Resolved through Node's module
 * resolution rather than a fixed path, so hoisted, nested and global installs all work. vega-datasets@3 does
 * not export `./package.json`, so when that lookup is refused we resolve the package entry and walk up to the
 * directory that holds `data/`.
 */
export function seattleWeatherPath(): string {
  const require = createRequire(import.meta.url);
  let root: string | undefined;
  try {
    root = dirname(require.resolve('vega-datasets/package.json'));
  } catch {
    let dir: string;
    try {
      dir = dirname(require.resolve('vega-datasets'));
    } catch (error) {
      // An optional peer: a clone's npm install has it (devDependency), a project using ncp-silicon may not.
      if (isMissingPackage(error, ['vega-datasets'])) throw missingPeerError('demo', "the Seattle weather data (seattle-weather.csv)", ['vega-datasets'], error);
      throw error;
    }
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    root = dir;
  }
  return join(root, 'data', 'seattle-weather.csv');
}

/** Parses the CSV text (strict: a malformed row is an error naming its line, never silently skipped). */
export function parseSeattleWeather(text: string): WeatherDay[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0]?.split(',').map((h) => h.trim());
  if (!header || COLUMNS.some((c, i) => header[i] !== c)) {
    throw new Error(`seattle-weather.csv: expected the header "${COLUMNS.join(',')}", received "${lines[0] ?? ''}".`);
  }
  const days: WeatherDay[] = [];
  let firstMs = NaN;
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',');
    const [date, precipitation, tempMax, tempMin, wind] = [cells[0], ...cells.slice(1, 5).map(Number)] as [string, number, number, number, number];
    const ms = Date.parse(`${date}T00:00:00Z`);
    if (cells.length !== COLUMNS.length || Number.isNaN(ms) || [precipitation, tempMax, tempMin, wind].some((v) => !Number.isFinite(v))) {
      throw new Error(`seattle-weather.csv: expected 6 columns with a date and 4 numbers on line ${i + 1}, received "${lines[i]}".`);
    }
    if (i === 1) firstMs = ms;
    const yearStart = Date.UTC(new Date(ms).getUTCFullYear(), 0, 1);
    days.push({
      date,
      day: Math.round((ms - firstMs) / MS_PER_DAY),
      dayOfYear: Math.round((ms - yearStart) / MS_PER_DAY),
      precipitation,
      tempMax,
      tempMin,
      wind,
      weather: cells[5],
    });
  }
  return days;
}

/** Reads and parses the dataset (from `path`, default the installed vega-datasets copy). */
export function loadSeattleWeather(path: string = seattleWeatherPath()): WeatherDay[] {
  return parseSeattleWeather(readFileSync(path, 'utf8'));
}
