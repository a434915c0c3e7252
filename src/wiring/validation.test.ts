/** Bad arguments: class, code and a message that names the argument, the expected range and the value. */
import { describe, expect, it } from 'vitest';
import { AutoNCP, FullyConnected, NCP, Random } from './index.js';

const NCP_OPTIONS = {
  interNeurons: 5,
  commandNeurons: 4,
  motorNeurons: 2,
  sensoryFanout: 3,
  interFanout: 2,
  recurrentCommandSynapses: 3,
  motorFanin: 2,
};

type Case = [string, () => unknown, typeof TypeError | typeof RangeError, RegExp];

const cases: Case[] = [
  // FullyConnected
  ['FC units not a number', () => new FullyConnected('8' as unknown as number), TypeError, /^FullyConnected: expected a positive integer for units, received string "8"\.$/],
  ['FC units fractional', () => new FullyConnected(2.5), RangeError, /^FullyConnected: expected a positive integer for units, received number 2\.5\.$/],
  ['FC units negative', () => new FullyConnected(-3), RangeError, /for units, received number -3\.$/],
  ['FC outputDim > units', () => new FullyConnected(4, { outputDim: 5 }), RangeError, /^FullyConnected: expected an integer from 1 to 4 for options\.outputDim, received number 5\.$/],
  ['FC negative seed', () => new FullyConnected(4, { erevInitSeed: -1 }), RangeError, /expected an integer from 0 to 9007199254740991 for options\.erevInitSeed, received number -1/],
  ['FC selfConnections', () => new FullyConnected(4, { selfConnections: 1 as unknown as boolean }), TypeError, /expected a boolean for options\.selfConnections, received number 1/],
  ['FC unknown option', () => new FullyConnected(4, { outputdim: 2 } as never), TypeError, /^FullyConnected: expected no such option \(known: outputDim, erevInitSeed, selfConnections\) for options\.outputdim, received number 2\.$/],
  ['FC options not an object', () => new FullyConnected(4, 2 as never), TypeError, /expected a plain object for options, received number 2/],
  // Random
  ['Random sparsity 1', () => new Random(4, { sparsityLevel: 1 }), RangeError, /^Random: expected a number in \[0, 1\) for options\.sparsityLevel, received number 1\.$/],
  ['Random sparsity < 0', () => new Random(4, { sparsityLevel: -0.1 }), RangeError, /\[0, 1\) for options\.sparsityLevel, received number -0\.1/],
  ['Random sparsity NaN', () => new Random(4, { sparsityLevel: NaN }), RangeError, /received number NaN/],
  ['Random sparsity string', () => new Random(4, { sparsityLevel: '0.5' as unknown as number }), TypeError, /options\.sparsityLevel, received string "0\.5"/],
  ['Random seed', () => new Random(4, { randomSeed: 0.5 }), RangeError, /for options\.randomSeed, received number 0\.5/],
  ['Random units 0', () => new Random(0), RangeError, /^Random: expected a positive integer for units, received number 0\.$/],
  // NCP
  ['NCP without options', () => new NCP(undefined as never), TypeError, /^NCP: expected a plain object for options, received undefined\.$/],
  ['NCP missing size', () => new NCP({ ...NCP_OPTIONS, interNeurons: undefined } as never), TypeError, /^NCP: expected a positive integer for options\.interNeurons, received undefined\.$/],
  ['NCP zero command', () => new NCP({ ...NCP_OPTIONS, commandNeurons: 0 }), RangeError, /positive integer for options\.commandNeurons, received number 0/],
  ['NCP motorFanin > command', () => new NCP({ ...NCP_OPTIONS, motorFanin: 5 }), RangeError, /^NCP: expected an integer from 0 to 4 \(at most commandNeurons\) for options\.motorFanin, received number 5\.$/],
  ['NCP sensoryFanout > inter', () => new NCP({ ...NCP_OPTIONS, sensoryFanout: 6 }), RangeError, /^NCP: expected an integer from 0 to 5 \(at most interNeurons\) for options\.sensoryFanout, received number 6\.$/],
  ['NCP interFanout > command', () => new NCP({ ...NCP_OPTIONS, interFanout: 5 }), RangeError, /^NCP: expected an integer from 0 to 4 \(at most commandNeurons\) for options\.interFanout, received number 5\.$/],
  ['NCP negative recurrent', () => new NCP({ ...NCP_OPTIONS, recurrentCommandSynapses: -1 }), RangeError, /non-negative integer for options\.recurrentCommandSynapses, received number -1/],
  ['NCP seed ≥ 2^32', () => new NCP({ ...NCP_OPTIONS, seed: 2 ** 32 }), RangeError, /expected an integer from 0 to 4294967295 for options\.seed, received number 4294967296/],
  ['NCP unknown option', () => new NCP({ ...NCP_OPTIONS, inter_neurons: 5 } as never), TypeError, /for options\.inter_neurons/],
  // AutoNCP
  ['AutoNCP units too small', () => new AutoNCP(3, 1), RangeError, /^AutoNCP: expected an integer ≥ 4 for units, received number 3\.$/],
  ['AutoNCP outputSize 0', () => new AutoNCP(10, 0), RangeError, /^AutoNCP: expected an integer from 1 to 7 \(less than units − 2 = 8\) for outputSize, received number 0\.$/],
  ['AutoNCP outputSize = units − 2', () => new AutoNCP(10, 8), RangeError, /from 1 to 7 \(less than units − 2 = 8\) for outputSize, received number 8/],
  ['AutoNCP outputSize string', () => new AutoNCP(10, '2' as unknown as number), TypeError, /for outputSize, received string "2"/],
  ['AutoNCP sparsity 0.05', () => new AutoNCP(16, 4, { sparsityLevel: 0.05 }), RangeError, /^AutoNCP: expected a number in \[0\.1, 1\.0\] for options\.sparsityLevel, received number 0\.05\.$/],
  ['AutoNCP sparsity > 1', () => new AutoNCP(16, 4, { sparsityLevel: 1.01 }), RangeError, /\[0\.1, 1\.0\] for options\.sparsityLevel, received number 1\.01/],
  ['AutoNCP sparsity null', () => new AutoNCP(16, 4, { sparsityLevel: null as unknown as number }), TypeError, /options\.sparsityLevel, received null/],
  ['AutoNCP unknown option', () => new AutoNCP(16, 4, { seeds: 1 } as never), TypeError, /\(known: sparsityLevel, seed\) for options\.seeds/],
  // toSVG options
  ['toSVG unknown option', () => new FullyConnected(2).build(1).toSVG({ colour: 'red' } as never), TypeError, /^FullyConnected\.toSVG: expected no such option \(known: labels, width, height, title\) for options\.colour/],
  ['toSVG width', () => new FullyConnected(2).build(1).toSVG({ width: 0 }), RangeError, /^FullyConnected\.toSVG: expected a finite number > 0 for options\.width, received number 0\.$/],
  ['toSVG labels', () => new FullyConnected(2).build(1).toSVG({ labels: 'yes' as unknown as boolean }), TypeError, /expected a boolean for options\.labels/],
  ['toSVG title', () => new FullyConnected(2).build(1).toSVG({ title: 3 as unknown as string }), TypeError, /expected a string for options\.title, received number 3/],
  // PolarityMatrix
  ['matrix get out of range', () => new FullyConnected(2).adjacencyMatrix.get(0, 2), RangeError, /^PolarityMatrix\.get: expected an integer from 0 to 1 for destination, received number 2\.$/],
];

describe('argument validation', () => {
  it.each(cases)('%s', (_name, make, ErrorClass, message) => {
    let thrown: unknown;
    try {
      make();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ErrorClass);
    // RangeError and TypeError are unrelated classes, so this also proves it is not the other one.
    expect((thrown as Error).message).toMatch(message);
    expect(thrown).toHaveProperty('code', ErrorClass === TypeError ? 'NCP_INVALID_TYPE' : 'NCP_INVALID_RANGE');
  });

  it('valid edge cases are accepted', () => {
    expect(new AutoNCP(4, 1).units).toBe(4);
    expect(new AutoNCP(16, 4, { sparsityLevel: 1.0 }).ncpParams.sensoryFanout).toBe(1);
    expect(new AutoNCP(16, 4, { sparsityLevel: 0.1 }).units).toBe(16);
    expect(new Random(3, { sparsityLevel: 0.999 }).build(1).synapseCount).toBe(0);
    expect(new NCP({ ...NCP_OPTIONS, sensoryFanout: 0, motorFanin: 0, recurrentCommandSynapses: 0 }).build(2).isBuilt).toBe(true);
    expect(new FullyConnected(1).build(1).synapseCount).toBe(1);
  });
});
