/**
 * The one typed description of everything the native addon exports (native/addon/*.cpp).
 * Nothing else in TypeScript touches the untyped module.
 */
export interface NativeBuildInfo {
  backends: string[];
  simdLevel: string;
  cpuSupportsBuild: boolean;
  numThreads: number;
  defaultNumThreads: number;
  napiVersion: number;
  compiler?: string;
  apple?: {
    chip: string;
    gpuName: string;
    hasUnifiedMemory: boolean;
    recommendedWorkingSetBytes: number;
  };
}

export interface NativeAddon {
  buildInfo(): NativeBuildInfo;
  setNumThreads(numThreads: number): void;
  getNumThreads(): number;
}
