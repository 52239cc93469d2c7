/**
 * No import circle through the workflow, its activities or the conversation core: the workflow's
 * contract (workflows/contract.ts) is the one place both sides take their types from, so neither side
 * reaches the other's implementation. Type-only imports count: a circle of types is still a tangle
 * (an implementation change on one side silently changes the other's contract).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The folders no circle may pass through. */
const GUARDED = ['workflows', 'src/activities', 'src/conversation'];

/** Every non-test .ts source under `dir`; a missing folder fails, or the check would pass by checking nothing. */
function sources(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) throw new Error(`${dir} does not exist: the import-cycle check names a missing folder`);
  return readdirSync(abs).flatMap((name) => {
    const path = join(abs, name);
    if (statSync(path).isDirectory()) return sources(relative(ROOT, path));
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

/** The project files `file` imports (type-only and re-exports included), resolved from `./x.js` to `./x.ts`. */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...[...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] as string),
    ...[...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string),
  ];
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')))
    .filter((p) => existsSync(p));
}

/** Import circles (strongly connected components of more than one file, or a file importing itself), Tarjan's way. */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.includes(v)) found.push(component.sort());
  };
  for (const f of graph.keys()) if (!index.has(f)) visit(f);
  return found;
}

describe('import circles', () => {
  it('no import circle passes through workflows/, src/activities/ or src/conversation/', () => {
    // The whole tree is walked: a circle may leave the guarded folders and come back through another.
    const all = [...sources('src'), ...sources('workflows')];
    const graph = new Map(all.map((f) => [relative(ROOT, f), localImports(f).map((to) => relative(ROOT, to))]));
    const guarded = GUARDED.map((d) => `${d}/`);
    for (const d of GUARDED) expect(sources(d).length, `${d} holds sources`).toBeGreaterThan(0);
    const offending = circles(graph).filter((c) => c.some((f) => guarded.some((g) => f.startsWith(g))));
    expect(offending).toEqual([]);
  });

  it('the walker reports a circle, and only the files on it', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts', 'd.ts']],
      ['e.ts', ['a.ts']],
    ]);
    expect(circles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
  });
});
