/**
 * Helpers of the packaging test: a lockfile that lets a fresh project install the packed tarball offline from
 * npm's cache (the repo's own `npm ci` put every production dependency there), a PATH whose compilers are stubs
 * that record being called, and the on-disk size of an install.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

interface LockEntry {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  link?: boolean;
  [key: string]: unknown;
}

interface PackageJson {
  name: string;
  version: string;
  license?: string;
  engines?: Record<string, string>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/**
 * package-lock.json for a project whose one dependency is the tarball: the tarball's entry plus every entry of
 * the repo's lock that is not a dev dependency (those are exactly the package's production tree, optional peers
 * excluded since they are dev dependencies here). npm then needs no registry metadata it has not cached.
 */
export function consumerLock(repoLock: { packages: Record<string, LockEntry> }, pkg: PackageJson, tarball: string, projectName: string): object {
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: projectName, version: '1.0.0', dependencies: { [pkg.name]: spec } },
    [`node_modules/${pkg.name}`]: {
      version: pkg.version,
      resolved: spec,
      hasInstallScript: true,
      license: pkg.license,
      dependencies: pkg.dependencies,
      peerDependencies: pkg.peerDependencies,
      peerDependenciesMeta: pkg.peerDependenciesMeta,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path === '' || entry.dev || entry.devOptional || entry.link) continue;
    packages[path] = entry;
  }
  return { name: projectName, version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/** Every name a build from source would reach for: C/C++ compilers, make, and node-gyp's Python. */
export const COMPILER_NAMES = ['cc', 'c++', 'gcc', 'g++', 'clang', 'clang++', 'make', 'gmake', 'python', 'python3'];

/**
 * A bin folder with node (the running one), sh (npm runs scripts with the sh on PATH) and stubs of every
 * compiler name that append their command line to `log` and fail: with PATH set to it alone, any compile shows
 * up in the log.
 */
export function stubCompilerBin(dir: string, log: string): string {
  mkdirSync(dir, { recursive: true });
  symlinkSync(process.execPath, join(dir, 'node'));
  symlinkSync('/bin/sh', join(dir, 'sh'));
  for (const name of COMPILER_NAMES) {
    const stub = join(dir, name);
    writeFileSync(stub, `#!/bin/sh\necho "${name} $*" >> '${log}'\nexit 1\n`);
    chmodSync(stub, 0o755);
  }
  return dir;
}

/** The npm CLI script of the npm on PATH (run with node, so a PATH without npm's folder still works). */
export function npmCliPath(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'npm');
    if (dir && existsSync(candidate)) return realpathSync(candidate);
  }
  throw new Error('packaging test: npm is not on PATH');
}

/** Bytes on disk under `dir` (allocated blocks, as du counts them; each hard-linked file once). */
export function diskUsage(dir: string, seen = new Set<string>()): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    const key = `${stat.dev}:${stat.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    total += stat.blocks * 512;
    if (stat.isDirectory()) total += diskUsage(path, seen);
  }
  return total;
}

/** A copy of the environment without npm's per-run settings (npm_config_*, npm_lifecycle_*), with `path` as PATH. */
export function cleanEnv(path: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || ['PYTHON', 'NODE_GYP_FORCE_PYTHON', 'NODE_OPTIONS', 'INIT_CWD'].includes(key)) continue;
    env[key] = value;
  }
  env.PATH = path;
  return env;
}
