/**
 * Renders any value for an error message: `undefined`, `number NaN`, `string "abc"`, `Float64Array(96)`,
 * `Array(3)`, `object {mode, units}`. Never interpolates functions, constructors or enum integers.
 */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      return `number ${Number.isNaN(value) ? 'NaN' : String(value)}`;
    case 'string': {
      const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
      return `string ${JSON.stringify(shown)}`;
    }
    case 'boolean':
      return `boolean ${value}`;
    case 'bigint':
      return `bigint ${value}n`;
    case 'function':
      return 'function';
    case 'symbol':
      return 'symbol';
  }
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor?.name ?? 'TypedArray';
    const length = (value as unknown as { length?: number }).length ?? value.byteLength;
    return `${name}(${length})`;
  }
  if (Array.isArray(value)) return `Array(${value.length})`;
  const keys = Object.keys(value as object);
  const shownKeys = keys.length > 6 ? [...keys.slice(0, 6), '...'] : keys;
  const ctor = (value as object).constructor;
  const prefix = ctor && ctor !== Object && typeof ctor.name === 'string' && ctor.name ? ctor.name : 'object';
  return `${prefix} {${shownKeys.join(', ')}}`;
}
