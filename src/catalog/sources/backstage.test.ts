import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BackstageEmulator, type BackstageEntity, startBackstageEmulator } from '../../testing/backstage-emulator.js';
import { tempTree, type TempTree } from '../../testing/fixtures.js';
import { openCatalog, type Catalog, type IngestOptions, type IngestRoot } from '../index.js';
import { kindRule } from '../rules.js';

const repo = (name: string) => `url:https://git.example/acme/${name}/blob/main/catalog-info.yaml`;

function entity(kind: string, name: string, origin: string, spec: Record<string, unknown> = {}): BackstageEntity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', annotations: { 'backstage.io/managed-by-location': origin, 'backstage.io/managed-by-origin-location': origin } },
    spec,
  };
}
const service = (name: string, origin: string, owner = 'team-a') => entity('Component', name, origin, { type: 'service', lifecycle: 'production', owner });
const team = (name: string, origin: string) => entity('Group', name, origin, { type: 'team', children: [] });

/** Three origins: payments (2 services), search (1 service), org (the team). */
const CATALOG = [
  service('payments-api', repo('payments')),
  service('payments-worker', repo('payments')),
  service('search-api', repo('search')),
  team('team-a', repo('org')),
];

let tree: TempTree;
let catalog: Catalog;
let emulator: BackstageEmulator;
const options: IngestOptions = { backstage: { pageSize: 2, retries: 2, retryBaseMs: 5 } };
const root = (token = emulator.token, extra: Partial<IngestRoot> = {}): IngestRoot => ({
  target: emulator.url,
  source: { type: 'backstage', token },
  ...extra,
});
const at = (iso: string) => ({ ...options, now: () => new Date(iso) });

beforeEach(async () => {
  tree = tempTree();
  catalog = openCatalog(tree.path('catalog.db'));
  emulator = await startBackstageEmulator({ entities: CATALOG });
});

afterEach(async () => {
  catalog.close();
  await emulator.close();
  tree.cleanup();
});

