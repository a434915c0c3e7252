/** Initialisers shared by the models, following ncps / PyTorch distributions. */
import type { Tensor } from './tensor.js';
import { InitRng, linearDefault, orthogonal, xavierUniform } from './init-rng.js';

/** ncps LSTMCell.init_weights: Xavier on input_map.weight, U(±0.1) on biases, orthogonal recurrent_map.weight. */
export function initLstm(rng: InitRng, params: Record<string, Tensor>, S: number, N: number): void {
  params['lstm.input_map.weight'].data.set(xavierUniform(rng, 4 * N, S));
  const bias = params['lstm.input_map.bias'].data;
  for (let i = 0; i < bias.length; i++) bias[i] = rng.uniform(-0.1, 0.1);
  params['lstm.recurrent_map.weight'].data.set(orthogonal(rng, 4 * N, N));
}

/** PyTorch nn.Linear's default initialisation of `<prefix>.weight` (out × in) and `<prefix>.bias`. */
export function initLinearDefault(rng: InitRng, params: Record<string, Tensor>, prefix: string): void {
  const weight = params[`${prefix}.weight`];
  const fanIn = weight.shape[1];
  weight.data.set(linearDefault(rng, weight.data.length, fanIn));
  const bias = params[`${prefix}.bias`];
  if (bias) bias.data.set(linearDefault(rng, bias.data.length, fanIn));
}
