/**
 * ncp-silicon: Neural Circuit Policies (LTC, CfC) for TypeScript, with fused native kernels.
 * Public exports only; everything else is internal.
 */
export { backendInfo, setNumThreads, getNumThreads } from './backend/info.js';
export type { BackendInfo, BackendDescription } from './backend/info.js';
export {
  NcpError,
  BackendUnavailableError,
  NotImplementedError,
  CheckpointError,
  NativeError,
} from './errors.js';
