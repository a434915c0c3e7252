/**
 * A synapse polarity matrix: entries −1 (inhibitory), 0 (no synapse), +1 (excitatory), stored row-major in an
 * Int8Array and indexed [source, destination] (SPEC §1). One byte per entry keeps wirings of thousands of units
 * small, and the flat array is what the kernels' masks are built from.
 */
import { argumentError } from '../errors.js';
import { expectInteger } from '../validate.js';
import { expectSize } from '../limits.js';

export type Polarity = -1 | 0 | 1;

export class PolarityMatrix {
  /** Number of sources (rows). */
  readonly rows: number;
  /** Number of destinations (columns). */
  readonly cols: number;
  /**
   * Row-major entries: `data[source * cols + destination]`. Read it freely (it is the fast path for building
   * masks); a wiring owns its matrices, so writing into them changes the wiring.
   */
  readonly data: Int8Array;

  constructor(rows: number, cols: number, data?: Int8Array) {
    // Sources are inputs or neurons, destinations neurons (LIMITS in src/limits.ts).
    this.rows = expectSize('PolarityMatrix', 'rows', rows, 'maxInputs', 0);
    this.cols = expectSize('PolarityMatrix', 'cols', cols, 'maxUnits', 0);
    if (data !== undefined && data.length !== rows * cols) {
      throw argumentError(RangeError, 'PolarityMatrix', 'data', `an Int8Array of length ${rows * cols}`, data);
    }
    this.data = data ?? new Int8Array(rows * cols);
  }

  /** Polarity of the synapse source → destination (0 when there is none). */
  get(source: number, destination: number): Polarity {
    expectInteger('PolarityMatrix.get', 'source', source, { min: 0, max: this.rows - 1 });
    expectInteger('PolarityMatrix.get', 'destination', destination, { min: 0, max: this.cols - 1 });
    return this.data[source * this.cols + destination] as Polarity;
  }

  /** Number of synapses: Σ|entry|. */
  count(): number {
    let total = 0;
    for (const value of this.data) total += value === 0 ? 0 : 1;
    return total;
  }

  /** Nested rows, as numpy's `tolist()` (and ncps configs) have them. */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    return out;
  }

  clone(): PolarityMatrix {
    return new PolarityMatrix(this.rows, this.cols, this.data.slice());
  }

  equals(other: PolarityMatrix): boolean {
    if (other.rows !== this.rows || other.cols !== this.cols) return false;
    for (let i = 0; i < this.data.length; i++) if (this.data[i] !== other.data[i]) return false;
    return true;
  }

  /**
   * Reads nested rows (e.g. from JSON), checking the shape and that every entry is −1, 0 or 1.
   * `api` and `name` go into the error messages (`Wiring.fromJSON`, `json.adjacencyMatrix`).
   */
  static fromArray(value: unknown, rows: number, cols: number, api: string, name: string): PolarityMatrix {
    if (!Array.isArray(value)) throw argumentError(TypeError, api, name, `an array of ${rows} rows`, value);
    if (value.length !== rows) throw argumentError(RangeError, api, name, `an array of ${rows} rows`, value);
    const matrix = new PolarityMatrix(rows, cols);
    value.forEach((row: unknown, i) => {
      const rowName = `${name}[${i}]`;
      if (!Array.isArray(row)) throw argumentError(TypeError, api, rowName, `an array of ${cols} polarities`, row);
      if (row.length !== cols) throw argumentError(RangeError, api, rowName, `an array of ${cols} polarities`, row);
      row.forEach((entry: unknown, j) => {
        if (entry !== -1 && entry !== 0 && entry !== 1) {
          const ErrorClass = typeof entry === 'number' ? RangeError : TypeError;
          throw argumentError(ErrorClass, api, `${rowName}[${j}]`, 'a polarity -1, 0 or 1', entry);
        }
        matrix.data[i * cols + j] = entry;
      });
    });
    return matrix;
  }
}

