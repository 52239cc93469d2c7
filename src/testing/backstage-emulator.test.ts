import { afterEach, describe, expect, it } from 'vitest';
import { type BackstageEmulator, type BackstageEntity, startBackstageEmulator } from './backstage-emulator.js';

const component = (name: string, origin = 'url:https://git.example/acme/repo/blob/main/catalog-info.yaml'): BackstageEntity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations: { 'backstage.io/managed-by-location': origin } },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
});

/** A by-query answer, or Backstage's error body. */
interface Answer {
  items: BackstageEntity[];
  totalItems: number;
  pageInfo: { nextCursor?: string; prevCursor?: string };
  error?: { name: string; message: string };
  response?: { statusCode: number };
}

let emulator: BackstageEmulator;
afterEach(() => emulator.close());

async function get(path: string, token: string | null = emulator.token) {
  const res = await fetch(`${emulator.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer };
}

/** Every item, page after page, as a client following nextCursor sees them. */
async function readAll(query = ''): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let pages = 0;
  for (let cursor: string | undefined; ;) {
    const r = await get(`/api/catalog/entities/by-query?${cursor ? `cursor=${encodeURIComponent(cursor)}&` : ''}${query}`);
    expect(r.status).toBe(200);
    pages++;
    names.push(...r.body.items.map((e) => e.metadata.name));
    cursor = r.body.pageInfo.nextCursor;
    if (!cursor) return { names, pages };
  }
}

describe('Backstage emulator', () => {
  it('answers by-query in the documented shape, with Backstage’s default limit of 20', async () => {
    emulator = await startBackstageEmulator({ entities: Array.from({ length: 25 }, (_, i) => component(`svc-${i}`)) });
    const r = await get('/api/catalog/entities/by-query');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['items', 'totalItems', 'pageInfo']);
    expect(r.body.items).toHaveLength(20);
    expect(r.body.totalItems).toBe(25);
    expect(typeof r.body.pageInfo.nextCursor).toBe('string');
    expect(r.body.pageInfo.prevCursor).toBeUndefined();
    expect(r.body.items[0]?.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('pages every entity exactly once by cursor, and gives later pages a prevCursor', async () => {
    emulator = await startBackstageEmulator({ entities: Array.from({ length: 23 }, (_, i) => component(`svc-${i}`)) });
    const all = await readAll('limit=5');
    expect(all.pages).toBe(5);
    expect(all.names).toEqual(Array.from({ length: 23 }, (_, i) => `svc-${i}`));
    const cursor = encodeURIComponent((await get('/api/catalog/entities/by-query?limit=5')).body.pageInfo.nextCursor!);
    expect((await get(`/api/catalog/entities/by-query?cursor=${cursor}`)).body.pageInfo.prevCursor).toEqual(expect.any(String));
  });

  it('cuts a limit above maxLimit short, so only nextCursor says whether more follows', async () => {
    emulator = await startBackstageEmulator({ entities: Array.from({ length: 12 }, (_, i) => component(`svc-${i}`)), maxLimit: 5 });
    const first = await get('/api/catalog/entities/by-query?limit=100');
    expect(first.body.items).toHaveLength(5);
    expect(first.body.pageInfo.nextCursor).toEqual(expect.any(String));
    expect((await readAll('limit=100')).names).toHaveLength(12);
  });

  it('keeps only the requested fields', async () => {
    emulator = await startBackstageEmulator({ entities: [component('svc')] });
    const r = await get('/api/catalog/entities/by-query?fields=kind,metadata.name');
    expect(r.body.items).toEqual([{ kind: 'Component', metadata: { name: 'svc' } }]);
  });

  it('refuses a missing or wrong token with Backstage’s error body', async () => {
    emulator = await startBackstageEmulator({ entities: [component('svc')] });
    const missing = await get('/api/catalog/entities/by-query', null);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      error: { name: 'AuthenticationError', message: 'Missing credentials' },
      request: { method: 'GET', url: '/api/catalog/entities/by-query' },
      response: { statusCode: 401 },
    });
    expect((await get('/api/catalog/entities/by-query', 'not-the-token')).status).toBe(401);
  });

  it('fails the page it is told to, as often as told, with Retry-After on a 429', async () => {
    emulator = await startBackstageEmulator({ entities: Array.from({ length: 4 }, (_, i) => component(`svc-${i}`)) });
    emulator.failPage(2, 429, { times: 1, retryAfterSeconds: 7 });
    const first = await get('/api/catalog/entities/by-query?limit=2');
    const cursor = encodeURIComponent(first.body.pageInfo.nextCursor!);
    const limited = await get(`/api/catalog/entities/by-query?cursor=${cursor}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body.response).toEqual({ statusCode: 429 });
    expect((await get(`/api/catalog/entities/by-query?cursor=${cursor}`)).status).toBe(200);
  });

  it('neither repeats nor skips an entity when another changes between pages', async () => {
    emulator = await startBackstageEmulator({ entities: Array.from({ length: 6 }, (_, i) => component(`svc-${i}`)) });
    const first = await get('/api/catalog/entities/by-query?limit=3');
    emulator.remove('component:default/svc-0');
    emulator.upsert(component('svc-new'));
    const rest = await get(`/api/catalog/entities/by-query?cursor=${encodeURIComponent(first.body.pageInfo.nextCursor!)}&limit=10`);
    expect(rest.body.items.map((e) => e.metadata.name)).toEqual(['svc-3', 'svc-4', 'svc-5', 'svc-new']);
    expect((await readAll()).names).not.toContain('svc-0');
  });

  it('serves generated entities made on demand', async () => {
    let made = 0;
    emulator = await startBackstageEmulator({
      generate: {
        count: 10_000,
        entity: (i) => {
          made++;
          return component(`gen-${i}`);
        },
      },
    });
    const r = await get('/api/catalog/entities/by-query?limit=3');
    expect(r.body.totalItems).toBe(10_000);
    expect(r.body.items.map((e) => e.metadata.name)).toEqual(['gen-0', 'gen-1', 'gen-2']);
    // The page and the one after it, to know whether a next page exists; not the other 9,996.
    expect(made).toBe(4);
  });
});
