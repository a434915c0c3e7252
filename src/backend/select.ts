/**
 * Choosing a backend: the registry of backends (one line per backend) and the 'auto' rule. 'auto' takes MLX only
 * where MLX runs on a Metal GPU, for float32, and only for calls whose work (batch × steps × units) reaches the
 * crossover; everything else, single steps always included, runs on the CPU. On MLX's CPU device (Linux, or a Mac
 * without Metal) MLX never wins (docs/mlx.md, bench/results/mlx.md), so there 'auto' is the CPU backend.
 */
import { expectOneOf } from '../validate.js';
import { AutoBackend } from './auto.js';
import type { ModelSpec } from './cell-spec.js';
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
 * The smallest batch × steps × units 'auto' sends to MLX on a Metal GPU. Not measured on Metal here (no Apple
 * hardware): it is where MLX's per-call cost (graph building and ~15 µs per evaluation over steps × ODE unfolds
 * kernels) falls below the CPU kernels' ~50 ns per unit-step on 2 threads; the macOS bench job measures it.
 * NCP_SILICON_MLX_CROSSOVER overrides it.
 */
export const MLX_METAL_CROSSOVER = 1 << 24;

export interface Crossover {
  /** The rule, in words. */
  rule: string;
  /** batch × steps × units from which 'auto' uses MLX, where it may. */
  minWork: number;
  /** Whether 'auto' can take MLX in this process at all (a Metal GPU through the MLX addon). */
  mlxEligible: boolean;
  /** Why not, when it cannot. */
  reason?: string;
  /** What was measured on MLX's CPU device against the CPU kernels (bench/results/mlx.md). */
  measured: string;
}

/** The 'auto' rule as it applies in this process (backendInfo().crossover). */
export function crossover(): Crossover {
  const override = Number(process.env.NCP_SILICON_MLX_CROSSOVER);
  const minWork = Number.isFinite(override) && override > 0 ? override : MLX_METAL_CROSSOVER;
  const status = mlxStatus();
  const gpu = status.available && status.addon.buildInfo().device === 'gpu';
  return {
    rule: `'auto' runs a float32 call on MLX when MLX has a Metal GPU and batch × steps × units ≥ ${minWork}; single steps and everything else run on the CPU`,
    minWork,
    mlxEligible: gpu,
    ...(gpu ? {} : { reason: status.available ? "MLX runs on its CPU device here, which never beats the CPU kernels" : 'the MLX addon is not built' }),
    measured:
      'MLX 0.32.1 on its CPU device (AMD EPYC, 2 threads, 2026-12-03) was 11.5× (wired CfC AutoNCP(64, 8), forwardBackward, B 64, L 100) to 1224× (wired CfC, forward, B 1, L 100) slower than the CPU kernels: no crossover on this machine',
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
