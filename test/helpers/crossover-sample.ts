/** A well-formed crossover measurement for cache and selection tests (made-up machine, made-up figures). */
import { crossoverCase, crossoverMachineKey, crossoverRung, type CrossoverMeasurement } from '../../src/backend/crossover-ladder.js';

/** MLX 3× slower at B 16 × L 32 and 2.5× faster at B 256 × L 100: a crossover at 256 · 100 · 64. */
export function sampleMeasurement(overrides: Partial<CrossoverMeasurement> = {}): CrossoverMeasurement {
  const id = { cpuModel: 'Test CPU', cores: 4, mlxVersion: '0.32.1', mlxDevice: 'gpu' as const, mlxDeviceName: 'Test GPU' };
  const rungs = [
    crossoverRung(16, 32, 64, [crossoverCase('cfc', 'forward', [1, 1, 1], [3, 3, 3])]),
    crossoverRung(256, 100, 64, [crossoverCase('cfc', 'forward', [10, 10, 10], [4, 4, 4])]),
  ];
  return {
    key: crossoverMachineKey(id), ...id, cpuThreads: 4, measuredAt: '2026-12-03T10:00:00.000Z', durationMs: 1234, models: 'test models',
    units: 64, repeats: 3, margin: 0.1, minWork: 256 * 100 * 64, largestWorkTried: 256 * 100 * 64, stoppedBecause: 'ladder-end', rungs, ...overrides,
  };
}