describe('Backstage catalog source', () => {
  it('ingests the whole catalog, each entity filed under its Backstage origin', async () => {
    const report = await catalog.ingest([root()], options);
    expect(report.problems).toEqual([]);
    expect(report.entities.total).toBe(4);
    expect(report.sources.read).toBe(3);
    const answer = catalog.whoOwns('payments-api');
    expect(answer.owner?.ref).toBe('group:default/team-a');
    expect(answer.freshness).toMatchObject({ source: 'https://git.example/acme/payments/blob/main/catalog-info.yaml', stale: false });
    // The token went as a bearer token on every page.
    expect(emulator.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('follows nextCursor over several pages, asking only for the fields it stores', async () => {
    await catalog.ingest([root()], options);
    const pages = emulator.requests.filter((r) => r.path === '/api/catalog/entities/by-query');
    expect(pages.map((r) => r.page)).toEqual([1, 2]);
    expect(pages[0]?.query.get('limit')).toBe('2');
    expect(pages[0]?.query.get('fields')).toBe('apiVersion,kind,metadata,spec');
    expect(pages[1]?.query.get('cursor')).toEqual(expect.any(String));
  });

  it('on refresh rewrites only the origins that changed, and removes what Backstage dropped', async () => {
    await catalog.ingest([root()], at('2026-05-01T10:00:00Z'));
    emulator.upsert(service('payments-api', repo('payments'), 'team-b'));
    emulator.remove('component:default/search-api');
    const report = await catalog.ingest([root()], at('2026-05-01T11:00:00Z'));
    expect(report.problems).toEqual([]);
    // payments rewritten (one updated, one the same), search gone with its only entity, org untouched.
    expect(report.sources).toMatchObject({ read: 2, unchanged: 1, removed: 1 });
    expect(report.entities).toMatchObject({ updated: 2, removed: 1, total: 3 });
    expect(catalog.whoOwns('payments-api').owner?.ref).toBe('group:default/team-b');
    expect(catalog.whoOwns('search-api').status).toBe('not_found');
    expect(catalog.whoOwns('team-a').freshness?.ingestedAt).toBe('2026-05-01T10:00:00.000Z');
    expect(catalog.whoOwns('payments-worker').freshness?.ingestedAt).toBe('2026-05-01T11:00:00.000Z');
  });

  it('reports an unchanged catalog as unchanged', async () => {
    await catalog.ingest([root()], options);
    const again = await catalog.ingest([root()], options);
    expect(again.sources).toMatchObject({ read: 3, unchanged: 3 });
    expect(again.entities).toMatchObject({ added: 0, updated: 0, removed: 0, total: 4 });
  });

  it('leaves an origin unchanged when Backstage only re-stitched its entities (a new etag)', async () => {
    await catalog.ingest([root()], options);
    emulator.upsert(service('payments-api', repo('payments')));
    const again = await catalog.ingest([root()], options);
    expect(again.sources).toMatchObject({ read: 3, unchanged: 3 });
  });

  it('keeps the last good entities, marked stale, when a page fails after its retries', async () => {
    await catalog.ingest([root()], options);
    emulator.remove('component:default/search-api');
    emulator.failPage(2, 500, { times: 3 });
    const report = await catalog.ingest([root()], options);
    expect(emulator.requests.filter((r) => r.page === 2 && r.status === 500)).toHaveLength(3);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ code: 'fetch', location: emulator.url });
    expect(report.problems[0]?.message).toMatch(/page 2\) answered 500 \(Error: Internal Server Error\) after 3 attempts/);
    // Nothing removed on a partial read: search-api is still there, stale like every other entity.
    expect(report.entities).toMatchObject({ removed: 0, stale: 4, total: 4 });
    expect(catalog.whoOwns('search-api').freshness?.stale).toBe(true);
  });

  it('gets past a failed page on a retry', async () => {
    emulator.failPage(2, 503, { times: 1 });
    const report = await catalog.ingest([root()], options);
    expect(report.problems).toEqual([]);
    expect(report.entities.total).toBe(4);
  });

  it('waits as long as a 429’s Retry-After says before asking again', async () => {
    emulator.failPage(2, 429, { times: 1, retryAfterSeconds: 1 });
    const report = await catalog.ingest([root()], options);
    expect(report.problems).toEqual([]);
    const [limited, retried] = emulator.requests.filter((r) => r.page === 2);
    expect(limited?.status).toBe(429);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(950);
  });

  it('names BACKSTAGE_URL and BACKSTAGE_TOKEN when the token is refused, and keeps what it had', async () => {
    await catalog.ingest([root()], options);
    const report = await catalog.ingest([root('not-the-token')], options);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ code: 'fetch', location: emulator.url });
    expect(report.problems[0]?.message).toContain(`Backstage at BACKSTAGE_URL ${emulator.url} refused BACKSTAGE_TOKEN`);
    expect(report.problems[0]?.message).toContain('answered 401 (AuthenticationError: Illegal token)');
    expect(report.problems[0]?.message).not.toContain('not-the-token');
    // A refusal is not retried.
    expect(emulator.requests.filter((r) => r.status === 401)).toHaveLength(1);
    expect(report.entities.stale).toBe(4);
  });

  it('validates what Backstage returns: an invalid entity is reported under its origin, the rest kept', async () => {
    emulator.upsert(entity('Component', 'no-lifecycle', repo('broken'), { type: 'service' }));
    const report = await catalog.ingest([root()], options);
    expect(report.entities.total).toBe(4);
    expect(report.problems).toEqual([
      expect.objectContaining({ code: 'invalid', location: repo('broken'), message: expect.stringContaining('Component "no-lifecycle": spec.lifecycle') }),
    ]);
  });

  it('applies the root’s kind rule to Backstage entities', async () => {
    const report = await catalog.ingest([root(emulator.token, { rule: kindRule(['Component']) })], options);
    expect(report.entities.total).toBe(3);
    expect(report.problems).toEqual([
      expect.objectContaining({ code: 'rule', location: repo('org'), message: expect.stringContaining('group:default/team-a refused') }),
    ]);
  });

  it('files an entity without a managed-by-location under the Backstage instance', async () => {
    emulator.upsert({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'orphan' },
      spec: { type: 'service', lifecycle: 'experimental' },
    });
    await catalog.ingest([root()], options);
    expect(catalog.whoOwns('orphan').freshness?.source).toBe(`backstage:${emulator.url}`);
  });

  it('reports an unreachable Backstage and keeps its entities', async () => {
    await catalog.ingest([root()], options);
    const url = emulator.url;
    await emulator.close();
    const report = await catalog.ingest([root()], options);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'fetch', location: url, message: expect.stringContaining('ECONNREFUSED') })]);
    expect(report.entities).toMatchObject({ stale: 4, total: 4 });
    emulator = await startBackstageEmulator();
  });
});
