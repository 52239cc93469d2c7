import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { openState } from '../../state/index.js';
import { openCatalog } from '../index.js';
import { component, tempTree } from '../../testing/fixtures.js';

it('holds no write lock while it waits on a slow URL: the bot writes to the same file at once', async () => {
  const tree = tempTree();
  const file = tree.path('switchboard.db');
  let held: ServerResponse | undefined;
  let arrived!: () => void;
  const requested = new Promise<void>((r) => (arrived = r));
  const server = createServer((_req, res) => {
    held = res;
    arrived();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow.yaml`;
  const catalog = openCatalog(file);
  const state = openState(file);
  try {
    // A first ingest, so the slow one below has a source to update.
    tree.write('repo/a.yaml', component('a'));
    await catalog.ingest([tree.path('repo')]);
    const ingest = catalog.ingest([tree.path('repo'), url], { fetchAllow: ['127.0.0.1'], fetchTimeoutMs: 30_000 });
    await requested;
    const started = Date.now();
    expect(await state.claimDelivery('delivery-1')).toBe(true);
    // busy_timeout is 5 s: a write that had to wait for the ingest's lock would take that long, then fail.
    expect(Date.now() - started).toBeLessThan(1000);
    held?.end(component('slow'));
    const report = await ingest;
    expect(report.problems).toEqual([]);
    expect(catalog.getEntity('slow')).not.toBeNull();
  } finally {
    state.close();
    catalog.close();
    await new Promise<void>((r) => server.close(() => r()));
    tree.cleanup();
  }
});
