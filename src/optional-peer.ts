/**
 * The heavy parts are optional peer dependencies (onnxruntime-node for OnnxPolicy, vega + vega-lite for HTML
 * reports, vega-datasets for the demo's data): only the feature that needs one loads it, and when it is not
 * installed the feature says which package is missing and how to add it.
 */
import { BackendUnavailableError } from './errors.js';

/** Whether `error` is Node's "cannot find" for one of `packages` itself (not a failure inside an installed one). */
export function isMissingPackage(error: unknown, packages: readonly string[]): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if ((code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') || typeof message !== 'string') return false;
  return packages.some((name) => message.includes(`'${name}'`) || message.includes(`'${name}/`));
}

/** The error a feature throws when its optional peer dependencies are not installed. */
export function missingPeerError(api: string, purpose: string, packages: readonly string[], cause: unknown, alternatives: readonly string[] = []): BackendUnavailableError {
  const plural = packages.length > 1;
  return new BackendUnavailableError(
    `${api}: ${purpose} needs ${packages.join(' and ')}, ${plural ? 'optional peer dependencies' : 'an optional peer dependency'} of ncp-silicon that ${plural ? 'are' : 'is'} not installed.\n` +
      ['Possible fixes:', `  - npm install ${packages.join(' ')}`, ...alternatives.map((a) => `  - ${a}`)].join('\n'),
    { cause },
  );
}
