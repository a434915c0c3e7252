/**
 * Wirings: which neuron synapses onto which, with what polarity (SPEC §1). Importing this module registers every
 * kind with `Wiring.fromJSON`, so import wirings from here (or the package index), not from the single files.
 */
export { Wiring, type NeuronType, type WiringKind, type WiringOptions, type WiringJSON, type NcpsWiringConfig } from './wiring.js';
export { FullyConnected, type FullyConnectedOptions } from './fully-connected.js';
export { Random, type RandomOptions } from './random.js';
export { NCP, type NCPOptions } from './ncp.js';
export { AutoNCP, autoNCPSizes, type AutoNCPOptions } from './auto-ncp.js';
export { PolarityMatrix, type Polarity } from './polarity-matrix.js';
export type { WiringSVGOptions } from './draw-svg.js';
