import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from './errors.js';
import { isMissingPackage, missingPeerError } from './optional-peer.js';

async function importError(specifier: string): Promise<unknown> {
  try {
    await import(/* @vite-ignore */ specifier);
  } catch (error) {
    return error;
  }
  throw new Error(`${specifier} imported`);
}

function requireError(specifier: string): unknown {
  try {
    createRequire(import.meta.url).resolve(specifier);
  } catch (error) {
    return error;
  }
  throw new Error(`${specifier} resolved`);
}

describe('optional peer dependencies', () => {
  it("recognises Node's not-found errors for the named package only", async () => {
    const fromImport = await importError('ncp-silicon-no-such-peer');
    const fromRequire = requireError('ncp-silicon-no-such-peer/package.json');
    expect(isMissingPackage(fromImport, ['ncp-silicon-no-such-peer'])).toBe(true);
    expect(isMissingPackage(fromRequire, ['ncp-silicon-no-such-peer'])).toBe(true);
    // A different missing package, or an error that is not "not found", is someone else's problem.
    expect(isMissingPackage(fromImport, ['ncp-silicon-no-such'])).toBe(false);
    expect(isMissingPackage(new Error("Cannot find package 'vega'"), ['vega'])).toBe(false);
    expect(isMissingPackage(undefined, ['vega'])).toBe(false);
  });

  it('names the packages, the install command and the alternatives', () => {
    const cause = new Error('not found');
    const error = missingPeerError('ProfileResult.report', "format 'html'", ['vega', 'vega-lite'], cause, ["use format 'md'"]);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error.code).toBe('NCP_BACKEND_UNAVAILABLE');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(
      "ProfileResult.report: format 'html' needs vega and vega-lite, optional peer dependencies of ncp-silicon that are not installed.\n" +
        "Possible fixes:\n  - npm install vega vega-lite\n  - use format 'md'",
    );
  });
});
