/** A neuron's role in a wiring; its own module so the wiring and its drawing both use it without importing each other. */
export type NeuronType = 'motor' | 'command' | 'inter';
