/**
 * A failed native allocation is a NativeError with code NCP_NATIVE_OUT_OF_MEMORY (issue 11, §5), on the
 * synchronous and the async path; before, it was a plain Error with code NCP_NATIVE.
 *
 * The allocation is made to fail for real: a child process, once loaded, caps its own address space with
 * `prlimit --as` (a cap from the start would stop tsx's WebAssembly), then makes a training call whose
 * backpropagation tape is larger than what is left under the cap, yet within LIMITS.maxWorkspaceBytes so the TS
 * check lets it through. Linux only (prlimit); skipped under AddressSanitizer, which reserves terabytes of shadow.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = `
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LTC, NativeError } from './src/index.ts';
const model = new LTC(1, 1000, { returnSequences: false });
model.forward({ data: new Float32Array(4), shape: [1, 4, 1] }); // arenas and thread pool up before the cap
const used = Number(readFileSync('/proc/self/status', 'utf8').match(/VmSize:\\s+(\\d+)/)[1]) * 1024;
const headroom = 512 * 2 ** 20;
execFileSync('prlimit', ['--pid', String(process.pid), '--as=' + (used + headroom)]);
const tapePerStep = (2 * 6 * 1000 + 1000 + 1000) * 4; // the LTC's tape, the state and the output per step
const L = Math.ceil((2 * headroom) / tapePerStep);
if (L * tapePerStep >= 4 * 2 ** 30) throw new Error('the tape must stay within LIMITS.maxWorkspaceBytes');
const input = { data: new Float32Array(L), shape: [1, L, 1] };
const dOutput = { data: new Float32Array(1000), shape: [1, 1000] };
const report = (e) => ({ native: e instanceof NativeError, name: e?.name, code: e?.code, message: e?.message });
const out = {};
try { model.forwardBackward(input, dOutput); out.sync = 'no error'; } catch (e) { out.sync = report(e); }
try { await model.forwardBackwardAsync(input, dOutput); out.async = 'no error'; } catch (e) { out.async = report(e); }
console.log(JSON.stringify(out));
`;

const sanitized = /asan/.test(process.env.LD_PRELOAD ?? '');
const hasPrlimit = process.platform === 'linux' && spawnSync('prlimit', ['--version']).status === 0;

describe.skipIf(!hasPrlimit || sanitized)('native out of memory', () => {
  it('is a NativeError with code NCP_NATIVE_OUT_OF_MEMORY, sync and async', () => {
    const root = new URL('../..', import.meta.url).pathname;
    const args = ['--import', 'tsx', '--input-type=module', '-e', script];
    const child = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(child.signal, child.stderr).toBeNull();
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout.trim().split('\n').pop()!);
    for (const result of [out.sync, out.async]) {
      expect(result).toEqual({
        native: true,
        name: 'NativeError',
        code: 'NCP_NATIVE_OUT_OF_MEMORY',
        message: expect.stringMatching(/^ncp-silicon native kernel: out of memory/),
      });
    }
  });
});
