/**
 * AutoNCP (SPEC §1): an NCP sized from (units, outputSize, sparsityLevel) with ncps's formulas
 * (`ncps/wirings/wirings.py`, `AutoNCP.__init__`). The arithmetic is evaluated in the same order as Python's so
 * every `int(...)` truncates the same double.
 */
import { argumentError } from '../errors.js';
import { expectInteger, expectOptions } from '../validate.js';
import { expectSize } from '../limits.js';
import { NCP, type NCPOptions } from './ncp.js';
import { expectIntegerIn, optionOr, registerWiringKind, type WiringKind } from './wiring.js';

export interface AutoNCPOptions {
  /** Fraction of absent synapses, in [0.1, 1.0]; default 0.5. */
  sparsityLevel?: number;
  /** Seed of the legacy `RandomState` stream, 0..2^32-1; default 22222 as in ncps. */
  seed?: number;
}

/** The NCP sizes AutoNCP derives; exported so tests and docs can show them without building a wiring. */
export function autoNCPSizes(units: number, outputSize: number, sparsityLevel: number): Omit<NCPOptions, 'seed'> {
  const density = 1.0 - sparsityLevel;
  const interAndCommand = units - outputSize;
  const command = Math.max(Math.trunc(0.4 * interAndCommand), 1);
  const inter = interAndCommand - command;
  return {
    interNeurons: inter,
    commandNeurons: command,
    motorNeurons: outputSize,
    sensoryFanout: Math.max(Math.trunc(inter * density), 1),
    interFanout: Math.max(Math.trunc(command * density), 1),
    recurrentCommandSynapses: Math.max(Math.trunc(command * density * 2), 1),
    motorFanin: Math.max(Math.trunc(command * density), 1),
  };
}

export class AutoNCP extends NCP {
  private readonly outputSize: number;
  private readonly sparsityLevel: number;

  constructor(units: number, outputSize: number, options?: AutoNCPOptions) {
    const api = 'AutoNCP';
    // outputSize < units − 2 leaves at least one command and one inter neuron.
    expectSize(api, 'units', units, 'maxUnits', 4);
    expectIntegerIn(api, 'outputSize', outputSize, 1, units - 3, `less than units − 2 = ${units - 2}`);
    const opts = expectOptions(api, options, ['sparsityLevel', 'seed']);
    const sparsityLevel = optionOr(opts.sparsityLevel, 0.5);
    // ncps checks [0.1, 1.0] but its message says "between 0.0 and 0.9"; we state the range it enforces.
    const expected = 'a number in [0.1, 1.0]';
    if (typeof sparsityLevel !== 'number') throw argumentError(TypeError, api, 'options.sparsityLevel', expected, sparsityLevel);
    if (!(sparsityLevel >= 0.1 && sparsityLevel <= 1.0)) {
      throw argumentError(RangeError, api, 'options.sparsityLevel', expected, sparsityLevel);
    }
    const seed = expectInteger(api, 'options.seed', optionOr(opts.seed, 22222), { min: 0, max: 2 ** 32 - 1 });
    super({ ...autoNCPSizes(units, outputSize, sparsityLevel), seed });
    this.outputSize = outputSize;
    this.sparsityLevel = sparsityLevel;
  }

  override get kind(): WiringKind {
    return 'AutoNCP';
  }

  protected override config(): Record<string, unknown> {
    return { units: this.units, outputSize: this.outputSize, sparsityLevel: this.sparsityLevel, seed: this.ncpParams.seed };
  }
}

registerWiringKind('AutoNCP', (config) => {
  const { units, outputSize, ...options } = config;
  return new AutoNCP(units as number, outputSize as number, options as AutoNCPOptions);
});
