import Database from 'better-sqlite3';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Histogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Catalog, openCatalog } from '../index.js';
import { component, group, tempTree, type TempTree } from '../../testing/fixtures.js';

const FILES = 200;
const PER_FILE = 100;
const name = (i: number) => `svc-${String(i).padStart(5, '0')}`;

/** FILES × PER_FILE Components owned by `owner`, a hundred to a file, and the two teams. */
function writeCatalog(tree: TempTree, owner: string): void {
  tree.write('repo/teams.yaml', [group('team-a'), group('team-b')].join('---\n'));
  for (let f = 0; f < FILES; f++) {
    const docs = Array.from({ length: PER_FILE }, (_, i) => component(name(f * PER_FILE + i), { owner }, { description: `${owner} runs it` }));
    tree.write(`repo/part-${f}/catalog-info.yaml`, docs.join('---\n'));
  }
}

/** Resolves once the histogram has recorded one more sample: a sample covers the loop's time since the last. */
async function nextSample(h: Histogram): Promise<void> {
  const seen = h.count;
  while (h.count === seen) await new Promise((r) => setTimeout(r, 1));
}

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

const ownerOf = (query: string) => catalog.whoOwns(query).owner?.ref;

describe('ingest in a worker thread', () => {
  it('keeps the event loop free and answers from the old catalog until a 20k-entity re-ingest commits', { timeout: 180_000 }, async () => {
    writeCatalog(tree, 'team-a');
    expect((await catalog.ingest([tree.path('repo')])).entities.total).toBe(FILES * PER_FILE + 2);
    writeCatalog(tree, 'team-b');

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    await nextSample(delay);
    let settled = false;
    const run = catalog.ingest([tree.path('repo')]).finally(() => (settled = true));
    // The first and the last entity written: a half-committed run would show them disagreeing.
    const answers: (string | undefined)[] = [];
    while (!settled) {
      answers.push(ownerOf(name(0)), ownerOf(name(FILES * PER_FILE - 1)));
      await new Promise((r) => setTimeout(r, 5));
    }
    const report = await run;
    // A block just before the run settled shows in the sample after it.
    await nextSample(delay);
    delay.disable();

    expect(report.entities.updated).toBe(FILES * PER_FILE);
    expect(delay.max / 1e6).toBeLessThan(200);
    // Old answers while the run went on, then the new ones from its commit on, never a mix.
    const firstNew = answers.indexOf('group:default/team-b');
    expect(answers.slice(0, firstNew === -1 ? undefined : firstNew).length).toBeGreaterThan(20);
    expect(new Set(answers.slice(0, firstNew === -1 ? undefined : firstNew))).toEqual(new Set(['group:default/team-a']));
    if (firstNew !== -1) expect(new Set(answers.slice(firstNew))).toEqual(new Set(['group:default/team-b']));
    expect(ownerOf(name(0))).toBe('group:default/team-b');
    expect(ownerOf(name(FILES * PER_FILE - 1))).toBe('group:default/team-b');
  });

  it('forgets what it derived from the old rows once a run commits', async () => {
    tree.write('repo/catalog-info.yaml', [group('team-a', {}, { title: 'Team A' }), component('svc')].join('---\n'));
    await catalog.ingest([tree.path('repo')]);
    expect(catalog.whoOwns('svc').owner?.displayName).toBe('Team A');
    tree.write('repo/catalog-info.yaml', [group('team-a', {}, { title: 'Team A, renamed' }), component('svc')].join('---\n'));
    await catalog.ingest([tree.path('repo')]);
    expect(catalog.whoOwns('svc').owner?.displayName).toBe('Team A, renamed');
  });

  it('rejects a run that fails in the worker with the reason, and keeps every entity', { timeout: 60_000 }, async () => {
    tree.write('repo/catalog-info.yaml', [group('team-a'), group('team-b'), component('svc', { owner: 'team-a' })].join('---\n'));
    await catalog.ingest([tree.path('repo')]);
    tree.write('repo/catalog-info.yaml', [group('team-a'), group('team-b'), component('svc', { owner: 'team-b' })].join('---\n'));
    // Another writer holds the file past busy_timeout (5 s): the worker's write transaction cannot begin.
    const other = new Database(tree.path('catalog.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      const failed = catalog.ingest([tree.path('repo')]);
      await expect(failed).rejects.toMatchObject({ code: 'ingest_failed', message: expect.stringMatching(/database is locked.*catalog is unchanged/) });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(ownerOf('svc')).toBe('group:default/team-a');
    // The next run starts clean and applies the change.
    expect((await catalog.ingest([tree.path('repo')])).problems).toEqual([]);
    expect(ownerOf('svc')).toBe('group:default/team-b');
  });

  it('rejects a run whose worker crashes (out of memory), keeps every entity, and runs the next one', { timeout: 120_000 }, async () => {
    writeCatalog(tree, 'team-a');
    await catalog.ingest([tree.path('repo')]);
    writeCatalog(tree, 'team-b');
    await expect(catalog.ingest([tree.path('repo')], { maxHeapMb: 16 })).rejects.toMatchObject({
      code: 'ingest_failed',
      message: expect.stringMatching(/ran out of memory \(heap limit 16 MB\).*catalog is unchanged/),
    });
    expect(ownerOf(name(0))).toBe('group:default/team-a');
    expect(catalog.stats().entities).toBe(FILES * PER_FILE + 2);
    expect((await catalog.ingest([tree.path('repo')])).entities.updated).toBe(FILES * PER_FILE);
    expect(ownerOf(name(0))).toBe('group:default/team-b');
  });

  it('rejects options that are not plain data, naming them', async () => {
    tree.write('repo/catalog-info.yaml', component('svc'));
    const options = { limits: { maxDepth: (() => 64) as unknown as number } };
    await expect(catalog.ingest([tree.path('repo')], options)).rejects.toThrow(/options must be plain data/);
    expect(catalog.getEntity('svc')).toBeNull();
  });

  it('stops a run when its catalog is closed, committing nothing', async () => {
    tree.write('repo/catalog-info.yaml', component('kept'));
    await catalog.ingest([tree.path('repo')]);
    let held: ServerResponse | undefined;
    let arrived!: () => void;
    const requested = new Promise<void>((r) => (arrived = r));
    const server = createServer((_req, res) => {
      held = res;
      arrived();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow.yaml`;
      tree.write('repo/catalog-info.yaml', [component('kept'), component('added')].join('---\n'));
      const run = catalog.ingest([tree.path('repo'), url], { fetchAllow: ['127.0.0.1'], fetchTimeoutMs: 30_000 });
      await requested;
      catalog.close();
      await expect(run).rejects.toThrow(/closed during the run.*catalog is unchanged/);
    } finally {
      held?.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
    catalog = openCatalog(tree.path('catalog.db'));
    expect(catalog.getEntity('kept')).not.toBeNull();
    expect(catalog.getEntity('added')).toBeNull();
  });
});
