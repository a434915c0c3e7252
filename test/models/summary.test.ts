/** model.summary(), toString() and the summary's HTML, for every model kind. */
import { describe, expect, it } from 'vitest';
import { LTC } from '../../src/models/ltc.js';
import { CfC } from '../../src/models/cfc.js';
import { AutoNCP } from '../../src/wiring/index.js';
import { MODEL_KINDS } from '../tfjs/model-kinds.js';

describe('summary()', () => {
  for (const [kind, make] of Object.entries(MODEL_KINDS)) {
    it(`${kind}: one row per parameter tensor with shape, count, bytes and trainability; totals add up`, () => {
      const model = make();
      const summary = model.summary();
      expect(summary.kind).toBe(model instanceof LTC ? 'LTC' : 'CfC');
      expect(summary.parameters.map((p) => p.name)).toEqual(model.layout.entries.map((e) => e.name));
      for (const [i, p] of summary.parameters.entries()) {
        const e = model.layout.entries[i];
        expect(p.shape).toEqual(e.shape);
        expect(p.count).toBe(e.shape.reduce((a, b) => a * b, 1));
        expect(p.bytes).toBe(p.count * 4);
        expect(p.trainable).toBe(e.trainable);
      }
      const trainable = summary.parameters.filter((p) => p.trainable).reduce((a, p) => a + p.count, 0);
      expect(summary.totals).toEqual({ trainable, nonTrainable: model.parameters.length - trainable, bytes: model.parameters.byteLength });
      expect([summary.inputSize, summary.stateSize, summary.outputSize]).toEqual([model.inputSize, model.stateSize, model.outputSize]);
      expect(summary.options.mixedMemory).toBe(model.hasMixedMemory);

      const text = model.toString();
      expect(text).toBe(summary.toString());
      for (const p of summary.parameters) expect(text).toMatch(new RegExp(`^${p.name.replace(/\./g, '\\.')}\\s+\\[${p.shape.join(', ')}\\]\\s+${p.count.toLocaleString('en-US')}\\s`, 'm'));
      expect(text).toContain(`(${trainable.toLocaleString('en-US')} trainable, ${(model.parameters.length - trainable).toLocaleString('en-US')} non-trainable)`);
      const html = summary.toHTML();
      expect(html.match(/<tr>/g)!.length).toBe(summary.parameters.length + 1);
      expect(html).not.toMatch(/<(?!\/?(div|table|tr|th|td)\b)/);
    });
  }

  it('counts a wiring by neuron type and synapses by polarity', () => {
    const wiring = new AutoNCP(16, 3, { seed: 5 });
    const model = new LTC(4, wiring);
    const w = model.summary().wiring!;
    expect(w.kind).toBe('AutoNCP');
    expect(w.neurons).toEqual({ sensory: 4, inter: wiring.interNeuronIds.length, command: wiring.commandNeuronIds.length, motor: 3 });
    expect(w.neurons.inter + w.neurons.command + w.neurons.motor).toBe(16);
    expect(w.layers).toEqual(wiring.layers.map((l) => l.length));
    expect(w.synapses.excitatory + w.synapses.inhibitory).toBe(wiring.synapseCount);
    expect(w.sensorySynapses.excitatory + w.sensorySynapses.inhibitory).toBe(wiring.sensorySynapseCount);
    expect(w.synapses.inhibitory).toBeGreaterThan(0);
    expect(model.toString()).toContain(`Wiring: AutoNCP, 16 neurons: 4 sensory (inputs), ${w.neurons.inter} inter, ${w.neurons.command} command, 3 motor`);
  });

  it('describes the cell and its options, and float64 bytes', () => {
    const cfc = new CfC(2, 8, { mode: 'pure', activation: 'gelu', backboneUnits: 16, backboneLayers: 2, projSize: 3, dtype: 'float64', backend: 'reference' });
    const s = cfc.summary();
    expect(s.cell).toBe('closed-form continuous-time cell (pure mode), 2×16 gelu backbone, projection to 3');
    expect(s.options).toMatchObject({ mode: 'pure', activation: 'gelu', backboneUnits: 16, backboneLayers: 2, projSize: 3 });
    expect(s.dtype).toBe('float64');
    expect(s.backend).toBe('reference');
    expect(s.totals.bytes).toBe(cfc.parameters.length * 8);
    expect(s.wiring).toBeUndefined();
    const ltc = new LTC(2, 4, { odeUnfolds: 3, implicitParamConstraints: false });
    expect(ltc.summary().cell).toBe('liquid time-constant cell, 3 ODE unfolds per step, no softplus (clipped at 0 in training)');
    expect(ltc.summary().wiring?.kind).toBe('FullyConnected');
  });
});
