/**
 * Every notebook in notebooks/ executes top to bottom on the tslab kernel (`jupyter nbconvert --execute` exits
 * non-zero when a cell fails). Needs Jupyter and the kernel: `npm run setup:test` installs them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NOTEBOOKS = readdirSync(join(ROOT, 'notebooks')).filter((f) => f.endsWith('.ipynb'));

describe('notebooks', () => {
  it('there is at least one notebook', () => {
    expect(NOTEBOOKS.length).toBeGreaterThan(0);
  });

  for (const notebook of NOTEBOOKS) {
    it(`${notebook} executes without errors`, () => {
      const out = mkdtempSync(join(tmpdir(), 'ncp-nb-'));
      const result = spawnSync('jupyter', ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=300', `notebooks/${notebook}`, '--output-dir', out], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}` },
      });
      if (result.error) throw new Error(`could not run jupyter (${result.error.message}); run \`npm run setup:test\` first`);
      expect(result.status, result.stderr.split('\n').slice(-30).join('\n')).toBe(0);
    }, 320_000);
  }
});
