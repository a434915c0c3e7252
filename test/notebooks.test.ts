/**
 * Every notebook in notebooks/ executes top to bottom on the tslab kernel (`jupyter nbconvert --execute` exits
 * non-zero when a cell fails), and its committed outputs hold at least one `image/svg+xml` chart (what GitHub
 * shows). Needs Jupyter and the kernel (`npm run setup:test`) and the built package (`npm run build`): the
 * notebooks import 'ncp-silicon' by name, which tslab's TypeScript (Node10 resolution) finds through a
 * node_modules/ncp-silicon link to this package, made here when it is missing (setup:test makes it too).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NOTEBOOKS = readdirSync(join(ROOT, 'notebooks')).filter((f) => f.endsWith('.ipynb'));

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
}

function outputsOf(path: string): Output[] {
  const notebook = JSON.parse(readFileSync(path, 'utf8')) as { cells: { cell_type: string; outputs?: Output[] }[] };
  return notebook.cells.flatMap((c) => c.outputs ?? []);
}

beforeAll(() => {
  const link = join(ROOT, 'node_modules', 'ncp-silicon');
  let present = existsSync(link);
  try {
    present ||= lstatSync(link).isSymbolicLink();
  } catch {
    // absent
  }
  if (!present) symlinkSync('..', link, 'dir');
});

describe('notebooks', () => {
  it('there is at least one notebook', () => {
    expect(NOTEBOOKS.length).toBeGreaterThan(0);
  });

  for (const notebook of NOTEBOOKS) {
    it(`${notebook} is committed with its outputs, including an image/svg+xml chart and no error`, () => {
      const outputs = outputsOf(join(ROOT, 'notebooks', notebook));
      expect(outputs.some((o) => o.data !== undefined && 'image/svg+xml' in o.data)).toBe(true);
      expect(outputs.filter((o) => o.output_type === 'error')).toEqual([]);
    });

    it(`${notebook} executes without errors and draws an SVG chart`, () => {
      const out = mkdtempSync(join(tmpdir(), 'ncp-nb-'));
      const result = spawnSync('jupyter', ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=300', `notebooks/${notebook}`, '--output-dir', out], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}` },
      });
      if (result.error) throw new Error(`could not run jupyter (${result.error.message}); run \`npm run setup:test\` first`);
      expect(result.status, result.stderr.split('\n').slice(-30).join('\n')).toBe(0);
      // tslab reports a failed TypeScript compile as text output, not as an error: the chart must be there.
      expect(outputsOf(join(out, notebook)).some((o) => o.data !== undefined && 'image/svg+xml' in o.data)).toBe(true);
    }, 320_000);
  }
});
