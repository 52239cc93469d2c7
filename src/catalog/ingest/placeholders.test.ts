import Database from 'better-sqlite3';
import { cpSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../index.js';
import { addressPolicy } from './address.js';
import { resolvePlaceholders, type PlaceholderContext } from './placeholders.js';
import { DEFAULT_LIMITS } from './types.js';
import { component, EXTERNAL, tempTree, type TempTree, yamlDoc } from '../../testing/fixtures.js';

let tree: TempTree;
let catalog: Catalog;
let server: Server;
let base: string;
let requests: string[];
let routes: Record<string, string | ((res: ServerResponse) => void)>;
const loopbackAllowed = { fetchAllow: ['127.0.0.1'] };

beforeEach(async () => {
  tree = tempTree();
  catalog = openCatalog(tree.path('catalog.db'));
  requests = [];
  routes = {};
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (typeof route === 'function') return route(res);
    res.writeHead(route === undefined ? 404 : 200);
    res.end(route ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  catalog.close();
  tree.cleanup();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** The stored descriptor of `ref`, as the catalog keeps it (JSON), read from the catalog file itself. */
function bodyOf(ref: string): { metadata: Record<string, unknown>; spec: Record<string, unknown> } {
  const db = new Database(tree.path('catalog.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT body FROM entities WHERE ref = ?').get(ref) as { body: string } | undefined;
    if (!row) throw new Error(`no entity ${ref} in the catalog`);
    return JSON.parse(row.body) as ReturnType<typeof bodyOf>;
  } finally {
    db.close();
  }
}

const LINKS_YAML =
  '- url: https://grafana.example/d/ledger\n  title: Ledger dashboard\n  type: dashboard\n- url: https://wiki.example/ledger\n  title: Ledger docs\n';

/** A Component whose metadata.links is one `$yaml` placeholder, written as people write it. */
const withLinks = (name: string, target: string) =>
  [
    'apiVersion: backstage.io/v1alpha1',
    'kind: Component',
    'metadata:',
    `  name: ${name}`,
    '  links:',
    `    $yaml: ${target}`,
    'spec:',
    '  type: service',
    '  lifecycle: production',
    '  owner: team-a',
    '',
  ].join('\n');

describe('placeholders through ingest', () => {
  it("ingests Backstage's petstore-webhook API with its $text definition read from the file beside it", async () => {
    cpSync(join(EXTERNAL, 'placeholders/backstage-petstore-webhook'), tree.path('apis'), { recursive: true });
    const report = await catalog.ingest([tree.path('apis')]);
    expect(report.problems).toEqual([]);
    const definition = bodyOf('api:default/petstore-webhook').spec.definition as string;
    expect(definition).toContain('openapi: 3.1.0');
    expect(definition).toContain("$ref: '#/components/schemas/Pet'");
  });

  it('turns metadata.links {$yaml: ./links.yaml} into links that whoowns answers with', async () => {
    tree.write('repo/links.yaml', LINKS_YAML);
    tree.write('repo/catalog-info.yaml', withLinks('ledger', './links.yaml'));
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.problems).toEqual([]);
    expect(catalog.whoOwns('ledger').links.map((l) => l.url)).toEqual(['https://grafana.example/d/ledger', 'https://wiki.example/ledger']);
  });

  it('parses $json and fetches an absolute URL named by a local descriptor, under the guarded fetch', async () => {
    routes['/spec.txt'] = 'remote definition';
    tree.write('repo/config.json', '{"replicas": 3, "regions": ["eu", "us"]}');
    tree.write('repo/svc.yaml', component('billing', { config: { $json: './config.json' }, definition: { $text: `${base}/spec.txt` } }));
    const report = await catalog.ingest([tree.path('repo')], loopbackAllowed);
    expect(report.problems).toEqual([]);
    expect(bodyOf('component:default/billing').spec).toMatchObject({ config: { replicas: 3, regions: ['eu', 'us'] }, definition: 'remote definition' });
  });

  it('resolves the targets of a descriptor fetched from a URL against its URL', async () => {
    routes['/repo/catalog-info.yaml'] = component('remote', { definition: { $text: '../docs/api.md' } }, { links: { $yaml: './links.yaml' } });
    routes['/repo/links.yaml'] = LINKS_YAML;
    routes['/docs/api.md'] = '# API';
    const report = await catalog.ingest([`${base}/repo/catalog-info.yaml`], loopbackAllowed);
    expect(report.problems).toEqual([]);
    expect(requests.sort()).toEqual(['/docs/api.md', '/repo/catalog-info.yaml', '/repo/links.yaml']);
    expect(bodyOf('component:default/remote').spec.definition).toBe('# API');
    expect(catalog.whoOwns('remote').links).toHaveLength(2);
  });

  it('re-reads a descriptor whose target changed, and skips it when neither changed', async () => {
    tree.write('repo/links.yaml', LINKS_YAML);
    tree.write('repo/catalog-info.yaml', withLinks('ledger', './links.yaml'));
    await catalog.ingest([tree.path('repo')]);
    tree.write('repo/links.yaml', '- url: https://runbooks.example/ledger\n  title: Ledger runbook\n');
    const changed = await catalog.ingest([tree.path('repo')]);
    expect(changed.sources.unchanged).toBe(0);
    expect(catalog.whoOwns('ledger').links.map((l) => l.url)).toEqual(['https://runbooks.example/ledger']);
    const again = await catalog.ingest([tree.path('repo')]);
    // links.yaml holds no entity: the walk reads it as a source of its own and ignores it each time.
    expect(again.ignored).toEqual([tree.path('repo/links.yaml')]);
    expect(again.sources.unchanged).toBe(again.sources.read - again.sources.ignored);
  });

  it('keeps the last good entity, stale, when a target goes missing; the problem names file, line and target', async () => {
    tree.write('repo/links.yaml', LINKS_YAML);
    const file = tree.write('repo/catalog-info.yaml', withLinks('ledger', './links.yaml'));
    await catalog.ingest([tree.path('repo')]);
    tree.remove('repo/links.yaml');
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.problems).toEqual([
      { code: 'invalid', location: file, line: 6, message: expect.stringContaining('metadata.links: $yaml "./links.yaml" does not exist') },
    ]);
    const answer = catalog.whoOwns('ledger');
    expect(answer.freshness?.stale).toBe(true);
    expect(answer.links).toHaveLength(2);
  });

  it('fails only the document whose placeholder fails, and ingests the rest of the file', async () => {
    tree.write('repo/links.yaml', LINKS_YAML);
    tree.write('repo/all.yaml', [withLinks('good', './links.yaml'), withLinks('broken', './nowhere.yaml')].join('---\n'));
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'invalid', line: 17 })]);
    expect(catalog.whoOwns('good').links).toHaveLength(2);
    expect(catalog.getEntity('broken')).toBeNull();
  });
});

