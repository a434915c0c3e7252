/**
 * Loads the native addon: a build made here (node-gyp → build/Release/ncp_silicon.node, from a clone or
 * `npm install --build-from-source`) first, else the prebuilt one the package ships for this platform
 * (prebuilds/<platform>-<arch>/ncp_silicon.node, see scripts/install.mjs). Every failure is kept and reported in
 * one message that names the platform and says how to rebuild, in the manner of sharp's loader.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BackendUnavailableError } from '../errors.js';
import type { NativeAddon } from './native-types.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PREBUILD = `prebuilds/${process.platform}-${process.arch}/ncp_silicon.node`;
// A local build wins over the prebuild: it is what --build-from-source or a developer's rebuild just made.
const CANDIDATES = ['build/Release/ncp_silicon.node', 'build/Debug/ncp_silicon.node', PREBUILD];

let cached: NativeAddon | undefined;
let cachedError: BackendUnavailableError | undefined;

/** The addon, loaded once; throws BackendUnavailableError with the reasons and fixes when it cannot load. */
export function loadNative(): NativeAddon {
  if (cached) return cached;
  if (cachedError) throw cachedError;
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  const isaProblem = checkCpu();
  // NCP_SILICON_ADDON_PATH names one build to load instead of the package's own (custom builds, tests).
  const override = process.env.NCP_SILICON_ADDON_PATH;
  const candidates = override ? [override] : CANDIDATES.map((relative) => PACKAGE_ROOT + relative);
  if (isaProblem) failures.push(isaProblem);
  else {
    for (const path of candidates) {
      if (!existsSync(path)) {
        if (override) failures.push(`${path} (NCP_SILICON_ADDON_PATH) does not exist`);
        continue;
      }
      try {
        cached = require(path) as NativeAddon;
        return cached;
      } catch (error) {
        const shown = path.startsWith(PACKAGE_ROOT) ? path.slice(PACKAGE_ROOT.length) : path;
        failures.push(`${shown}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
  cachedError = new BackendUnavailableError(loadFailureMessage(failures));
  throw cachedError;
}

function loadFailureMessage(failures: string[]): string {
  const platform = `${process.platform}-${process.arch}`;
  const runtime = `Node ${process.versions.node}, N-API ${process.versions.napi}`;
  const lines = [`Could not load the ncp-silicon native addon for ${platform} (${runtime}).`];
  if (failures.length === 0) {
    lines.push(`No build was found: neither build/Release/ncp_silicon.node nor a prebuilt ${PREBUILD} exists.`);
  } else {
    lines.push('Causes:', ...failures.map((f) => `  - ${f}`));
  }
  lines.push(
    'Possible fixes:',
    '  - Rebuild it for this platform: npm rebuild ncp-silicon --build-from-source (in a clone of the repo: npm install)',
    '  - Install a C++17 compiler and Python 3 for node-gyp (Debian: apt-get install g++ make python3; macOS: xcode-select --install)',
    '  - A build copied from another machine or architecture will not load: remove build/ and rebuild here',
    '  - Do not run Node with --no-addons',
    '  - To run without native code (slow, for checking only): set NCP_SILICON_BACKEND=reference',
  );
  return lines.join('\n');
}

/** Whether the user asked to run on the TypeScript reference only (NCP_SILICON_BACKEND=reference). */
export function isReferenceOnly(): boolean {
  return process.env.NCP_SILICON_BACKEND === 'reference';
}

/** On x86-64 the shipped build targets x86-64-v3 (AVX2 + FMA): say so plainly instead of dying on SIGILL. */
function checkCpu(): string | undefined {
  if (process.arch !== 'x64' || process.platform !== 'linux') return undefined;
  try {
    const flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1].split(/\s+/) ?? [];
    const missing = ['avx2', 'fma'].filter((f) => !flags.includes(f));
    if (missing.length > 0) {
      return `this CPU lacks ${missing.join(' and ')}, which the x86-64-v3 build needs (Haswell or newer)`;
    }
  } catch {
    // No /proc (sandbox): let the load itself decide.
  }
  return undefined;
}
