/**
 * Import circles among a folder's TypeScript files: reads every relative `import … from` / `export … from` /
 * `import('…')` (type-only ones too, since they tie the files' designs together) and returns each cycle found as the
 * list of files around it. A tiny stand-in for `madge --circular`, without the dependency.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The import graph of `dir` (edges only between files under `dir`), keyed by absolute path. */
export function importGraph(dir: string): Map<string, string[]> {
  const files = sourceFiles(resolve(dir));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const m of text.matchAll(SPECIFIER)) {
      const target = resolve(dirname(file), m[1].replace(/\.js$/, '.ts'));
      if (known.has(target)) targets.add(target);
      else if (known.has(join(target, 'index.ts'))) targets.add(join(target, 'index.ts'));
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Every elementary cycle's files (relative to `dir`), one per strongly connected group found by depth-first search. */
export function importCycles(dir: string): string[][] {
  const graph = importGraph(dir);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const s = state.get(next);
      if (s === 'open') cycles.push(stack.slice(stack.indexOf(next)).map((f) => relative(resolve(dir), f)));
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}
