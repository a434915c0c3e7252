/** Native beside ONNX (#15): OnnxPolicy calls made while profiling are reported beside the native kernels. */
import { describe, expect, it } from 'vitest';
import { AutoNCP, LTC } from '../../src/index.js';
import { startProfile } from '../../src/monitor/index.js';
import { isOnnxCallObserved } from '../../src/onnx/onnx-events.js';
import { exportOnnx, OnnxPolicy } from '../../src/onnx/index.js';

describe('a profile with native and ONNX calls', () => {
  it('reports their latencies side by side, and the ONNX steps in the step histogram', { timeout: 300_000 }, async () => {
    const model = new LTC(4, new AutoNCP(12, 2, { seed: 3 }), { seed: 1 });
    const stepPolicy = await OnnxPolicy.create(exportOnnx(model, { mode: 'step', batch: 1, target: 'coreml' }), { executionProviders: 'cpu' });
    const runPolicy = await OnnxPolicy.create(exportOnnx(model, { mode: 'sequence', sequenceLength: 8, batch: 2, target: 'coreml' }), { executionProviders: 'cpu' });
    const x = { data: Float32Array.from([0.1, -0.2, 0.3, 0.4]), shape: [1, 4] };
    const input = { data: Float32Array.from({ length: 2 * 8 * 4 }, (_, i) => Math.sin(i)), shape: [2, 8, 4] };
    await stepPolicy.step(x); // outside the profile: not recorded
    expect(isOnnxCallObserved()).toBe(false);

    const profile = startProfile({ model, sampleIntervalMs: 60_000 });
    expect(isOnnxCallObserved()).toBe(true);
    let state = model.step(x).state;
    let onnxState = (await stepPolicy.step(x)).state;
    for (let i = 0; i < 30; i++) {
      state = model.step(x, state).state;
      onnxState = (await stepPolicy.step(x, onnxState)).state;
    }
    for (let i = 0; i < 3; i++) {
      model.forward(input);
      await runPolicy.run(input);
    }
    const result = profile.stop();
    expect(isOnnxCallObserved()).toBe(false);
    await Promise.all([stepPolicy.dispose(), runPolicy.dispose()]);

    expect(result.onnxCalls.map((c) => `${c.kind} ${c.batch}×${c.steps}`)).toEqual([...Array(31).fill('step 1×1'), ...Array(3).fill('run 2×8')]);
    for (const c of result.onnxCalls) {
      expect(c.provider).toBe('cpu');
      expect(c.durationMs).toBeGreaterThan(0);
      expect(c.startMs).toBeGreaterThanOrEqual(0);
    }
    const md = await result.report({ format: 'md' });
    expect(md).toContain('### Latency per call: native beside ONNX');
    expect(md).toMatch(/^\| ltc\.step \| 31 \| /m);
    expect(md).toMatch(/^\| onnx step \(cpu\) \| 31 \| /m);
    expect(md).toMatch(/^\| onnx run \(cpu\) \| 3 \| /m);
    expect(md).toContain('#### onnx step (cpu): single-step latency histogram');
    const html = await result.report({ format: 'html' });
    expect(html).toContain('<h2>Latency per call: native beside ONNX</h2>');
    const figure = /<figure data-chart="step-latency" data-points="(\d+)">([\s\S]*?)<\/figure>/.exec(html);
    expect(figure?.[1]).toBe('62');
    expect(figure![2]).toContain('onnx step (cpu)');
    const json = JSON.parse(await result.report({ format: 'json' })) as { onnxCalls: unknown[] };
    expect(json.onnxCalls).toHaveLength(34);
  });
});
