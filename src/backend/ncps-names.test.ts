/**
 * Checkpoint (ncps) names stay in TypeScript: the offsets an addon gets are keyed by the native names (cell.*,
 * backbone Linears numbered by layer), and no native source spells an ncps module name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AutoNCP, CfC, LTC } from '../index.js';
import { nativeParamOffsets } from './ncps-names.js';

describe('nativeParamOffsets', () => {
  it('renames rnn_cell.* to cell.* and numbers backbone Linears by layer, whatever the dropout', () => {
    for (const [dropout, indices] of [[0, [0, 2, 4]], [0.3, [0, 2, 5]]] as const) {
      const model = new CfC(3, 4, { backboneLayers: 3, backboneUnits: 5, backboneDropout: dropout, mixedMemory: true, projSize: 2 });
      const offsets = model.layout.offsets;
      const native = nativeParamOffsets(offsets, dropout);
      indices.forEach((index, layer) => {
        expect(native[`cell.backbone.${layer}.weight`]).toBe(offsets[`rnn_cell.backbone.${index}.weight`]);
        expect(native[`cell.backbone.${layer}.bias`]).toBe(offsets[`rnn_cell.backbone.${index}.bias`]);
      });
      expect(native['cell.ff1.weight']).toBe(offsets['rnn_cell.ff1.weight']);
      expect(native['lstm.input_map.weight']).toBe(offsets['lstm.input_map.weight']);
      expect(native['fc.weight']).toBe(offsets['fc.weight']);
      expect(Object.keys(native).some((k) => k.startsWith('rnn_cell.'))).toBe(false);
      expect(Object.keys(native)).toHaveLength(Object.keys(offsets).length);
      expect(model.nativeModelConfig().offsets).toEqual(native);
    }
  });

  it('covers LTC and wired CfC names', () => {
    const ltc = new LTC(3, new AutoNCP(8, 2, { seed: 1 })).nativeModelConfig().offsets;
    expect(Object.keys(ltc)).toContain('cell.sensory_sparsity_mask');
    const wired = new CfC(3, new AutoNCP(8, 2, { seed: 1 })).nativeModelConfig().offsets;
    expect(Object.keys(wired)).toContain('cell.layer_0.ff1.weight');
  });

  it('no native source spells an ncps checkpoint name (rnn_cell)', () => {
    const root = join(import.meta.dirname, '..', '..', 'native');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(h|cpp|mm)$/.test(f));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) expect(readFileSync(join(root, file), 'utf8'), file).not.toMatch(/rnn_cell/);
  });
});
