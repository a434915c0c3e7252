/**
 * startProfile()/stop(): per-kernel summaries, async calls on worker threads, training slices from fit, the
 * Chrome trace and the Markdown / JSON reports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AutoNCP, LTC, fit } from '../../src/index.js';
import { ProfileBusyError, ProfileResult, startProfile, type Calibration, type Profile } from '../../src/monitor/index.js';

const CEILINGS: Calibration = {
  machineKey: 'test', cpuModel: 'test CPU', cores: 2, simdLevel: 'avx2+fma', threads: 2,
  memoryBandwidthBytesPerSecond: 10e9, fmaFlopsPerSecond: 100e9, fmaFlopsPerSecondOneThread: 50e9,
  method: { memoryBandwidth: 'test', fma: 'test' }, measuredAt: '2026-01-01T00:00:00.000Z', durationMs: 1, cached: true,
};

let running: Profile | undefined;
afterEach(() => {
  running?.stop();
  running = undefined;
});

function data(samples: number, steps: number, S: number, M: number) {
  return {
    inputs: { data: Float32Array.from({ length: samples * steps * S }, (_, i) => Math.sin(i * 0.1)), shape: [samples, steps, S] },
    targets: { data: Float32Array.from({ length: samples * steps * M }, (_, i) => Math.cos(i * 0.1)), shape: [samples, steps, M] },
  };
}

describe('startProfile', () => {
  it('summarises calls per kernel with ratios to the ceilings, and records async calls on worker threads', async () => {
    const model = new LTC(4, new AutoNCP(12, 3, { seed: 1 }), { seed: 1 });
    const input = { data: new Float32Array(8 * 10 * 4).fill(0.5), shape: [8, 10, 4] };
    running = startProfile({ model, ceilings: CEILINGS, sampleIntervalMs: 5 });
    expect(running.isRunning).toBe(true);
    for (let i = 0; i < 3; i++) model.forward(input);
    await model.forwardAsync(input);
    model.step({ data: new Float32Array(4), shape: [4] });
    const result = running.stop();
    expect(running.isRunning).toBe(false);
    expect(running.stop()).toBe(result); // idempotent
    running = undefined;

    expect(result).toBeInstanceOf(ProfileResult);
    const byName = Object.fromEntries(result.kernels.map((k) => [k.kernel, k]));
    expect(byName['ltc.forward'].calls).toBe(4);
    expect(byName['ltc.step'].calls).toBe(1);
    const forward = byName['ltc.forward'];
    expect(forward.sampleSteps).toBe(4 * 8 * 10);
    expect(forward.gflopsPerSecond).toBeCloseTo(forward.flops / (forward.totalMs / 1000) / 1e9, 6);
    expect(forward.arithmeticIntensity).toBeCloseTo(forward.flops / (forward.bytesRead + forward.bytesWritten), 12);
    expect(forward.fractionOfPeakFlops).toBeCloseTo(forward.gflopsPerSecond / 100, 12);
    expect(forward.fractionOfPeakBandwidth).toBeCloseTo(forward.gbPerSecond / 10, 12);
    expect(forward.roofline!.attainableGflopsPerSecond).toBeCloseTo(Math.min(100, 10 * forward.arithmeticIntensity), 12);

    const sync = result.calls.filter((c) => c.thread === result.mainThread);
    const async = result.calls.filter((c) => c.thread !== result.mainThread);
    expect(sync).toHaveLength(4);
    expect(async).toHaveLength(1);
    for (const c of result.calls) {
      expect(c.startMs).toBeGreaterThanOrEqual(-1);
      expect(c.startMs + c.durationMs).toBeLessThanOrEqual(result.durationMs + 1);
    }
    expect(result.memory.length).toBeGreaterThanOrEqual(2);
  });

  it('runs one profile at a time', () => {
    running = startProfile();
    expect(() => startProfile()).toThrow(ProfileBusyError);
    try {
      startProfile();
    } catch (error) {
      expect((error as ProfileBusyError).code).toBe('NCP_PROFILE_BUSY');
      expect((error as Error).message).toMatch(/startProfile: a profile is already running/);
    }
    expect(() => startProfile({ sampleIntervalMs: 0 } as never)).toThrow(RangeError);
  });

  it('records training batches and epochs, and writes a trace Perfetto can open', async () => {
    const model = new LTC(3, new AutoNCP(10, 2, { seed: 3 }), { seed: 1 });
    running = startProfile({ model });
    await fit(model, data(12, 6, 3, 2), { epochs: 2, batchSize: 4, verbose: 0 });
    const result = running.stop();
    running = undefined;
    const batches = result.training.filter((t) => t.kind === 'batch');
    const epochs = result.training.filter((t) => t.kind === 'epoch');
    expect(batches).toHaveLength(6);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const b of batches) {
      const epoch = epochs[b.epoch - 1];
      expect(b.startMs).toBeGreaterThanOrEqual(epoch.startMs);
      expect(b.endMs).toBeLessThanOrEqual(epoch.endMs);
    }
    // One fused forward + loss + backward per batch: no separate forward for the loss.
    expect(result.kernels.map((k) => k.kernel).sort()).toEqual(['ltc.forwardBackward']);

    const trace = JSON.parse(JSON.stringify(result.trace()));
    expect(trace.displayTimeUnit).toBe('ms');
    const events = trace.traceEvents as { name: string; ph: string; ts: number; dur?: number; tid: number; cat?: string; args?: Record<string, number> }[];
    const slices = events.filter((e) => e.ph === 'X');
    expect(slices.filter((e) => e.cat === 'kernel')).toHaveLength(result.calls.length);
    expect(slices.filter((e) => e.cat === 'batch')).toHaveLength(6);
    expect(slices.filter((e) => e.cat === 'epoch')).toHaveLength(2);
    for (const s of slices) {
      expect(Number.isFinite(s.ts)).toBe(true);
      expect(s.dur).toBeGreaterThanOrEqual(0);
    }
    const kernel = slices.find((e) => e.cat === 'kernel')!;
    expect(kernel.args).toMatchObject({ flops: expect.any(Number), bytesRead: expect.any(Number), batch: 4, steps: 6 });
    expect(events.some((e) => e.ph === 'C' && e.name === 'memory MiB' && e.args!.rss > 0)).toBe(true);
    expect(events.some((e) => e.ph === 'M' && e.name === 'thread_name')).toBe(true);
    const sorted = events.filter((e) => e.ph !== 'M').map((e) => e.ts);
    expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
  });

  it('reports as Markdown and JSON, and refuses unknown formats', async () => {
    const model = new LTC(3, 6, { seed: 1 });
    running = startProfile({ model, ceilings: CEILINGS });
    model.forward({ data: new Float32Array(2 * 3 * 3), shape: [2, 3, 3] });
    const result = running.stop();
    running = undefined;
    const md = await result.report({ format: 'md' });
    expect(md).toMatch(/^## ncp-silicon profile/);
    expect(md).toMatch(/\| ltc\.forward \| 1 \|/);
    expect(md).toMatch(/float32 FMA peak 100 GFLOP\/s/);
    const json = JSON.parse(await result.report({ format: 'json' }));
    expect(json.kernels[0].kernel).toBe('ltc.forward');
    expect(json.model).toMatch(/^LTC\(3 inputs/);
    expect(json.calls).toHaveLength(1);
    await expect(result.report({ format: 'pdf' } as never)).rejects.toThrow(/ProfileResult\.report: expected one of 'html' \| 'md' \| 'json' for options\.format, received string "pdf"/);
    await expect(result.report(undefined as never)).rejects.toThrow(TypeError);
  });
});
