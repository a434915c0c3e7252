/** setNumThreads changes how a batch is split, never the numbers a forward pass gives. */
import { afterAll, describe, expect, it } from 'vitest';
import { AutoNCP, LTC, getNumThreads, setNumThreads } from '../../src/index.js';

describe('thread count', () => {
  const initial = getNumThreads();
  afterAll(() => setNumThreads(initial));

  it('gives identical forward outputs and gradients within rounding for 1, 2 and 3 threads', () => {
    const model = new LTC(4, new AutoNCP(12, 3, { seed: 1 }), { dtype: 'float64', seed: 1 });
    const input = { data: Float64Array.from({ length: 9 * 6 * 4 }, (_, i) => Math.sin(i * 0.37)), shape: [9, 6, 4] };
    const runs = [1, 2, 3].map((n) => {
      setNumThreads(n);
      expect(getNumThreads()).toBe(n);
      const { output } = model.forward(input);
      return { output, grads: model.forwardBackward(input, output).grads.flat };
    });
    for (const run of runs.slice(1)) {
      expect(Array.from(run.output.data)).toEqual(Array.from(runs[0].output.data));
      for (let i = 0; i < run.grads.length; i++) expect(run.grads[i]).toBeCloseTo(runs[0].grads[i], 12);
    }
  });

  it('refuses a bad thread count', () => {
    expect(() => setNumThreads(0)).toThrow(/setNumThreads: expected an integer from 1 to 1024 for numThreads, received number 0/);
    expect(() => setNumThreads(1.5)).toThrow(RangeError);
  });
});
