/** The crossover rules on injected timings: no hardware, no clock. */
import { describe, expect, it } from 'vitest';
import {
  crossoverCase,
  crossoverFromRungs,
  crossoverMachineKey,
  crossoverRung,
  describeMeasurement,
  describeRatio,
  median,
  mlxWinsCase,
  mlxWinsClearly,
  type CrossoverMeasurement,
  type CrossoverRung,
} from './crossover-ladder.js';

const UNITS = 64;

/** A rung whose four cases have MLX at `ratios` × the CPU's 10 ms (one ratio for all when a number). */
function rung(batch: number, steps: number, ratios: number | number[]): CrossoverRung {
  const list = typeof ratios === 'number' ? [ratios, ratios, ratios, ratios] : ratios;
  const kinds = [['cfc', 'forward'], ['cfc', 'forwardBackward'], ['ltc', 'forward'], ['ltc', 'forwardBackward']] as const;
  return crossoverRung(batch, steps, UNITS, list.map((r, i) => crossoverCase(kinds[i][0], kinds[i][1], [10, 10, 10], [10 * r, 10 * r, 10 * r])));
}

describe('the crossover ladder', () => {
  it('finds the smallest work from which MLX wins every case', () => {
    const rungs = [rung(1, 32, 30), rung(16, 32, 3), rung(64, 100, [0.8, 0.5, 1.2, 0.7]), rung(256, 100, 0.6), rung(1024, 100, 0.3)];
    expect(rungs.map((r) => r.mlxWins)).toEqual([false, false, false, true, true]);
    expect(crossoverFromRungs(rungs)).toBe(256 * 100 * UNITS);
    expect(mlxWinsClearly(rungs)).toBe(true);
  });

  it('says none when MLX never wins every case (MLX\'s CPU device)', () => {
    const rungs = [rung(1, 32, 1224), rung(16, 32, 80), rung(64, 100, 11.5)];
    expect(crossoverFromRungs(rungs)).toBeNull();
    expect(mlxWinsClearly(rungs)).toBe(false);
    expect(crossoverFromRungs([])).toBeNull();
  });

  it('does not count a lucky rung below a loss: the crossover must hold at every larger size tried', () => {
    const rungs = [rung(1, 32, 2), rung(16, 32, 0.5), rung(64, 100, 1.05), rung(256, 100, 0.4)];
    expect(crossoverFromRungs(rungs)).toBe(256 * 100 * UNITS);
    expect(crossoverFromRungs(rungs.slice(0, 3))).toBeNull();
  });

  it('treats equal-within-noise timings as no win (the CPU stays), with the margin deciding', () => {
    expect(mlxWinsCase(10, 10)).toBe(false);
    expect(mlxWinsCase(10, 9.5)).toBe(false);
    expect(mlxWinsCase(10, 9)).toBe(true);
    expect(mlxWinsCase(10, 9.5, 0)).toBe(true);
    expect(mlxWinsCase(10, 9.5, 0.05)).toBe(true);
    const noisy = [rung(16, 32, 0.97), rung(64, 100, 1.02), rung(256, 100, 0.95)];
    expect(noisy.every((r) => !r.mlxWins)).toBe(true);
    expect(crossoverFromRungs(noisy)).toBeNull();
  });

  it('takes medians, so one outlier call does not decide a case', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const c = crossoverCase('ltc', 'forward', [10, 10, 10, 11, 10], [5, 5, 500, 5, 6]);
    expect(c).toMatchObject({ cpuMs: 10, mlxMs: 5, ratio: 0.5, mlxWins: true });
  });

  it('stops climbing only after WINS_TO_STOP wins in a row', () => {
    expect(mlxWinsClearly([rung(1, 32, 0.5)])).toBe(false);
    expect(mlxWinsClearly([rung(1, 32, 0.5), rung(16, 32, 2), rung(64, 100, 0.5)])).toBe(false);
    expect(mlxWinsClearly([rung(16, 32, 2), rung(64, 100, 0.5), rung(256, 100, 0.5)])).toBe(true);
  });

  it('keys a measurement by machine, MLX version and device, and describes it in one sentence', () => {
    const id = { cpuModel: 'Apple M2', cores: 8, mlxVersion: '0.32.1', mlxDevice: 'gpu' as const, mlxDeviceName: 'Apple M2 GPU' };
    expect(crossoverMachineKey(id, 'darwin-arm64')).toBe('darwin-arm64|Apple M2|8 cores|MLX 0.32.1|gpu (Apple M2 GPU)');
    expect(crossoverMachineKey({ ...id, mlxDevice: 'cpu' }, 'darwin-arm64')).not.toBe(crossoverMachineKey(id, 'darwin-arm64'));
    const rungs = [rung(16, 32, 4), rung(64, 100, 0.8), rung(256, 100, 0.25)];
    const m: CrossoverMeasurement = {
      key: crossoverMachineKey(id, 'darwin-arm64'), ...id, cpuThreads: 8, measuredAt: '2026-12-03T10:00:00.000Z', durationMs: 9000,
      models: 'test', units: UNITS, repeats: 3, margin: 0.1, minWork: crossoverFromRungs(rungs), largestWorkTried: rungs[2].work,
      stoppedBecause: 'mlx-wins', rungs,
    };
    expect(describeMeasurement(m)).toBe(
      'MLX 0.32.1 on Metal (Apple M2 GPU), 2026-12-03: from 4.00× faster (CfC forward, B 256, L 100) to 4.00× slower (CfC forward, B 16, L 32) than the CPU kernels; crossover at batch × steps × units 409600',
    );
    const slower = { ...m, mlxDevice: 'cpu' as const, minWork: null, rungs: [rung(1, 32, [34.8, 77.4, 119, 136])] };
    expect(describeMeasurement(slower)).toBe(
      'MLX 0.32.1 on its CPU device (Apple M2, 8 threads for the CPU kernels), 2026-12-03: 34.8× (CfC forward, B 1, L 32) to 136× (LTC forwardBackward, B 1, L 32) slower than the CPU kernels; no crossover up to batch × steps × units 1638400',
    );
    expect(describeRatio(99.96)).toBe('100× slower');
    expect(describeRatio(9.999)).toBe('10.0× slower');
    expect(describeRatio(0.5)).toBe('2.00× faster');
    const faster = { ...m, rungs: [rung(256, 100, [0.5, 0.25, 0.4, 0.2])] };
    expect(describeMeasurement(faster)).toMatch(/: 2\.00× \(CfC forward, B 256, L 100\) to 5\.00× \(LTC forwardBackward, B 256, L 100\) faster than the CPU kernels; /);
  });
});
