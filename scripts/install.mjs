// npm's install step for ncp-silicon: use the prebuilt addon shipped in prebuilds/<platform>-<arch>/ when it
// loads here, so installing needs no compiler; otherwise (another platform, a clone without prebuilds, or
// `npm install --build-from-source`) build from source with node-gyp, as before.
// Self-contained on purpose: in a clone this runs before the TypeScript is built.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = `${process.platform}-${process.arch}`;
const prebuild = `prebuilds/${target}/ncp_silicon.node`;

/** npm sets npm_config_build_from_source for --build-from-source (or --build-from-source=ncp-silicon). */
function buildFromSourceAsked() {
  const value = process.env.npm_config_build_from_source;
  return value === 'true' || value === 'ncp-silicon';
}

/** Why the prebuild cannot be used here, or undefined when it loads. */
function prebuildProblem() {
  if (!existsSync(root + prebuild)) return `no prebuilt addon for ${target} in this package`;
  try {
    createRequire(import.meta.url)(root + prebuild);
    return undefined;
  } catch (error) {
    return `${prebuild} does not load here (${String(error?.message ?? error).split('\n')[0]})`;
  }
}

const problem = buildFromSourceAsked() ? '--build-from-source was given' : prebuildProblem();
if (problem === undefined) {
  console.log(`ncp-silicon: using the prebuilt addon ${prebuild}; nothing to compile.`);
  process.exit(0);
}
console.log(`ncp-silicon: ${problem}; building the addon from source with node-gyp (needs a C++17 compiler, make and Python 3).`);
// npm names its bundled node-gyp in npm_config_node_gyp; outside npm, node-gyp must be on PATH.
const gyp = process.env.npm_config_node_gyp;
const result = gyp
  ? spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: root, stdio: 'inherit' })
  : spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (result.error) console.error(`ncp-silicon: could not run node-gyp: ${result.error.message}`);
process.exit(result.status ?? 1);
