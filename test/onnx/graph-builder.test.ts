/** The graph builder's float16 rounding (weights of float16 exports) and its ModelProto envelope. */
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, float16Bits, GraphBuilder, irVersionFor } from '../../src/onnx/graph-builder.js';

describe('float16Bits', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.1, 0x2e66], // 0.0999755859375
    [1 / 3, 0x3555],
    [65504, 0x7bff], // largest finite
    [65520, 0x7c00], // rounds up to infinity
    [Infinity, 0x7c00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // a tie: rounds to even (zero)
    [3 * 2 ** -25, 0x0002], // a tie between 1 and 2 subnormal units: rounds to even (2)
    [1 + 2 ** -11, 0x3c00], // a tie between 1 and 1 + 2^-10: rounds to even (1)
    [1 + 3 * 2 ** -11, 0x3c02], // a tie: rounds to even (1 + 2^-9)
  ])('%s → %s', (value, bits) => {
    expect(float16Bits(value)).toBe(bits);
  });

  it('NaN stays NaN', () => {
    const bits = float16Bits(NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x3ff).not.toBe(0);
  });
});

describe('GraphBuilder', () => {
  it('shares small constants and writes float16 initializers as 2-byte raw data', () => {
    const g = new GraphBuilder('float16');
    const x = g.input('x', 'float32', [2]);
    const y = g.mul(g.cast(x, 'float16'), g.scalar(0.5));
    g.output('y', g.cast(g.add(y, g.scalar(0.5)), 'float32'), 'float32', [2]);
    g.floats('w', [1, 2, 3], [3]);
    expect(g.initializers.filter((t) => t.dataType === 10)).toHaveLength(2); // one shared 0.5, and w
    const proto = decodeModel(encodeModel(g.toModel({ opset: 18, graphName: 'g', docString: 'd', metadata: { k: 'v' } })));
    const w = proto.graph!.initializer!.find((t) => t.name!.startsWith('w_'))!;
    expect(Array.from(w.rawData!)).toEqual([0x00, 0x3c, 0x00, 0x40, 0x00, 0x42]);
    expect(Number(proto.irVersion)).toBe(irVersionFor(18));
    expect(proto.metadataProps!.map((p) => [p.key, p.value])).toEqual([['k', 'v']]);
  });

  it('refuses non-integer attributes (every attribute we emit is an integer)', () => {
    expect(() => new GraphBuilder('float32').op('Concat', ['a', 'b'], { axis: 0.5 })).toThrow(/attribute axis of Concat must be integers/);
  });
});
