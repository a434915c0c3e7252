// `npm run prebuild:native`: builds the N-API addon for this platform and puts it where the package ships it,
// prebuilds/<platform>-<arch>/ncp_silicon.node (prebuildify's layout). N-API 8 means one binary serves every
// supported Node version. The flags are binding.gyp's (x64: -march=x86-64-v3, a fixed ISA level the loader
// checks). node-gyp runs in a staging folder (build/prebuild-<platform>-<arch>/) so it never touches
// build/Release, which tests may be loading meanwhile; a second run there is incremental.
// (Not named "prebuild": npm would run that before every `npm run build`.)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, cpSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = `${process.platform}-${process.arch}`;
const staging = join(root, 'build', `prebuild-${target}`);
const gypFile = readFileSync(join(root, 'binding.gyp'), 'utf8');

mkdirSync(staging, { recursive: true });
const stagedGyp = join(staging, 'binding.gyp');
const isConfigured = existsSync(join(staging, 'build', 'config.gypi')) && existsSync(stagedGyp) && readFileSync(stagedGyp, 'utf8') === gypFile;
copyFileSync(join(root, 'binding.gyp'), stagedGyp);
if (!existsSync(join(staging, 'native'))) {
  // A link keeps node-gyp's incremental build honest (sources' own timestamps); Windows may refuse links: copy.
  try {
    symlinkSync(join(root, 'native'), join(staging, 'native'), 'junction');
  } catch {
    cpSync(join(root, 'native'), join(staging, 'native'), { recursive: true, preserveTimestamps: true });
  }
}

const args = [isConfigured ? 'build' : 'rebuild', '-j', String(availableParallelism())];
console.log(`prebuild: node-gyp ${args.join(' ')} for ${target} in ${staging}`);
// npm names its bundled node-gyp in npm_config_node_gyp; outside npm, node-gyp must be on PATH.
const gyp = process.env.npm_config_node_gyp;
const result = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { cwd: staging, stdio: 'inherit' })
  : spawnSync('node-gyp', args, { cwd: staging, stdio: 'inherit', shell: process.platform === 'win32' });
if (result.status !== 0) {
  console.error(`prebuild: node-gyp failed${result.error ? ` (${result.error.message})` : ''}`);
  process.exit(result.status ?? 1);
}

const outDir = join(root, 'prebuilds', target);
mkdirSync(outDir, { recursive: true });
const out = join(outDir, 'ncp_silicon.node');
// Copy then rename, so a reader never sees half a binary.
copyFileSync(join(staging, 'build', 'Release', 'ncp_silicon.node'), `${out}.tmp`);
renameSync(`${out}.tmp`, out);
console.log(`prebuild: wrote ${out}`);
