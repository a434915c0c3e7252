/**
 * Random (SPEC §1): round-half-even(N²·(1 − sparsity)) synapses chosen without replacement among all
 * (source, destination) pairs, each with polarity `choice([-1, 1, 1])`, from `default_rng(randomSeed)`.
 * At build the same over (input, destination) pairs, where ncps draws each polarity twice and keeps the second
 * (`ncps/wirings/wirings.py`, `Random.build`); we reproduce that, since it is what makes the matrices equal.
 */
import { expectInteger, expectNumber, expectOptions } from '../validate.js';
import { expectSize } from '../limits.js';
import { DefaultRng, isTracingRngCalls, traceRngCall } from './numpy-rng.js';
import type { PolarityMatrix } from './polarity-matrix.js';
import { Wiring, expectIntegerIn, optionOr, registerWiringKind, roundHalfEven, type WiringKind } from './wiring.js';

export interface RandomOptions {
  /** Number of motor (output) neurons M, 1..units; default units. */
  outputDim?: number;
  /** Fraction of absent synapses, in [0, 1); default 0 (all synapses present). */
  sparsityLevel?: number;
  /** Seed of the numpy `default_rng` stream; default 1111 as in ncps. */
  randomSeed?: number;
}

const POLARITY_CHOICES = [-1, 1, 1] as const;

export class Random extends Wiring {
  private readonly sparsityLevel: number;
  private readonly randomSeed: number;
  private readonly rng: DefaultRng;

  constructor(units: number, options?: RandomOptions) {
    const api = 'Random';
    expectSize(api, 'units', units, 'maxUnits');
    const opts = expectOptions(api, options, ['outputDim', 'sparsityLevel', 'randomSeed']);
    const outputDim = opts.outputDim === undefined ? units : expectIntegerIn(api, 'options.outputDim', opts.outputDim, 1, units);
    const sparsityLevel = expectNumber(api, 'options.sparsityLevel', optionOr(opts.sparsityLevel, 0), { min: 0, lessThan: 1 });
    const seed = expectInteger(api, 'options.randomSeed', optionOr(opts.randomSeed, 1111), { min: 0, max: Number.MAX_SAFE_INTEGER });
    super(units, { outputDim });
    this.sparsityLevel = sparsityLevel;
    this.randomSeed = seed;
    this.rng = new DefaultRng(seed);
    // Same expression order as ncps (units * units * (1 - s)) so the float rounding agrees.
    const count = roundHalfEven(units * units * (1 - sparsityLevel));
    this.drawPairs(this.adjacency, units, count, 1);
  }

  override get kind(): WiringKind {
    return 'Random';
  }

  protected override drawSensorySynapses(inputDim: number): void {
    const count = roundHalfEven(inputDim * this.units * (1 - this.sparsityLevel));
    this.drawPairs(this.sensoryAdjacencyMatrix, inputDim, count, 2);
  }

  /** `choice(all_pairs, count, replace=False)` over row-major pairs, then `drawsPerPair` polarities per pair. */
  private drawPairs(matrix: PolarityMatrix, rows: number, count: number, drawsPerPair: number): void {
    const cols = matrix.cols;
    const picks = this.rng.sampleIndices(rows * cols, count);
    if (isTracingRngCalls()) {
      traceRngCall({
        method: 'choice',
        population: Array.from({ length: rows * cols }, (_, k) => [Math.floor(k / cols), k % cols]),
        size: count,
        replace: false,
        result: Array.from(picks, (k) => [Math.floor(k / cols), k % cols]),
      });
    }
    // Draw every polarity first, then scatter: mixing draws with cache-missing writes into a large matrix is
    // several times slower. The draw order is unchanged.
    const polarities = new Int8Array(picks.length);
    for (let n = 0; n < picks.length; n++) {
      for (let d = 0; d < drawsPerPair; d++) polarities[n] = this.rng.choice(POLARITY_CHOICES);
    }
    for (let n = 0; n < picks.length; n++) matrix.data[picks[n]] = polarities[n];
  }

  protected override config(): Record<string, unknown> {
    return {
      units: this.units,
      outputDim: this.outputDim,
      sparsityLevel: this.sparsityLevel,
      randomSeed: this.randomSeed,
    };
  }
}

registerWiringKind('Random', (config) => {
  const { units, ...options } = config;
  return new Random(units as number, options as RandomOptions);
});
