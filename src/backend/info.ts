import { readFileSync } from 'node:fs';
import { loadNative } from './load.js';
import { mlxStatus } from './mlx-load.js';
import { crossover, type Crossover } from './select.js';
import type { MlxBuildInfo } from './mlx-types.js';
import { expectInteger } from '../validate.js';

const PACKAGE_VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

export interface BackendDescription {
  name: 'cpu' | 'mlx' | 'coreml' | 'reference';
  /** Whether this backend can run here. */
  available: boolean;
  /** Why not, when it cannot. */
  reason?: string;
}

export interface BackendInfo {
  /** Native backends compiled into this build of the addon. */
  compiledBackends: string[];
  /** Every backend with whether it can be used here and why not. */
  backends: BackendDescription[];
  /** Instruction set the CPU kernels were compiled for: 'avx2+fma', 'neon' or 'scalar'. */
  simdLevel: string;
  /** Threads the CPU backend splits a batch over (see setNumThreads). */
  numThreads: number;
  defaultNumThreads: number;
  /** N-API version the addon was built against, and the one this Node provides. */
  napiVersion: { addon: number; runtime: number };
  addonVersion: string;
  compiler?: string;
  platform: string;
  nodeVersion: string;
  /** The MLX addon's MLX version and device, when it is built (`npm run build:mlx`). */
  mlx?: MlxBuildInfo;
  /** When backend 'auto' takes MLX: the rule, its threshold, whether it can here, and what was measured. */
  crossover: Crossover;
  /** Apple GPU facts (macOS only). */
  apple?: {
    chip: string;
    gpuName: string;
    hasUnifiedMemory: boolean;
    recommendedWorkingSetBytes: number;
  };
}

/** Which native backends were compiled in, the SIMD level and thread count in use, and versions. */
export function backendInfo(): BackendInfo {
  const native = loadNative();
  const build = native.buildInfo();
  const isMac = process.platform === 'darwin';
  const mlx = mlxStatus();
  return {
    compiledBackends: build.backends,
    backends: [
      { name: 'cpu', available: true },
      { name: 'mlx', ...(mlx.available ? { available: true } : { available: false, reason: mlx.reason }) },
      {
        // Inference only: exportOnnx + OnnxPolicy with onnxruntime-node's Core ML execution provider.
        name: 'coreml',
        available: isMac && process.arch === 'arm64',
        reason:
          isMac && process.arch === 'arm64'
            ? undefined
            : 'Core ML (and the Neural Engine) needs macOS on Apple Silicon; the exported ONNX graph runs on the CPU provider here',
      },
      { name: 'reference', available: true },
    ],
    simdLevel: build.simdLevel,
    numThreads: build.numThreads,
    defaultNumThreads: build.defaultNumThreads,
    napiVersion: { addon: build.napiVersion, runtime: Number(process.versions.napi) },
    addonVersion: PACKAGE_VERSION,
    compiler: build.compiler,
    platform: `${process.platform}-${process.arch}`,
    nodeVersion: process.versions.node,
    apple: build.apple,
    mlx: mlx.available ? mlx.addon.buildInfo() : undefined,
    crossover: crossover(),
  };
}

/** Sets how many threads the CPU backend uses (default: the number of cores). */
export function setNumThreads(numThreads: number): void {
  expectInteger('setNumThreads', 'numThreads', numThreads, { min: 1, max: 1024 });
  loadNative().setNumThreads(numThreads);
}

export function getNumThreads(): number {
  return loadNative().getNumThreads();
}
