import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../index.js';
import { component, tempTree, type TempTree } from '../../testing/fixtures.js';

let tree: TempTree;
let catalog: Catalog;

beforeEach(() => {
  tree = tempTree();
  catalog = openCatalog(tree.path('catalog.db'));
});

afterEach(() => {
  catalog.close();
  tree.cleanup();
});

/** 475 bytes that expand to 9^9 strings: js-yaml keeps aliases as shared references, JSON.stringify does not. */
const ALIAS_BOMB = [
  'apiVersion: backstage.io/v1alpha1',
  'kind: Component',
  'metadata:',
  '  name: bomb',
  '  a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...'bcdefghi'.split('').map((l, i) => `  ${l}: &${l} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  'spec: {type: service, lifecycle: production, owner: team-a}',
  '',
].join('\n');

describe('bounded input', () => {
  it('fails an alias bomb alone, with file and line, and ingests the file beside it', async () => {
    const bomb = tree.write('repo/bomb.yaml', ALIAS_BOMB);
    tree.write('repo/good.yaml', component('good'));
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'limit', location: bomb, line: 1 })]);
    expect(report.problems[0]?.message).toContain('catalog.limits');
    expect(catalog.getEntity('good')).not.toBeNull();
  });

  it('keeps the last good entities of a file that turns into an alias bomb, marked stale', async () => {
    tree.write('repo/svc.yaml', component('payments'));
    await catalog.ingest([tree.path('repo')]);
    tree.write('repo/svc.yaml', ALIAS_BOMB);
    await catalog.ingest([tree.path('repo')]);
    expect(catalog.whoOwns('payments').freshness?.stale).toBe(true);
  });

  it('refuses a self-referencing alias (a cycle)', async () => {
    const file = tree.write('repo/cycle.yaml', 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: &m\n  name: c\n  self: [*m]\n');
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.problems[0]).toMatchObject({ location: file });
  });

  it('does not read a file over the size cap, and says which limit', async () => {
    const big = tree.write('repo/big.yaml', component('big', {}, { description: 'x'.repeat(2000) }));
    tree.write('repo/good.yaml', component('good'));
    const report = await catalog.ingest([tree.path('repo')], { limits: { maxFileBytes: 1000 } });
    expect(report.problems).toEqual([expect.objectContaining({ code: 'limit', location: big })]);
    expect(report.problems[0]?.message).toContain('maxFileBytes');
    expect(catalog.getEntity('good')).not.toBeNull();
  });

  it('reads only regular files: a FIFO named as a root is refused, not waited on', async () => {
    const fifo = tree.path('pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    tree.write('repo/good.yaml', component('good'));
    const report = await catalog.ingest([fifo, tree.path('repo')]);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'read', location: fifo })]);
    expect(report.problems[0]?.message).toContain('not a regular file');
    expect(catalog.getEntity('good')).not.toBeNull();
  });

  it('survives generated hostile YAML beside a good file: no throw, every good entity present', async () => {
    const good = [component('good-a'), component('good-b')].join('---\n');
    const hostile = fc.oneof(
      // Alias chains of random width and depth.
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 })).map(([width, depth]) => {
        const lines = ['kind: Component', 'metadata:', '  name: x', `  l0: &l0 [${Array(width).fill('"y"').join(',')}]`];
        for (let i = 1; i <= depth; i++)
          lines.push(
            `  l${i}: &l${i} [${Array(width)
              .fill(`*l${i - 1}`)
              .join(',')}]`,
          );
        return lines.join('\n');
      }),
      // Deep nesting, flow and block.
      fc.integer({ min: 1, max: 5000 }).map((n) => `a: ${'['.repeat(n)}${']'.repeat(n)}`),
      fc.integer({ min: 1, max: 300 }).map((n) => Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')),
      // Odd bytes: NUL, BOMs, control characters, invalid UTF-8, anything.
      fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.string({ maxLength: 200 }).map((s) => `\uFEFFkind: Component\n\u0000${s}\uFEFF\n---\n${s}`),
      fc.constantFrom('kind: Component\nmetadata: {name: "\uD800"}\n', '---\n...\n---\n', '&a [*a]', '*unknown', '? [a]\n: b', 'kind: !!binary x'),
    );
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        const t = tempTree();
        const c = openCatalog(t.path('catalog.db'));
        try {
          t.write('repo/a-hostile.yaml', text);
          t.write('repo/good.yaml', good);
          const report = await c.ingest([t.path('repo')]);
          expect(report.problems.every((p) => p.location.endsWith('a-hostile.yaml'))).toBe(true);
          expect(c.getEntity('good-a')).not.toBeNull();
          expect(c.getEntity('good-b')).not.toBeNull();
        } finally {
          c.close();
          t.cleanup();
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
