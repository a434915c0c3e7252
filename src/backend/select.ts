/**
 * Choosing a backend: the registry of backends (one line per backend) and the 'auto' rule. 'auto' takes MLX only
 * where MLX runs on a Metal GPU, for float32, and only for calls whose work (batch × steps × units) reaches the
 * crossover (measured on this machine when cached, see crossover()); everything else, single steps always included,
 * runs on the CPU. On MLX's CPU device (Linux, or a Mac without Metal) MLX never wins (docs/mlx.md,
 * bench/results/mlx.md), so there 'auto' is the CPU backend.
 */
import { CrossoverCacheError, cachedCrossoverFor } from './crossover-cache.js';
import { expectOneOf } from '../validate.js';
import { AutoBackend } from './auto.js';
import type { ModelSpec } from './cell-spec.js';
import { crossoverIdentity, describeMeasurement, type CrossoverMeasurement } from './crossover-ladder.js';
import { CpuBackend } from './cpu.js';
import { isReferenceOnly } from './load.js';
import { MlxBackend } from './mlx.js';
import { mlxStatus } from './mlx-load.js';
import { ReferenceBackend } from './reference.js';
import type { BackendChoice, BackendName, SequenceBackend } from './sequence-backend.js';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'cpu', 'mlx', 'reference'];

const REGISTRY: Record<BackendName, new (spec: ModelSpec) => SequenceBackend> = {
  cpu: CpuBackend,
  mlx: MlxBackend,
  reference: ReferenceBackend,
};

/**
 * The smallest batch × steps × units 'auto' sends to MLX on a Metal GPU when this machine has no measured crossover
 * (`ncp-silicon bench --crossover`, cached per machine and MLX device) and NCP_SILICON_MLX_CROSSOVER is unset. An
 * estimate, not a measurement: where MLX's per-call cost (graph building and ~15 µs per evaluation over steps × ODE
 * unfolds kernels) falls below the CPU kernels' ~50 ns per unit-step on 2 threads.
 */
export const MLX_METAL_CROSSOVER = 1 << 24;

/** Figures from a machine without a measurement of its own (docs/mlx.md, bench/results/mlx.md). */
const REFERENCE_FIGURES =
  'MLX 0.32.1 on its CPU device (AMD EPYC, 2 threads, 2026-12-03) was 11.5× (wired CfC AutoNCP(64, 8), forwardBackward, B 64, L 100) to 1224× (wired CfC, forward, B 1, L 100) slower than the CPU kernels';

export interface Crossover {
  /** The rule, in words. */
  rule: string;
  /** batch × steps × units from which 'auto' uses MLX, where it may. */
  minWork: number;
  /** Where minWork comes from: NCP_SILICON_MLX_CROSSOVER, this machine's cached measurement, or the estimate. */
  source: 'override' | 'measured' | 'estimate';
  /** Whether 'auto' can take MLX in this process at all (a Metal GPU through the MLX addon, and a crossover). */
  mlxEligible: boolean;
  /** Why not, when it cannot. */
  reason?: string;
  /** What was measured on this machine's MLX device, in words, or that nothing was (with reference figures). */
  measured: string;
  /** This machine's cached measurement for its MLX version and device: the ratios at every size tried. */
  measurement?: CrossoverMeasurement;
  /** Why the cache was not used (a corrupt crossover.json), when it was not. */
  cacheProblem?: string;
}

/** The 'auto' rule as it applies in this process (backendInfo().crossover): env override > measured > estimate. */
export function crossover(): Crossover {
  const status = mlxStatus();
  const info = status.available ? status.addon.buildInfo() : undefined;
  const gpu = info?.device === 'gpu';
  let measurement: CrossoverMeasurement | undefined;
  let cacheProblem: string | undefined;
  if (info) {
    try {
      measurement = cachedCrossoverFor(crossoverIdentity(info).key);
    } catch (error) {
      // A corrupt cache must not stop models from being built: the estimate applies, and backendInfo() says why.
      if (!(error instanceof CrossoverCacheError)) throw error;
      cacheProblem = error.message;
    }
  }
  const envValue = Number(process.env.NCP_SILICON_MLX_CROSSOVER);
  const override = Number.isFinite(envValue) && envValue > 0 ? envValue : undefined;
  const source = override !== undefined ? 'override' : measurement ? 'measured' : 'estimate';
  const minWork = override ?? measurement?.minWork ?? MLX_METAL_CROSSOVER;
  const neverWon = source === 'measured' && measurement!.minWork === null;
  const reason = !info
    ? 'the MLX addon is not built'
    : !gpu
      ? 'MLX runs on its CPU device here, which never beats the CPU kernels'
      : neverWon
        ? `measured: MLX did not beat the CPU kernels up to batch × steps × units ${measurement!.largestWorkTried} (NCP_SILICON_MLX_CROSSOVER sets a threshold anyway)`
        : undefined;
  const from =
    source === 'override' ? 'NCP_SILICON_MLX_CROSSOVER' : source === 'measured' ? `measured on ${measurement!.mlxDeviceName ?? measurement!.mlxDevice} at ${measurement!.measuredAt}` : 'an estimate; `ncp-silicon bench --crossover` measures it';
  const rule = neverWon
    ? `'auto' runs every call on the CPU: ${from}, MLX did not beat the CPU kernels at any size tried`
    : `'auto' runs a float32 call on MLX when MLX has a Metal GPU and batch × steps × units ≥ ${minWork} (${from}); single steps and everything else run on the CPU`;
  return {
    rule,
    minWork,
    source,
    mlxEligible: gpu && !neverWon,
    ...(reason ? { reason } : {}),
    measured: measurement ? describeMeasurement(measurement) : `not measured on this machine (\`ncp-silicon bench --crossover\` does); for reference, ${REFERENCE_FIGURES}`,
    ...(measurement ? { measurement } : {}),
    ...(cacheProblem ? { cacheProblem } : {}),
  };
}

/** The backend a caller named, checked (a TypeError or RangeError naming `argument` otherwise). */
export function expectBackend(api: string, argument: string, value: unknown): BackendChoice {
  return expectOneOf(api, argument, value, BACKEND_CHOICES);
}

/** Builds the backend a model asked for; 'auto' resolves by the rule above. */
export function createBackend(choice: BackendChoice, spec: ModelSpec): SequenceBackend {
  if (choice !== 'auto') return new REGISTRY[choice](spec);
  if (isReferenceOnly()) return new ReferenceBackend(spec);
  const cpu = new CpuBackend(spec);
  const rule = crossover();
  if (!rule.mlxEligible || spec.dtype !== 'float32') return cpu;
  return new AutoBackend(cpu, () => new MlxBackend(spec), spec, rule.minWork);
}
