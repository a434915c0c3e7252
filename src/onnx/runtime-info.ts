/**
 * onnxRuntimeInfo(): which onnxruntime-node is installed (an optional peer) and the execution providers its build
 * offers, for `ncp-silicon info` and bug reports. Absent, it says so rather than failing: nothing else needs it.
 */
import { isMissingPackage } from '../optional-peer.js';

export type OnnxRuntimeInfo =
  | { installed: true; version: string; providers: { name: string; bundled: boolean }[] }
  | { installed: false; reason: string };

interface OrtLike {
  env?: { versions?: { node?: string; common?: string } };
  listSupportedBackends?: () => { name: string; bundled: boolean }[];
}

const importOrt = (): Promise<unknown> => import('onnxruntime-node');

/** `load` replaces the import (tests simulate a missing package with it). */
export async function onnxRuntimeInfo(load: () => Promise<unknown> = importOrt): Promise<OnnxRuntimeInfo> {
  let ort: OrtLike;
  try {
    const m = (await load()) as OrtLike & { default?: OrtLike };
    ort = m.default ?? m; // CommonJS: module.exports arrives as the default export
  } catch (error) {
    if (isMissingPackage(error, ['onnxruntime-node'])) return { installed: false, reason: 'not installed (optional: npm install onnxruntime-node for OnnxPolicy)' };
    return { installed: false, reason: `installed but failed to load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  const version = ort.env?.versions?.node ?? ort.env?.versions?.common ?? 'unknown version';
  const providers = typeof ort.listSupportedBackends === 'function' ? ort.listSupportedBackends().map(({ name, bundled }) => ({ name, bundled })) : [];
  return { installed: true, version, providers };
}

/** 'onnxruntime-node 1.30.0; providers cpu, webgpu (bundled), cuda, tensorrt (separate download)'. */
export function describeOnnxRuntime(info: OnnxRuntimeInfo): string {
  if (!info.installed) return info.reason;
  const bundled = info.providers.filter((p) => p.bundled).map((p) => p.name);
  const separate = info.providers.filter((p) => !p.bundled).map((p) => p.name);
  const parts = [bundled.length ? `${bundled.join(', ')} (bundled)` : '', separate.length ? `${separate.join(', ')} (separate download)` : ''].filter(Boolean);
  return `onnxruntime-node ${info.version}; providers ${parts.length ? parts.join(', ') : 'not listed by this version'}`;
}
