/**
 * Argument checks. Each helper tests a value and reports that same value, so a message can never show
 * something other than what was checked. All of them throw TypeError (wrong kind) or RangeError (right kind,
 * bad value) built by errors.ts.
 */
import { argumentError } from './errors.js';

export function expectInteger(
  api: string,
  name: string,
  value: unknown,
  range: { min?: number; max?: number } = {},
): number {
  const { min, max } = range;
  const expected = describeIntegerRange(min, max);
  if (typeof value !== 'number') throw argumentError(TypeError, api, name, expected, value);
  if (!Number.isInteger(value)) throw argumentError(RangeError, api, name, expected, value);
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    throw argumentError(RangeError, api, name, expected, value);
  }
  return value;
}

function describeIntegerRange(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`;
  if (min === 0) return 'a non-negative integer';
  if (min === 1) return 'a positive integer';
  if (min !== undefined) return `an integer ≥ ${min}`;
  if (max !== undefined) return `an integer ≤ ${max}`;
  return 'an integer';
}

export interface NumberRange {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  greaterThan?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive upper bound. */
  lessThan?: number;
}

/** A finite number inside an interval; the message states the interval in math notation. */
export function expectNumber(api: string, name: string, value: unknown, range: NumberRange = {}): number {
  const expected = describeNumberRange(range);
  if (typeof value !== 'number') throw argumentError(TypeError, api, name, expected, value);
  const { min, greaterThan, max, lessThan } = range;
  const outside =
    !Number.isFinite(value) ||
    (min !== undefined && value < min) ||
    (greaterThan !== undefined && value <= greaterThan) ||
    (max !== undefined && value > max) ||
    (lessThan !== undefined && value >= lessThan);
  if (outside) throw argumentError(RangeError, api, name, expected, value);
  return value;
}

function describeNumberRange({ min, greaterThan, max, lessThan }: NumberRange): string {
  const low = min !== undefined ? `[${min}` : greaterThan !== undefined ? `(${greaterThan}` : undefined;
  const high = max !== undefined ? `${max}]` : lessThan !== undefined ? `${lessThan})` : undefined;
  if (low && high) return `a number in ${low}, ${high}`;
  if (low) return min !== undefined ? `a finite number ≥ ${min}` : `a finite number > ${greaterThan}`;
  if (high) return max !== undefined ? `a finite number ≤ ${max}` : `a finite number < ${lessThan}`;
  return 'a finite number';
}

export function expectBoolean(api: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw argumentError(TypeError, api, name, 'a boolean', value);
  return value;
}

export function expectOneOf<T extends string>(api: string, name: string, value: unknown, choices: readonly T[]): T {
  const expected = `one of ${choices.map((c) => `'${c}'`).join(' | ')}`;
  if (typeof value !== 'string') throw argumentError(TypeError, api, name, expected, value);
  if (!(choices as readonly string[]).includes(value)) throw argumentError(RangeError, api, name, expected, value);
  return value as T;
}

export function expectPlainObject(api: string, name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw argumentError(TypeError, api, name, 'a plain object', value);
  }
  return value as Record<string, unknown>;
}

/** An optional options bag: undefined becomes {}; unknown keys are refused so typos do not pass silently. */
export function expectOptions(
  api: string,
  value: unknown,
  knownKeys: readonly string[],
  name = 'options',
): Record<string, unknown> {
  if (value === undefined) return {};
  const options = expectPlainObject(api, name, value);
  for (const key of Object.keys(options)) {
    if (!knownKeys.includes(key)) {
      throw argumentError(
        TypeError,
        api,
        `${name}.${key}`,
        `no such option (known: ${knownKeys.join(', ')})`,
        options[key],
      );
    }
  }
  return options;
}
