/**
 * The ncps state-dict names and shapes of every model (SPEC.md §5): the only place checkpoint keys are
 * spelled. Order follows ncps's `named_parameters()`; trainable flags follow ncps (masks are not trainable).
 */
import type { ParamSpec } from './param-layout.js';

export type Mapping = 'affine' | 'linear' | 'none';

export function ltcParamSpecs(S: number, N: number, M: number, inputMapping: Mapping, outputMapping: Mapping): ParamSpec[] {
  const p = (name: string, shape: number[], trainable = true): ParamSpec => ({ name: `rnn_cell.${name}`, shape, trainable });
  const specs = [
    p('gleak', [N]),
    p('vleak', [N]),
    p('cm', [N]),
    p('sigma', [N, N]),
    p('mu', [N, N]),
    p('w', [N, N]),
    p('erev', [N, N]),
    p('sensory_sigma', [S, N]),
    p('sensory_mu', [S, N]),
    p('sensory_w', [S, N]),
    p('sensory_erev', [S, N]),
    p('sparsity_mask', [N, N], false),
    p('sensory_sparsity_mask', [S, N], false),
  ];
  if (inputMapping !== 'none') specs.push(p('input_w', [S]));
  if (inputMapping === 'affine') specs.push(p('input_b', [S]));
  if (outputMapping !== 'none') specs.push(p('output_w', [M]));
  if (outputMapping === 'affine') specs.push(p('output_b', [M]));
  return specs;
}

/** A CfC head (ff1, ff2, time_a, time_b, or w_tau / A / ff1 in pure mode) reading `features` inputs. */
function cfcHeadSpecs(prefix: string, pure: boolean, features: number, N: number): ParamSpec[] {
  const p = (name: string, shape: number[]): ParamSpec => ({ name: `${prefix}.${name}`, shape, trainable: true });
  if (pure) return [p('w_tau', [1, N]), p('A', [1, N]), p('ff1.weight', [N, features]), p('ff1.bias', [N])];
  return ['ff1', 'ff2', 'time_a', 'time_b'].flatMap((head) => [p(`${head}.weight`, [N, features]), p(`${head}.bias`, [N])]);
}

/**
 * The native addons' parameter offsets: the same buffer positions under the names C++ knows — ncps's `rnn_cell.`
 * module prefix becomes `cell.`, and backbone Linears are numbered by layer (ncps numbers them by their position
 * in its nn.Sequential, which depends on the dropout). Checkpoint names never cross into C++.
 */
export function nativeParamOffsets(offsets: Record<string, number>, backboneDropout: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, offset] of Object.entries(offsets)) {
    const backbone = /^rnn_cell\.backbone\.(\d+)\.(.+)$/.exec(name);
    if (backbone) {
      const index = Number(backbone[1]);
      const layer = index === 0 ? 0 : (index - 2) / (backboneDropout > 0 ? 3 : 2) + 1;
      out[`cell.backbone.${layer}.${backbone[2]}`] = offset;
    } else {
      out[name.startsWith('rnn_cell.') ? `cell.${name.slice('rnn_cell.'.length)}` : name] = offset;
    }
  }
  return out;
}

/** Index of backbone layer l's Linear in ncps's nn.Sequential: [Linear, act], then [Linear, act, (Dropout)]. */
export function backboneLinearIndex(layer: number, dropout: number): number {
  return layer === 0 ? 0 : 2 + (layer - 1) * (dropout > 0 ? 3 : 2);
}

export function cfcParamSpecs(
  S: number,
  N: number,
  pure: boolean,
  backboneUnits: number,
  backboneLayers: number,
  backboneDropout: number,
): ParamSpec[] {
  const specs: ParamSpec[] = [];
  // ncps registers w_tau and A before the backbone in pure mode (see the cfc_fc8_pure fixture).
  const head = cfcHeadSpecs('rnn_cell', pure, backboneLayers > 0 ? backboneUnits : S + N, N);
  if (pure) specs.push(head[0], head[1]);
  for (let l = 0; l < backboneLayers; l++) {
    const index = backboneLinearIndex(l, backboneDropout);
    const fanIn = l === 0 ? S + N : backboneUnits;
    specs.push(
      { name: `rnn_cell.backbone.${index}.weight`, shape: [backboneUnits, fanIn], trainable: true },
      { name: `rnn_cell.backbone.${index}.bias`, shape: [backboneUnits], trainable: true },
    );
  }
  specs.push(...(pure ? head.slice(2) : head));
  return specs;
}

/** Wired CfC: one head per wiring layer; layer l reads S (l = 0) or the previous layer's size. */
export function wiredCfcParamSpecs(S: number, layerSizes: number[], pure: boolean): ParamSpec[] {
  return layerSizes.flatMap((n, l) => {
    const inputs = l === 0 ? S : layerSizes[l - 1];
    return [
      { name: `rnn_cell.layer_${l}.sparsity_mask`, shape: [n, inputs + n], trainable: false },
      ...cfcHeadSpecs(`rnn_cell.layer_${l}`, pure, inputs + n, n),
    ];
  });
}

export function lstmParamSpecs(S: number, N: number): ParamSpec[] {
  return [
    { name: 'lstm.input_map.weight', shape: [4 * N, S], trainable: true },
    { name: 'lstm.input_map.bias', shape: [4 * N], trainable: true },
    { name: 'lstm.recurrent_map.weight', shape: [4 * N, N], trainable: true },
  ];
}

export function projectionParamSpecs(outputs: number, projSize: number): ParamSpec[] {
  return [
    { name: 'fc.weight', shape: [projSize, outputs], trainable: true },
    { name: 'fc.bias', shape: [projSize], trainable: true },
  ];
}
