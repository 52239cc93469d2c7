/** POST /api/deployments over real HTTP, with a real catalog and deploy history. */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { openDeployments, type DeploymentLog } from '../deployments/index.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../testing/fixtures.js';
import { deploymentsRoute } from './deployments-route.js';
import { Metrics } from './metrics.js';
import { startHttpServer } from './server.js';

const TOKEN = 'deploy-token-0123456789';
let tree: TempTree;
let catalog: Catalog;
let log: DeploymentLog;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  tree = tempTree();
  catalog = openCatalog(tree.path('c.db'));
  await catalog.ingest([SAMPLE_CATALOG]);
  log = openDeployments(tree.path('c.db'));
  const serviceRef = (s: string) => {
    const e = catalog.getEntity(s);
    return e?.kind === 'Component' ? e.ref : null;
  };
  const http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    metrics: new Metrics(),
    logger: pino({ level: 'silent' }),
    health: () => ({ status: 'ok' }),
    routes: { 'POST /api/deployments': deploymentsRoute({ token: TOKEN, deployments: log, serviceRef }) },
  });
  url = `http://127.0.0.1:${http.port}/api/deployments`;
  close = http.close;
});

afterAll(async () => {
  await close();
  log.close();
  catalog.close();
  tree.cleanup();
});

const post = (body: unknown, token = TOKEN) =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /api/deployments', () => {
  it('records a deploy of a catalog component', async () => {
    const res = await post({ service: 'payments-api', version: '1.4.0', environment: 'production', commit: 'abc1234', url: 'https://ci.example/runs/1' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ serviceRef: 'component:default/payments-api', version: '1.4.0', status: 'succeeded' });
  });

  it('refuses a missing or wrong token with 401 and records nothing', async () => {
    expect((await post({ service: 'payments-api', version: '9.9.9' }, 'wrong-token-0123456789')).status).toBe(401);
    expect((await log.list('component:default/payments-api', 'production')).map((d) => d.version)).not.toContain('9.9.9');
  });

  it('names every bad field', async () => {
    const res = await post({ service: 'payments-api', commit: 'not-a-hash', url: 'nope' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { problems: string[] };
    expect(body.problems.map((p) => p.split(':')[0])).toEqual(['version', 'commit', 'url']);
  });

  it('refuses a service that is not in the catalog, without guessing a near name', async () => {
    const res = await post({ service: 'paymnets-api', version: '1.0.0' });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toContain('paymnets-api');
  });

  it('refuses a body that is not JSON', async () => {
    expect((await post('{oops')).status).toBe(400);
  });

  it('gives a rollback the previous successful version', async () => {
    for (const [version, status, at] of [
      ['2.0.0', 'succeeded', '2026-11-01T10:00:00Z'],
      ['2.1.0', 'failed', '2026-11-02T10:00:00Z'],
      ['2.2.0', 'succeeded', '2026-11-03T10:00:00Z'],
    ]) {
      expect((await post({ service: 'ledger', version, status, at })).status).toBe(201);
    }
    expect((await log.previousSuccessful('component:default/ledger', 'production'))?.version).toBe('2.0.0');
  });
});
