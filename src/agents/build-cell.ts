/** The policy's cell: a small NCP (AutoNCP wiring) whose single output is a logit correction, zero at first. */
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import type { SequenceModel } from '../models/sequence-model.js';
import { AutoNCP } from '../wiring/index.js';
import type { ResolvedPolicyOptions } from './options.js';

export function buildCell(o: ResolvedPolicyOptions, inputSize: number): SequenceModel {
  const wiringSeed = o.seed;
  let model: SequenceModel;
  let zeroed: string[];
  if (o.cell === 'ltc') {
    model = new LTC(inputSize, new AutoNCP(o.units, 1, { seed: wiringSeed }), { returnSequences: false, seed: o.seed, odeUnfolds: 3 });
    zeroed = ['rnn_cell.output_w', 'rnn_cell.output_b'];
  } else {
    model = new CfC(inputSize, new AutoNCP(o.units, 2, { seed: wiringSeed }), { returnSequences: false, seed: o.seed, projSize: 1 });
    zeroed = ['fc.weight', 'fc.bias'];
  }
  const named = model.namedParameters();
  for (const name of zeroed) named[name].data.fill(0);
  model.markParametersChanged();
  return model;
}
