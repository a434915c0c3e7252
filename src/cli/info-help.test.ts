/** `ncp-silicon info` names onnxruntime (or says it is not installed); help shows defaults as one would type them. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { describeOnnxRuntime, onnxRuntimeInfo } from '../onnx/runtime-info.js';
import { runInfo } from './info.js';
import { buildProgram } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'ncp-cli-info-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const installedVersion = (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;

describe('ncp-silicon info: onnxruntime', () => {
  it("reports the installed onnxruntime-node's version and execution providers", async () => {
    const info = await onnxRuntimeInfo();
    expect(info).toMatchObject({ installed: true, version: installedVersion });
    if (!info.installed) return;
    expect(info.providers.map((p) => p.name)).toContain('cpu');
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    await runInfo({ out: join(dir, 'w.svg'), units: 8, outputs: 2, inputs: 3 });
    expect(lines.join('\n')).toMatch(new RegExp(`onnxruntime +onnxruntime-node ${installedVersion.replace(/\./g, '\\.')}; providers cpu\\b.*\\(bundled\\)`));
    lines.length = 0;
    await runInfo({ out: join(dir, 'w.svg'), units: 8, outputs: 2, inputs: 3, json: true });
    expect(JSON.parse(lines.join('\n')).onnxRuntime).toEqual(info);
  });

  it('says "not installed" when the optional peer is absent, and why when it fails to load', async () => {
    const missing = Object.assign(new Error("Cannot find package 'onnxruntime-node' imported from /app/dist/onnx/runtime-info.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const absent = await onnxRuntimeInfo(() => Promise.reject(missing));
    expect(absent).toEqual({ installed: false, reason: expect.stringMatching(/^not installed \(optional: npm install onnxruntime-node/) });
    expect(describeOnnxRuntime(absent)).toMatch(/^not installed/);
    const broken = await onnxRuntimeInfo(() => Promise.reject(new Error('libonnxruntime.so.1: cannot open shared object file')));
    expect(broken).toEqual({ installed: false, reason: 'installed but failed to load: libonnxruntime.so.1: cannot open shared object file' });
  });
});

async function help(...args: string[]): Promise<string> {
  const out: string[] = [];
  const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } };
  const program = buildProgram(io, () => undefined, (p) => p.exitOverride().configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => out.push(s) }));
  try {
    await program.parseAsync([...args, '--help'], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
  }
  return out.join('');
}

describe('help text', () => {
  it('demo --help shows each default on its own line, as typed (no JSON, never split)', async () => {
    const text = await help('demo');
    for (const line of ['default: 30', 'default: 1', 'default: 0.5', 'default: ncp-demo-report', 'default: cfc,ltc']) {
      expect(text).toMatch(new RegExp(`^ +${line.replace('.', '\\.')}$`, 'm'));
    }
    expect(text).not.toContain('"');
    expect(text).not.toMatch(/default:\s*\n/);
    const lines = text.split('\n').map((l) => l.trim());
    expect(lines[lines.findIndex((l) => l.startsWith('-q, --quiet')) + 1]).toMatch(/^--json/); // flags without a value have no default
  });

  it('applies to every command (profile too)', async () => {
    const lines = (await help('profile')).split('\n').map((l) => l.trim());
    const wiring = lines.findIndex((l) => l.startsWith('--wiring <kind>'));
    const nextOption = lines.findIndex((l, i) => i > wiring && l.startsWith('--'));
    expect(lines.slice(wiring, nextOption)).toContain('default: autoncp');
  });
});
