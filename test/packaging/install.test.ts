/**
 * `npm install ncp-silicon` as a user gets it: pack the tarball, install it into a fresh project offline from
 * npm's cache, with compilers replaced by stubs that record any call; then compile a file that imports every
 * entry point (strict, skipLibCheck false, nodenext and bundler), import it, require it, run a step, and
 * measure the install against the 25 MB budget. Optional peers (onnxruntime-node, vega, vega-lite,
 * vega-datasets) are absent, so the root import loading any of them would fail here.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoNCP, LTC, tensor } from '../../src/index.js';
import { cleanEnv, consumerLock, diskUsage, npmCliPath, stubCompilerBin } from './consumer-project.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./consumer/', import.meta.url));
const TARGET = `${process.platform}-${process.arch}`;
const PREBUILD = join(ROOT, 'prebuilds', TARGET, 'ncp_silicon.node');
const BUDGET_BYTES = 25 * 1024 * 1024;
const OPTIONAL_PEERS = ['onnxruntime-node', 'vega', 'vega-lite', 'vega-datasets'];
const SLOW = 20 * 60_000; // a fresh clone builds the prebuild first (minutes on a busy 2-core machine)

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const npmCli = npmCliPath();

function run(command: string, args: string[], options: SpawnSyncOptions & { what: string; mayFail?: boolean }) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (!options.mayFail && result.status !== 0) {
    throw new Error(`${options.what} failed (status ${result.status}${result.error ? `, ${result.error.message}` : ''}):\n${output.slice(-4000)}`);
  }
  return { status: result.status, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), output };
}

/** Newest modification time of the files under `dir` (recursively) that pass `keep`. */
function newestMtime(dir: string, keep: (path: string) => boolean = () => true): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, keep));
    else if (keep(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The release steps a fresh clone has not run yet: the prebuild for this platform, and dist/ when stale. */
function prepareRepo(): void {
  const nativeChanged = Math.max(newestMtime(join(ROOT, 'native')), statSync(join(ROOT, 'binding.gyp')).mtimeMs);
  if (!existsSync(PREBUILD) || statSync(PREBUILD).mtimeMs < nativeChanged) {
    run(process.execPath, [npmCli, 'run', 'prebuild:native'], { cwd: ROOT, what: 'npm run prebuild:native' });
  }
  const sourceChanged = newestMtime(join(ROOT, 'src'), (p) => p.endsWith('.ts') && !p.endsWith('.test.ts'));
  const dist = join(ROOT, 'dist', 'index.js');
  if (!existsSync(dist) || statSync(dist).mtimeMs < sourceChanged) {
    run(process.execPath, [npmCli, 'run', 'build'], { cwd: ROOT, what: 'npm run build' });
  }
}

describe('the packed package in a fresh project', () => {
  let work: string;
  let project: string;
  let compilerLog: string;
  let stubPath: string;
  let packedFiles: string[];
  let installOutput: string;
  let consumerEnv: NodeJS.ProcessEnv;

  const npm = (args: string[], what: string, mayFail = false) =>
    run(process.execPath, [npmCli, ...args], { cwd: project, env: consumerEnv, what, mayFail });
  const node = (args: string[], what: string) => run(process.execPath, args, { cwd: project, env: consumerEnv, what });

  beforeAll(() => {
    prepareRepo();
    work = mkdtempSync(join(tmpdir(), 'ncp-silicon-packaging-'));
    project = join(work, 'project');
    mkdirSync(project);
    const cache = run(process.execPath, [npmCli, 'config', 'get', 'cache'], { cwd: ROOT, what: 'npm config get cache' }).stdout.trim();

    // Pack without scripts: prepare's build already ran (npm ci, or prepareRepo above).
    const packed = JSON.parse(
      run(process.execPath, [npmCli, 'pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, what: 'npm pack' }).stdout,
    ) as [{ filename: string; files: { path: string }[] }];
    packedFiles = packed[0].files.map((f) => f.path);
    cpSync(join(work, packed[0].filename), join(project, packed[0].filename));

    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { [pkg.name]: `file:${packed[0].filename}` } }, null, 2));
    const repoLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify(consumerLock(repoLock, pkg, packed[0].filename, 'consumer'), null, 2));
    for (const name of readdirSync(FIXTURES)) cpSync(join(FIXTURES, name), join(project, name));

    compilerLog = join(work, 'compiler-calls.log');
    stubPath = stubCompilerBin(join(work, 'bin'), compilerLog);
    consumerEnv = { ...cleanEnv(stubPath), npm_config_cache: cache, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    installOutput = npm(['ci', '--foreground-scripts'], 'npm ci of the tarball, offline, without compilers').output;
  }, SLOW);

  afterAll(() => {
    if (work && !process.env.NCP_SILICON_KEEP_PACKAGING) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('ships the prebuilt addon, the declarations and the build-from-source inputs, and no tests or local builds', () => {
    expect(packedFiles).toContain(`prebuilds/${TARGET}/ncp_silicon.node`);
    expect(packedFiles).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/onnx/index.d.ts', 'dist/monitor/index.d.ts', 'binding.gyp', 'scripts/install.mjs', 'CHANGELOG.md']));
    expect(packedFiles.filter((f) => f.startsWith('build/') || /\.test\./.test(f) || f.startsWith('test/') || f.startsWith('src/'))).toEqual([]);
  });

  it('installs offline with no compiler run: the prebuild is used, nothing is built', () => {
    expect(existsSync(compilerLog) ? readFileSync(compilerLog, 'utf8') : '').toBe('');
    expect(installOutput).toContain(`using the prebuilt addon prebuilds/${TARGET}/ncp_silicon.node`);
    const installed = join(project, 'node_modules', pkg.name);
    expect(existsSync(join(installed, 'build'))).toBe(false);
    expect(existsSync(join(installed, 'prebuilds', TARGET, 'ncp_silicon.node'))).toBe(true);
    for (const peer of OPTIONAL_PEERS) expect(existsSync(join(project, 'node_modules', peer)), peer).toBe(false);
  });

  it('keeps the core install within 25 MB on disk', () => {
    const total = diskUsage(join(project, 'node_modules'));
    const own = diskUsage(join(project, 'node_modules', pkg.name));
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    console.log(`packaging: core install ${mib(total)} on disk (ncp-silicon itself ${mib(own)}), budget ${mib(BUDGET_BYTES)}`);
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    writeFileSync(join(ROOT, 'test-results', 'packaging-size.json'), `${JSON.stringify({ target: TARGET, installBytes: total, packageBytes: own, budgetBytes: BUDGET_BYTES }, null, 2)}\n`);
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it.each(['nodenext', 'bundler'])('compiles a file importing every entry point (strict, skipLibCheck false, %s)', (resolution) => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const { status, output } = run(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], { cwd: project, env: consumerEnv, what: 'tsc', mayFail: true });
    expect(output).toBe('');
    expect(status).toBe(0);
  }, 5 * 60_000);

  it('imports every entry point as ES modules and steps, without loading any optional peer', () => {
    const result = JSON.parse(node(['esm-run.mjs'], 'node esm-run.mjs').stdout);
    const expected = new LTC(3, new AutoNCP(16, 4), { seed: 1 }).step(tensor([0.1, 0.2, 0.3], [3]), undefined, 0.5);
    expect(result.outputShape).toEqual([4]);
    expect(result.stateShape).toEqual([16]);
    expect(result.output).toHaveLength(4);
    result.output.forEach((value: number, i: number) => expect(value).toBeCloseTo(expected.output.data[i], 6));
    expect(result.subpaths).toEqual(['function', 'function', 'function', 'function']);
    expect(result.sameClasses).toBe(true);
    expect(result.onnxBytes).toBeGreaterThan(1000);
    expect(result.markdownReport).toBeGreaterThan(0);
    // Without onnxruntime-node, OnnxPolicy says how to add it; without vega, so does the HTML report.
    expect(result.onnxPolicy).toMatchObject({ name: 'BackendUnavailableError', code: 'NCP_BACKEND_UNAVAILABLE', isBackendUnavailable: true });
    expect(result.onnxPolicy.message).toContain('npm install onnxruntime-node');
    expect(result.htmlReport).toMatchObject({ name: 'BackendUnavailableError', isBackendUnavailable: true });
    expect(result.htmlReport.message).toContain('npm install vega vega-lite');
  });

  it.skipIf(!(process.features as { require_module?: boolean }).require_module)('require()s the package (Node 20.19+ / 22.12+) and steps', () => {
    const result = JSON.parse(node(['cjs-run.cjs'], 'node cjs-run.cjs').stdout);
    const expected = new LTC(3, new AutoNCP(16, 4), { seed: 1 }).step(tensor([0.1, 0.2, 0.3], [3]), undefined, 0.5);
    result.output.forEach((value: number, i: number) => expect(value).toBeCloseTo(expected.output.data[i], 6));
    expect(result.onnxBytes).toBeGreaterThan(1000);
  });

  it("the demo says how to add its data when vega-datasets is absent", () => {
    const bin = join('node_modules', '.bin', 'ncp-silicon');
    const { status, output } = run(process.execPath, [bin, 'demo', '--epochs', '1', '--quiet', '--out', join(work, 'demo')], { cwd: project, env: consumerEnv, what: 'demo', mayFail: true });
    expect(status).not.toBe(0);
    expect(output).toContain('npm install vega-datasets');
  });

  // Last: it makes the install try a build. The stubs catch it, which also shows they would have caught one above.
  it('--build-from-source forces a build from source even with a prebuild', () => {
    const { status, output } = npm(['rebuild', pkg.name, '--build-from-source', '--foreground-scripts'], 'npm rebuild --build-from-source', true);
    expect(output).toContain('--build-from-source was given; building the addon from source with node-gyp');
    expect(status).not.toBe(0);
    expect(readFileSync(compilerLog, 'utf8')).toMatch(/python3?|make|c\+\+|g\+\+|cc/);
  });
});
