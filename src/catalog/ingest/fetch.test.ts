import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../index.js';
import { addressPolicy, unmap } from './address.js';
import { component, tempTree, type TempTree, yamlDoc } from '../../testing/fixtures.js';

let tree: TempTree;
let catalog: Catalog;
let server: Server;
let base: string;
let requests: string[];
const routes: Record<string, { status?: number; headers?: Record<string, string>; body?: string }> = {};

beforeEach(async () => {
  tree = tempTree();
  catalog = openCatalog(tree.path('catalog.db'));
  requests = [];
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const route = routes[req.url ?? ''] ?? { status: 404, body: 'not found' };
    res.writeHead(route.status ?? 200, route.headers ?? {});
    res.end(route.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  catalog.close();
  tree.cleanup();
  await new Promise<void>((r) => server.close(() => r()));
});

const locationTo = (target: string) =>
  tree.write('cat/all.yaml', yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind: 'Location', metadata: { name: 'all' }, spec: { type: 'url', target } }));

describe('URL targets', () => {
  it('refuses a Location pointing at a loopback server: reported, nothing fetched, nothing stored', async () => {
    routes['/internal'] = { body: component('internal-secret') };
    const loc = locationTo(`${base}/internal`);
    const report = await catalog.ingest([loc]);
    expect(requests).toEqual([]);
    expect(catalog.getEntity('internal-secret')).toBeNull();
    expect(report.problems).toEqual([expect.objectContaining({ code: 'target', location: loc, line: 1 })]);
    expect(report.problems[0]?.message).toContain('catalog.fetch.allow');
  });

  it('fetches a loopback server the operator allows with catalog.fetch.allow', async () => {
    routes['/svc.yaml'] = { body: component('remote-svc') };
    const report = await catalog.ingest([locationTo(`${base}/svc.yaml`)], { fetchAllow: ['127.0.0.1'] });
    expect(report.problems).toEqual([]);
    expect(catalog.getEntity('remote-svc')).not.toBeNull();
  });

  it('puts operator-listed URL roots through the same guard', async () => {
    routes['/svc.yaml'] = { body: component('remote-svc') };
    const report = await catalog.ingest([`${base}/svc.yaml`]);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'fetch', location: `${base}/svc.yaml` })]);
    expect(requests).toEqual([]);
  });

  it('checks every redirect: an allowed host may not send the fetch on to a refused one', async () => {
    // Allowed by CIDR as an address, refused by name once the redirect names localhost's metadata-like host.
    routes['/hop'] = { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } };
    const report = await catalog.ingest([locationTo(`${base}/hop`)], { fetchAllow: ['127.0.0.0/8'] });
    expect(requests).toEqual(['/hop']);
    expect(report.problems[0]?.message).toMatch(/169\.254\.169\.254.*redirected/);
  });

  it('follows at most five redirects', async () => {
    for (let i = 0; i < 7; i++) routes[`/r${i}`] = { status: 302, headers: { location: `/r${i + 1}` } };
    const report = await catalog.ingest([locationTo(`${base}/r0`)], { fetchAllow: ['127.0.0.1'] });
    expect(report.problems[0]?.message).toContain('more than 5 redirects');
  });

  it('stops reading an answer at the size cap', async () => {
    routes['/big.yaml'] = { body: component('big', {}, { description: 'x'.repeat(5000) }) };
    const report = await catalog.ingest([locationTo(`${base}/big.yaml`)], { fetchAllow: ['127.0.0.1'], limits: { maxFileBytes: 1000 } });
    expect(report.problems[0]?.message).toContain('maxFileBytes');
    expect(catalog.getEntity('big')).toBeNull();
  });

  it('fetches http and https only', async () => {
    const loc = locationTo('ftp://example.com/catalog-info.yaml');
    const report = await catalog.ingest([loc]);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'target', location: loc })]);
  });
});

describe('address policy', () => {
  const policy = addressPolicy();
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '::1',
    'fd00:ec2::254',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
  ])('refuses %s', (address) => expect(policy.refuseAddress(address, address)).toBeDefined());

  it('refuses the GCP metadata host by name', () => expect(policy.refuseHost('metadata.google.internal')).toBeDefined());

  it('lets public addresses through', () => {
    expect(policy.refuseAddress('example.com', '93.184.215.14')).toBeUndefined();
    expect(policy.refuseAddress('example.com', '2606:2800:21f:cb07:6820:80da:af6b:8b2c')).toBeUndefined();
  });

  it('reads IPv4-mapped IPv6 as the IPv4 address it carries', () => expect(unmap('::ffff:7f00:1')).toBe('127.0.0.1'));

  it('allows by host name, address or CIDR', () => {
    const open = addressPolicy(['catalog.internal', '10.1.0.0/16', '127.0.0.1']);
    expect(open.refuseAddress('catalog.internal', '10.9.9.9')).toBeUndefined();
    expect(open.refuseAddress('x', '10.1.2.3')).toBeUndefined();
    expect(open.refuseAddress('x', '::ffff:127.0.0.1')).toBeUndefined();
    expect(open.refuseAddress('x', '10.2.0.1')).toBeDefined();
  });
});
