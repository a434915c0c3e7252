/**
 * FullyConnected (SPEC §1): every neuron synapses onto every neuron (optionally not itself), and at build every
 * input onto every neuron; each polarity is `default_rng(erevInitSeed).choice([-1, 1, 1])`, drawn in row-major
 * order, so the matrices equal ncps's bit for bit.
 */
import { expectBoolean, expectInteger, expectOptions } from '../validate.js';
import { expectSize } from '../limits.js';
import { DefaultRng } from './numpy-rng.js';
import { Wiring, expectIntegerIn, optionOr, registerWiringKind, type WiringKind } from './wiring.js';

export interface FullyConnectedOptions {
  /** Number of motor (output) neurons M, 1..units; default units. */
  outputDim?: number;
  /** Seed of the polarity stream (numpy `default_rng`); default 1111 as in ncps. */
  erevInitSeed?: number;
  /** Whether neuron i synapses onto itself; default true. */
  selfConnections?: boolean;
}

/** ncps draws polarities from this list: excitatory twice as likely as inhibitory. */
const POLARITY_CHOICES = [-1, 1, 1] as const;

export class FullyConnected extends Wiring {
  private readonly erevInitSeed: number;
  private readonly selfConnections: boolean;
  private readonly rng: DefaultRng;

  constructor(units: number, options?: FullyConnectedOptions) {
    const api = 'FullyConnected';
    expectSize(api, 'units', units, 'maxUnits');
    const opts = expectOptions(api, options, ['outputDim', 'erevInitSeed', 'selfConnections']);
    const outputDim = opts.outputDim === undefined ? units : expectIntegerIn(api, 'options.outputDim', opts.outputDim, 1, units);
    const seedRange = { min: 0, max: Number.MAX_SAFE_INTEGER };
    const seed = expectInteger(api, 'options.erevInitSeed', optionOr(opts.erevInitSeed, 1111), seedRange);
    const selfConnections = expectBoolean(api, 'options.selfConnections', optionOr(opts.selfConnections, true));
    super(units, { outputDim });
    this.erevInitSeed = seed;
    this.selfConnections = selfConnections;
    this.rng = new DefaultRng(this.erevInitSeed);
    const data = this.adjacency.data;
    for (let src = 0; src < units; src++) {
      for (let dest = 0; dest < units; dest++) {
        if (src === dest && !this.selfConnections) continue;
        data[src * units + dest] = this.rng.choice(POLARITY_CHOICES);
      }
    }
  }

  override get kind(): WiringKind {
    return 'FullyConnected';
  }

  protected override drawSensorySynapses(inputDim: number): void {
    const data = this.sensoryAdjacencyMatrix.data;
    for (let i = 0; i < inputDim * this.units; i++) data[i] = this.rng.choice(POLARITY_CHOICES);
  }

  protected override config(): Record<string, unknown> {
    return {
      units: this.units,
      outputDim: this.outputDim,
      erevInitSeed: this.erevInitSeed,
      selfConnections: this.selfConnections,
    };
  }
}

registerWiringKind('FullyConnected', (config) => {
  const { units, ...options } = config;
  return new FullyConnected(units as number, options as FullyConnectedOptions);
});
