/** `ncp-silicon info`: prints the backend facts and writes an AutoNCP drawing. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runInfo } from '../src/cli/info.js';

describe('ncp-silicon info', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints backends, SIMD and threads, and writes an SVG of the AutoNCP wiring', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const out = join(mkdtempSync(join(tmpdir(), 'ncp-info-')), 'wiring.svg');
    await runInfo({ out, units: 16, outputs: 4, inputs: 6 }); // async: it asks onnxruntime-node (an import)
    const text = lines.join('\n');
    expect(text).toMatch(/compiled backends\s+cpu/);
    expect(text).toMatch(/SIMD\s+(avx2\+fma|avx512|neon|scalar)/);
    expect(text).toMatch(/threads\s+\d+/);
    expect(text).toContain(`written to ${out}`);
    const svg = readFileSync(out, 'utf8');
    expect(svg.startsWith('<svg') || svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('AutoNCP(16, 4)');
  });

  it('--json prints backendInfo() as JSON', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    await runInfo({ out: '/dev/null', units: 16, outputs: 4, inputs: 6, json: true });
    const info = JSON.parse(lines.join('\n'));
    expect(info.compiledBackends).toContain('cpu');
    expect(typeof info.numThreads).toBe('number');
  });
});
