/**
 * NCP (SPEC §1): a four-stage circuit, sensory inputs → inter → command → motor, drawn at build time from the
 * legacy `np.random.RandomState(seed)` stream in exactly ncps's order (`ncps/wirings/wirings.py`, `NCP.build`),
 * so the matrices equal ncps's bit for bit. Neuron ids: motor 0..m-1, command m..m+c-1, inter m+c..N-1;
 * layers [inter, command, motor].
 */
import { expectInteger, expectOptions, expectPlainObject } from '../validate.js';
import { expectSize, LIMITS } from '../limits.js';
import { RandomState } from './numpy-rng.js';
import { Wiring, expectIntegerIn, optionOr, registerWiringKind, type WiringKind } from './wiring.js';

export interface NCPOptions {
  /** Number of inter neurons (layer 0), ≥ 1. */
  interNeurons: number;
  /** Number of command neurons (layer 1), ≥ 1. */
  commandNeurons: number;
  /** Number of motor neurons (layer 2, the outputs), ≥ 1. */
  motorNeurons: number;
  /** Inter neurons each input synapses onto, 0..interNeurons. */
  sensoryFanout: number;
  /** Command neurons each inter neuron synapses onto, 0..commandNeurons. */
  interFanout: number;
  /** Number of random command → command synapses drawn (repeats overwrite), ≥ 0. */
  recurrentCommandSynapses: number;
  /** Command neurons synapsing onto each motor neuron, 0..commandNeurons. */
  motorFanin: number;
  /** Seed of the legacy `RandomState` stream, 0..2^32-1; default 22222 as in ncps. */
  seed?: number;
}

const NCP_KEYS = ['interNeurons', 'commandNeurons', 'motorNeurons', 'sensoryFanout', 'interFanout',
  'recurrentCommandSynapses', 'motorFanin', 'seed'] as const;

/** Polarities of NCP synapses: ±1 with equal odds. */
const POLARITIES = [-1, 1] as const;

/** Checks NCP sizes (AutoNCP's derived sizes pass through here too, and always pass). */
function checkNCPOptions(api: string, options: unknown): Required<NCPOptions> {
  const opts = expectOptions(api, expectPlainObject(api, 'options', options), NCP_KEYS);
  const count = (name: string, min: number) =>
    expectInteger(api, `options.${name}`, opts[name], { min });
  const inter = count('interNeurons', 1);
  const command = count('commandNeurons', 1);
  const motor = count('motorNeurons', 1);
  // Checked here, before the layer id lists are made, not only by the Wiring constructor after them.
  expectSize(api, 'interNeurons + commandNeurons + motorNeurons', inter + command + motor, 'maxUnits', 3);
  // Each stage draws at most this many synapses; the loop is otherwise bounded by the caller's number only.
  const recurrentLimit = LIMITS.maxUnits * LIMITS.maxUnits;
  // Same order of checks as ncps: motor fan-in, then sensory fan-out, then inter fan-out.
  const motorFanin = expectIntegerIn(api, 'options.motorFanin', opts.motorFanin, 0, command, 'at most commandNeurons');
  const sensoryFanout = expectIntegerIn(api, 'options.sensoryFanout', opts.sensoryFanout, 0, inter, 'at most interNeurons');
  const interFanout = expectIntegerIn(api, 'options.interFanout', opts.interFanout, 0, command, 'at most commandNeurons');
  const recurrent = count('recurrentCommandSynapses', 0);
  if (recurrent > recurrentLimit) expectInteger(api, 'options.recurrentCommandSynapses', recurrent, { min: 0, max: recurrentLimit });
  const seed = expectInteger(api, 'options.seed', optionOr(opts.seed, 22222), { min: 0, max: 2 ** 32 - 1 });
  return {
    interNeurons: inter,
    commandNeurons: command,
    motorNeurons: motor,
    sensoryFanout,
    interFanout,
    recurrentCommandSynapses: recurrent,
    motorFanin,
    seed,
  };
}

function ids(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

export class NCP extends Wiring {
  /** The sizes this wiring was made with (for AutoNCP: the derived ones). */
  readonly ncpParams: Required<NCPOptions>;
  private readonly rng: RandomState;

  constructor(options: NCPOptions) {
    const params = checkNCPOptions('NCP', options);
    const { interNeurons: i, commandNeurons: c, motorNeurons: m } = params;
    super(i + c + m, { outputDim: m, layers: [ids(m + c, i), ids(m, c), ids(0, m)] });
    this.ncpParams = params;
    this.rng = new RandomState(params.seed);
  }

  override get kind(): WiringKind {
    return 'NCP';
  }

  /** All seven stages of `NCP.build`; the recurrent and motor stages draw here too, as in ncps. */
  protected override drawSensorySynapses(inputDim: number): void {
    const p = this.ncpParams;
    const rng = this.rng;
    const N = this.units;
    const adjacency = this.adjacency.data;
    const sensory = this.sensoryAdjacencyMatrix.data;
    const [interIds, commandIds, motorIds] = this.layers;
    const sensoryIds = ids(0, inputDim);
    const polarity = () => rng.choice(POLARITIES);

    // 1–2. Inputs → inter; then every inter neuron nothing reached gets k random inputs.
    const reached = new Uint8Array(N);
    for (const src of sensoryIds) {
      for (const dest of rng.choice(interIds, p.sensoryFanout, false)) {
        reached[dest] = 1;
        sensory[src * N + dest] = polarity();
      }
    }
    const interFanin = clip(Math.trunc((inputDim * p.sensoryFanout) / p.interNeurons), 1, inputDim);
    for (const dest of interIds) {
      if (reached[dest]) continue;
      for (const src of rng.choice(sensoryIds, interFanin, false)) sensory[src * N + dest] = polarity();
    }

    // 3–4. Inter → command; then every command neuron nothing reached gets k random inter neurons.
    // ncps clips k at the number of command neurons (not inter); k ≤ inter anyway since interFanout ≤ command.
    reached.fill(0);
    for (const src of interIds) {
      for (const dest of rng.choice(commandIds, p.interFanout, false)) {
        reached[dest] = 1;
        adjacency[src * N + dest] = polarity();
      }
    }
    const commandFanin = clip(Math.trunc((p.interNeurons * p.interFanout) / p.commandNeurons), 1, p.commandNeurons);
    for (const dest of commandIds) {
      if (reached[dest]) continue;
      for (const src of rng.choice(interIds, commandFanin, false)) adjacency[src * N + dest] = polarity();
    }

    // 5. Recurrent command synapses; a repeated pair is overwritten.
    for (let r = 0; r < p.recurrentCommandSynapses; r++) {
      const src = rng.choice(commandIds);
      const dest = rng.choice(commandIds);
      adjacency[src * N + dest] = polarity();
    }

    // 6–7. Command → motor; then every command neuron that reaches no motor neuron gets k random motor targets.
    reached.fill(0);
    for (const dest of motorIds) {
      for (const src of rng.choice(commandIds, p.motorFanin, false)) {
        reached[src] = 1;
        adjacency[src * N + dest] = polarity();
      }
    }
    const commandFanout = clip(Math.trunc((p.motorNeurons * p.motorFanin) / p.commandNeurons), 1, p.motorNeurons);
    for (const src of commandIds) {
      if (reached[src]) continue;
      for (const dest of rng.choice(motorIds, commandFanout, false)) adjacency[src * N + dest] = polarity();
    }
  }

  protected override config(): Record<string, unknown> {
    return { ...this.ncpParams };
  }
}

function clip(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

registerWiringKind('NCP', (config) => new NCP(config as unknown as NCPOptions));
