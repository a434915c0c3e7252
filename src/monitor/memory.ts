/**
 * memory(): one snapshot of where this process's memory is, from every source that can be read here. A figure
 * that cannot be read on this platform is absent and `unavailable` says why; it is never reported as 0.
 */
import { isReferenceOnly, loadNative } from '../backend/load.js';
import { mlxStatus } from '../backend/mlx-load.js';
import type { NativeMemoryCounters } from '../backend/native-types.js';

export interface MemorySnapshot {
  /** performance.now() when the snapshot was taken. */
  timeMs: number;
  /** Resident set size now (process.memoryUsage().rss). */
  rssBytes: number;
  /** Largest resident set size so far (getrusage ru_maxrss). */
  peakRssBytes: number;
  /** V8 heap in use and reserved. */
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Memory of C++ objects bound to JS objects, ArrayBuffers included (V8's `external`). */
  externalBytes: number;
  /** ArrayBuffer and SharedArrayBuffer backing stores (tensors live here). */
  arrayBufferBytes: number;
  /** Bytes the native addon holds, counted by its own allocator (live and peak, per category). */
  native?: NativeMemoryCounters;
  /** macOS: task_info(TASK_VM_INFO).phys_footprint, the figure Activity Monitor and jetsam use. */
  physFootprintBytes?: number;
  /** macOS: the Metal device's recommended working set and what this process has allocated on it. */
  metal?: { deviceName: string; recommendedWorkingSetBytes: number; currentAllocatedBytes: number };
  /** MLX's allocator (active, peak, cache) when the MLX backend is in the build. */
  mlx?: { activeBytes: number; peakBytes: number; cacheBytes: number };
  /** Why each absent figure is absent. */
  unavailable: Partial<Record<'native' | 'physFootprintBytes' | 'metal' | 'mlx', string>>;
}

/** Where this process's memory is now: process, V8, the native addon and (on macOS) the Mach and Metal figures. */
export function memory(): MemorySnapshot {
  const usage = process.memoryUsage();
  const snapshot: MemorySnapshot = {
    timeMs: performance.now(),
    rssBytes: usage.rss,
    // Node reports ru_maxrss in KiB on every platform (libuv normalises macOS's bytes).
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: usage.heapUsed,
    heapTotalBytes: usage.heapTotal,
    externalBytes: usage.external,
    arrayBufferBytes: usage.arrayBuffers,
    unavailable: {},
  };
  const native = tryNative();
  if (typeof native === 'string') {
    for (const key of ['native', 'physFootprintBytes', 'metal', 'mlx'] as const) snapshot.unavailable[key] = native;
    return snapshot;
  }
  snapshot.native = native.nativeMemory();
  const platform = native.platformMemory();
  if (platform.physFootprintBytes !== undefined) snapshot.physFootprintBytes = platform.physFootprintBytes;
  else snapshot.unavailable.physFootprintBytes = platform.physFootprintReason ?? 'not reported by this build';
  if (platform.metalCurrentAllocatedBytes !== undefined) {
    snapshot.metal = {
      deviceName: platform.metalDeviceName ?? '',
      recommendedWorkingSetBytes: platform.metalRecommendedWorkingSetBytes!,
      currentAllocatedBytes: platform.metalCurrentAllocatedBytes,
    };
  } else {
    snapshot.unavailable.metal = platform.metalReason ?? 'not reported by this build';
  }
  const mlx = mlxStatus();
  if (mlx.available) snapshot.mlx = mlx.addon.memory();
  else snapshot.unavailable.mlx = mlx.reason;
  return snapshot;
}

/** The addon, or why it cannot be used (memory() still reports the process and V8 figures then). */
function tryNative(): ReturnType<typeof loadNative> | string {
  if (isReferenceOnly()) return 'the native addon is not used (NCP_SILICON_BACKEND=reference)';
  try {
    return loadNative();
  } catch (error) {
    return `the native addon could not be loaded: ${(error as Error).message.split('\n')[0]}`;
  }
}
