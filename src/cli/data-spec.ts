/**
 * Reads the data spec `ncp-silicon train` stores in a checkpoint (metadata key DATA_SPEC_KEY) back for `predict`,
 * checking every field predict uses against its type, its range and the model, so that an edited or foreign
 * file gives one clear message instead of "spec.columns.join is not a function", an invalid typed array length
 * or forecasts that are all NaN. Keys predict does not use are ignored.
 */
import { describe } from '../describe.js';
import { CliError } from './cli-error.js';
import { DATA_SPEC_KEY, type DataSpec } from '../train/forecast-windows.js';

/** What the model fixes: its input features and its outputs. */
export interface SpecModel {
  inputSize: number;
  outputSize: number;
}

export function parseDataSpec(checkpoint: string, stored: string, model: SpecModel): DataSpec {
  const bad = (field: string, expected: string, value: unknown): never => {
    throw new CliError(`${checkpoint} has a corrupt "${DATA_SPEC_KEY}" metadata entry: expected ${expected} for ${field}, received ${describe(value)}.`);
  };
  let spec: unknown;
  try {
    spec = JSON.parse(stored);
  } catch {
    throw new CliError(`${checkpoint} has a corrupt "${DATA_SPEC_KEY}" metadata entry (not valid JSON).`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return bad('the entry', 'a JSON object', spec);
  const s = spec as Record<string, unknown>;

  const names = (field: string, length: number, what: string): string[] => {
    const value = s[field];
    const ok = Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'string' && v !== '') && new Set(value).size === value.length;
    return ok ? (value as string[]) : bad(field, `${length} distinct non-empty column names (${what})`, value);
  };
  const numbers = (field: string, length: number, positive: boolean, scalar = false): number[] => {
    const value = scalar ? [s[field]] : s[field];
    if (scalar && !(typeof s[field] === 'number' && Number.isFinite(s[field]) && (!positive || (s[field] as number) > 0))) {
      return bad(field, `a finite number${positive ? ' > 0' : ''}`, s[field]);
    }
    const ok = Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0));
    return ok ? (value as number[]) : bad(field, `${length} finite numbers${positive ? ' > 0' : ''} (one per column)`, value);
  };
  const count = (field: string): number => {
    const value = s[field];
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? value : bad(field, 'an integer ≥ 1', value);
  };
  const optionalName = (field: string): string | undefined => {
    const value = s[field];
    return value === undefined || (typeof value === 'string' && value !== '') ? (value as string | undefined) : bad(field, 'a column name or nothing', value);
  };

  // With a time column the last input feature is the time to the forecast target (leadMean/leadStd scale it).
  const timeColumn = optionalName('timeColumn');
  const hasLead = s.leadMean !== undefined || s.leadStd !== undefined;
  if (hasLead && timeColumn === undefined) bad('leadMean', 'nothing (there is no timeColumn)', s.leadMean);
  const lead = hasLead ? { leadMean: numbers('leadMean', 1, false, true)[0], leadStd: numbers('leadStd', 1, true, true)[0] } : {};
  // Then two per season (the sine and cosine of the forecast row's phase).
  const seasons = s.seasons;
  const seasonsOk = seasons === undefined || (Array.isArray(seasons) && seasons.length <= 4 && seasons.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0));
  if (!seasonsOk) bad('seasons', 'up to 4 finite numbers > 0 (season lengths) or nothing', seasons);
  if (seasons !== undefined && timeColumn === undefined) bad('seasons', 'nothing (there is no timeColumn)', seasons);
  const seasonCount = (seasons as number[] | undefined)?.length ?? 0;
  const columnCount = model.inputSize - (hasLead ? 1 : 0) - 2 * seasonCount;
  const extras = [hasLead ? 'the time to the target' : '', seasonCount > 0 ? `${2 * seasonCount} season phases` : ''].filter((x) => x !== '');
  const columns = names('columns', columnCount, `the model takes ${model.inputSize} input features${extras.length > 0 ? `, the last ${extras.join(' and ')}` : ''}`);
  const targetMode = s.targetMode;
  if (targetMode !== undefined && targetMode !== 'residual' && targetMode !== 'level') bad('targetMode', '"residual", "level" or nothing', targetMode);
  const target = names('target', model.outputSize, `the model has ${model.outputSize} outputs`);
  const firstGap = s.firstGap;
  if (typeof firstGap !== 'number' || !Number.isFinite(firstGap) || firstGap <= 0) bad('firstGap', 'a finite number > 0 (a timespan)', firstGap);
  return {
    columns,
    target,
    window: count('window'),
    horizon: count('horizon'),
    timeColumn,
    sequenceColumn: optionalName('sequenceColumn'),
    firstGap: firstGap as number,
    inputMean: numbers('inputMean', columns.length, false),
    inputStd: numbers('inputStd', columns.length, true),
    targetMean: numbers('targetMean', target.length, false),
    targetStd: numbers('targetStd', target.length, true),
    ...(targetMode === undefined ? {} : { targetMode: targetMode as DataSpec['targetMode'] }),
    ...lead,
    ...(seasons === undefined ? {} : { seasons: [...(seasons as number[])] }),
  };
}
