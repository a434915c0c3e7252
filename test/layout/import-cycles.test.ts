/**
 * src/ has no import circle anywhere, type-only imports included. Two were broken apart: monitor's
 * result ↔ report ↔ trace (renderers read profile-data.ts, never result.ts), and agents' policy.ts ↔ its helpers
 * (they take the interfaces of agents/policy-parts.ts, never the ConfidencePolicy class).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles } from '../helpers/import-cycles.js';

describe('src import graph', () => {
  it('has no cycle in the whole src tree, type-only imports included', () => {
    expect(importCycles(join(process.cwd(), 'src'))).toEqual([]);
  });

  it('the checker finds a cycle when there is one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncp-cycles-'));
    try {
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.js';\nexport interface A { b?: B }\n");
      writeFileSync(join(dir, 'b.ts'), "import { c } from './c.js';\nexport interface B { n: number }\nexport const d = c;\n");
      writeFileSync(join(dir, 'c.ts'), "export { type A } from './a.js';\nexport const c = 1;\n");
      expect(importCycles(dir)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