describe('hostile placeholders', () => {
  const refusedAt = async (target: string, expected: string, options = {}) => {
    const file = tree.write('root/repo/catalog-info.yaml', withLinks('victim', target));
    tree.write('root/good.yaml', component('good'));
    const report = await catalog.ingest([tree.path('root')], options);
    expect(report.problems).toEqual([{ code: 'invalid', location: file, line: 6, message: expect.stringContaining(expected) }]);
    expect(catalog.getEntity('victim')).toBeNull();
    expect(catalog.getEntity('good')).not.toBeNull();
  };

  it('refuses ../../etc/passwd: it leaves the root', async () => {
    await refusedAt('../../etc/passwd', `it leaves ${tree.path('root')}`);
  });

  it('refuses an absolute path', async () => {
    await refusedAt('/etc/passwd', 'absolute paths may not be named');
  });

  it('refuses a symlink inside the root whose real path is outside it', async () => {
    writeFileSync(tree.path('secret.yaml'), '- url: https://leak.example\n');
    tree.write('root/repo/.keep', '');
    symlinkSync(tree.path('secret.yaml'), tree.path('root/repo/links.yaml'));
    await refusedAt('./links.yaml', 'symlinks may not leave the root');
  });

  it('refuses file: and other schemes', async () => {
    await refusedAt('file:///etc/passwd', 'a target is a path relative to this file or an http(s) URL');
  });

  it('refuses a URL on loopback without sending a request', async () => {
    routes['/links.yaml'] = LINKS_YAML;
    await refusedAt(`${base}/links.yaml`, 'catalog.fetch.allow');
    expect(requests).toEqual([]);
  });

  it('refuses file: from a descriptor fetched from a URL', async () => {
    routes['/catalog-info.yaml'] = withLinks('remote', 'file:///etc/passwd');
    const report = await catalog.ingest([`${base}/catalog-info.yaml`], loopbackAllowed);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'invalid', line: 6, message: expect.stringContaining('not file:') })]);
  });

  it('does not read a 10 MB target: over maxFileBytes', async () => {
    tree.write('root/repo/big.txt', 'x'.repeat(10 * 1024 * 1024));
    await refusedAt('./big.txt', 'catalog.limits.maxFileBytes');
  });

  it('fails a $yaml alias bomb on the YAML bounds', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...'bcdefghi'.split('').map((l, i) => `${l}: &${l} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
    ];
    tree.write('root/repo/bomb.txt', bomb.join('\n') + '\n');
    await refusedAt('./bomb.txt', 'catalog.limits.maxExpandedNodes');
  });

  it('fails a $json nested 500,000 deep on maxDepth, without a stack overflow', async () => {
    tree.write('root/repo/deep.json', '['.repeat(500_000) + ']'.repeat(500_000));
    const file = tree.write('root/repo/catalog-info.yaml', component('victim', { config: { $json: './deep.json' } }));
    const report = await catalog.ingest([tree.path('root')]);
    expect(report.problems).toEqual([
      expect.objectContaining({ code: 'invalid', location: file, message: expect.stringContaining('catalog.limits.maxDepth') }),
    ]);
  });

  it('refuses 10,000 placeholders in one document before reading any of them', async () => {
    routes['/t'] = 'x';
    const many = Array.from({ length: 10_000 }, () => ({ $text: `${base}/t` }));
    const file = tree.write('root/repo/catalog-info.yaml', component('victim', { many }));
    const report = await catalog.ingest([tree.path('root')], loopbackAllowed);
    expect(report.problems).toEqual([
      expect.objectContaining({ code: 'invalid', location: file, message: expect.stringContaining('more than 100 placeholders') }),
    ]);
    expect(requests).toEqual([]);
  });

  it('stops at maxPlaceholderBytes of content in one document', async () => {
    tree.write('root/repo/a.txt', 'a'.repeat(600));
    const file = tree.write('root/repo/catalog-info.yaml', component('victim', { a: { $text: './a.txt' }, b: { $text: './a.txt' } }));
    const report = await catalog.ingest([tree.path('root')], { limits: { maxPlaceholderBytes: 1000 } });
    expect(report.problems).toEqual([expect.objectContaining({ location: file, message: expect.stringContaining('catalog.limits.maxPlaceholderBytes') })]);
  });

  it('does not resolve a placeholder inside resolved content: it stays as written, its target unread', async () => {
    routes['/secret'] = 'internal';
    tree.write('root/repo/outer.yaml', `inner:\n  $text: ${base}/secret\n`);
    tree.write('root/repo/catalog-info.yaml', component('nested', { extra: { $yaml: './outer.yaml' } }));
    const report = await catalog.ingest([tree.path('root')], loopbackAllowed);
    expect(report.problems).toEqual([]);
    expect(bodyOf('component:default/nested').spec.extra).toEqual({ inner: { $text: `${base}/secret` } });
    expect(requests).toEqual([]);
  });

  it('bounds a file that names a URL which never answers by one fetch deadline', async () => {
    routes['/hang'] = () => undefined;
    const file = tree.write('root/repo/catalog-info.yaml', component('victim', { a: { $text: `${base}/hang` }, b: { $text: `${base}/hang?2` } }));
    const report = await catalog.ingest([tree.path('root')], { ...loopbackAllowed, fetchTimeoutMs: 300 });
    expect(report.problems.map((p) => [p.location, p.message])).toEqual([
      // The first fetch gets what is left of the file's deadline when it starts: 300 ms or a little less.
      [file, expect.stringMatching(/no complete answer within \d+ ms/)],
      [file, expect.stringContaining('share one 300 ms deadline, and it has passed')],
    ]);
  });

  it('refuses a $yaml target that holds two documents', async () => {
    tree.write('root/repo/links.yaml', `${LINKS_YAML}---\n${LINKS_YAML}`);
    await refusedAt('./links.yaml', 'must hold exactly one');
  });
});

describe('the resolver, as Backstage resolves', () => {
  const ctx: PlaceholderContext = {
    limits: DEFAULT_LIMITS,
    fetch: { policy: addressPolicy(), timeoutMs: 2000, maxBytes: DEFAULT_LIMITS.maxFileBytes },
    isDescriptor: (v) => typeof v === 'object' && v !== null && 'kind' in v,
  };
  const resolveIn = (text: string) => resolvePlaceholders({ location: tree.path('repo/catalog-info.yaml'), confine: tree.path('repo') }, text, ctx);

  it('leaves an object with a $ key beside other keys alone, placeholders inside it too', async () => {
    tree.write('repo/a.txt', 'A');
    const got = await resolveIn(
      yamlDoc({
        kind: 'Component',
        metadata: { name: 'x' },
        spec: { mixed: { $text: './a.txt', other: 1, inner: { $text: './a.txt' } }, plain: { $text: './a.txt' } },
      }),
    );
    expect(got?.documents[0]?.value).toMatchObject({ spec: { mixed: { $text: './a.txt', other: 1, inner: { $text: './a.txt' } }, plain: 'A' } });
  });

  it('leaves unknown $ keys ($ref) and non-string values alone', async () => {
    const text = yamlDoc({ kind: 'API', metadata: { name: 'x' }, spec: { schema: { $ref: '#/definitions/node' }, odd: { $text: 5 } } });
    expect(await resolveIn(text)).toBeUndefined();
  });

  it('resolves placeholders in sequences, e.g. shared template steps', async () => {
    tree.write('repo/step.yaml', 'id: fetch\naction: fetch:template\n');
    const got = await resolveIn(yamlDoc({ kind: 'Template', metadata: { name: 't' }, spec: { steps: [{ $yaml: './step.yaml' }, { id: 'log' }] } }));
    expect(got?.documents[0]?.value).toMatchObject({ spec: { steps: [{ id: 'fetch', action: 'fetch:template' }, { id: 'log' }] } });
  });

  it('names the line each failing placeholder is written on', async () => {
    const text = ['kind: Component', 'metadata:', '  name: x', 'spec:', '  a:', '    $text: ./one.txt', '  b: { $json: ./two.json }', ''].join('\n');
    const got = await resolveIn(text);
    expect(got?.documents[0]?.problems?.map((p) => [p.line, p.message])).toEqual([
      [6, expect.stringContaining('spec.a: $text "./one.txt" does not exist')],
      [7, expect.stringContaining('spec.b: $json "./two.json" does not exist')],
    ]);
  });

  it('changes its digest when a target changes, and only then', async () => {
    tree.write('repo/a.txt', 'one');
    const text = yamlDoc({ kind: 'Component', metadata: { name: 'x' }, spec: { a: { $text: './a.txt' } } });
    const first = (await resolveIn(text))?.digest;
    expect((await resolveIn(text))?.digest).toBe(first);
    tree.write('repo/a.txt', 'two');
    expect((await resolveIn(text))?.digest).not.toBe(first);
  });

  it('leaves documents that are not descriptors alone', async () => {
    expect(await resolveIn('steps:\n  - $text: ../../etc/passwd\n')).toBeUndefined();
  });
});
