/** What a report says about the machine and the build it ran on. */
import { cpus, totalmem } from 'node:os';
import { backendInfo } from '../backend/info.js';

export interface SystemInfo {
  platform: string;
  cpuModel: string;
  /** Logical CPUs the OS reports. */
  cores: number;
  totalMemoryBytes: number;
  nodeVersion: string;
  addonVersion?: string;
  simdLevel?: string;
  /** Threads the CPU backend splits a batch over. */
  numThreads?: number;
  compiler?: string;
  /** Apple Silicon: chip and GPU names from Metal. */
  appleChip?: string;
  appleGpu?: string;
  /** Set when the native addon could not be asked (reference-only runs). */
  nativeUnavailable?: string;
}

export function systemInfo(): SystemInfo {
  const list = cpus();
  const info: SystemInfo = {
    platform: `${process.platform}-${process.arch}`,
    cpuModel: (list[0]?.model ?? 'unknown CPU').trim(),
    cores: list.length,
    totalMemoryBytes: totalmem(),
    nodeVersion: process.versions.node,
  };
  try {
    const b = backendInfo();
    Object.assign(info, { addonVersion: b.addonVersion, simdLevel: b.simdLevel, numThreads: b.numThreads });
    if (b.compiler) info.compiler = b.compiler;
    if (b.apple) Object.assign(info, { appleChip: b.apple.chip, appleGpu: b.apple.gpuName, cpuModel: b.apple.chip || info.cpuModel });
  } catch (error) {
    info.nativeUnavailable = (error as Error).message.split('\n')[0];
  }
  return info;
}
