import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../index.js';
import { component, group, tempTree, type TempTree, yamlDoc } from '../../testing/fixtures.js';

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

const owner = (q: string) => catalog.whoOwns(q).owner?.ref;

describe('ingest', () => {
  it('stores every entity of a multi-document file', async () => {
    tree.write('repo/catalog-info.yaml', [component('a'), component('b'), group('team-a')].join('---\n'));
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.problems).toEqual([]);
    expect(report.entities.total).toBe(3);
    expect(owner('a')).toBe('group:default/team-a');
  });

  it('reports an invalid document with file, line and field, and keeps the valid ones', async () => {
    const file = tree.write(
      'repo/catalog-info.yaml',
      [
        component('good'),
        yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'bad' }, spec: { type: 'service', owner: 'x' } }),
      ].join('---\n'),
    );
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.entities.total).toBe(1);
    expect(report.problems).toHaveLength(1);
    // The good document is 12 lines of JSON, then `---`: the bad one starts on line 14.
    expect(report.problems[0]).toMatchObject({ code: 'invalid', location: file, line: 14 });
    expect(report.problems[0]?.message).toContain('Component "bad": spec.lifecycle');
  });

  it('keeps the last good entities of a file that stops parsing, marked stale', async () => {
    tree.write('repo/catalog-info.yaml', component('payments'));
    await catalog.ingest([tree.path('repo')]);
    tree.write('repo/catalog-info.yaml', 'apiVersion: backstage.io/v1alpha1\nkind: [Component\n');
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.problems[0]).toMatchObject({ code: 'yaml', line: 3 });
    const answer = catalog.whoOwns('payments');
    expect(answer.status).toBe('found');
    expect(answer.freshness?.stale).toBe(true);
    expect(report.entities.stale).toBe(1);
  });

  it('keeps an entity whose document turns invalid, marked stale', async () => {
    tree.write('repo/catalog-info.yaml', [component('a'), component('b')].join('---\n'));
    await catalog.ingest([tree.path('repo')]);
    tree.write('repo/catalog-info.yaml', [component('a'), component('b', { lifecycle: 42 })].join('---\n'));
    await catalog.ingest([tree.path('repo')]);
    expect(catalog.whoOwns('b').freshness?.stale).toBe(true);
    expect(catalog.whoOwns('a').freshness?.stale).toBe(false);
  });

  it('clears the stale mark once the file is fixed', async () => {
    tree.write('repo/catalog-info.yaml', component('payments'));
    await catalog.ingest([tree.path('repo')]);
    tree.write('repo/catalog-info.yaml', 'kind: [\n');
    await catalog.ingest([tree.path('repo')]);
    tree.write('repo/catalog-info.yaml', component('payments', { owner: 'team-b' }));
    await catalog.ingest([tree.path('repo')]);
    const answer = catalog.whoOwns('payments');
    expect(answer.freshness?.stale).toBe(false);
    expect(answer.owner?.ref).toBe('group:default/team-b');
  });

  it('answers with what another process ingested since, not with a cached copy', async () => {
    const people = (name: string) =>
      [
        group('team-a', { members: ['jane'] }),
        yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name: 'jane' }, spec: { profile: { displayName: name } } }),
        component('svc'),
      ].join('---\n');
    tree.write('repo/catalog-info.yaml', people('Jane Old'));
    await catalog.ingest([tree.path('repo')]);
    const reader = openCatalog(tree.path('catalog.db'));
    expect(reader.whoOwns('svc').owner?.members[0]?.displayName).toBe('Jane Old');
    tree.write('repo/catalog-info.yaml', people('Jane New'));
    await catalog.ingest([tree.path('repo')]);
    expect(reader.whoOwns('svc').owner?.members[0]?.displayName).toBe('Jane New');
    expect(catalog.whoOwns('svc').owner?.members[0]?.displayName).toBe('Jane New');
    reader.close();
  });

  it('removes entities that vanish from a file that parsed cleanly', async () => {
    tree.write('repo/catalog-info.yaml', [component('a'), component('b')].join('---\n'));
    await catalog.ingest([tree.path('repo')]);
    tree.write('repo/catalog-info.yaml', component('a'));
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.entities.removed).toBe(1);
    expect(catalog.whoOwns('b').status).not.toBe('found');
  });

  it('removes the entities of a file deleted from an ingested folder', async () => {
    tree.write('repo/one.yaml', component('one'));
    tree.write('repo/two.yaml', component('two'));
    await catalog.ingest([tree.path('repo')]);
    tree.remove('repo/two.yaml');
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.sources.removed).toBe(1);
    expect(report.entities.total).toBe(1);
  });

  it('loses nothing when a root folder is missing', async () => {
    tree.write('repo/one.yaml', component('one'));
    await catalog.ingest([tree.path('repo')]);
    tree.remove('repo');
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.problems[0]?.message).toContain('Catalog path does not exist');
    expect(report.entities.total).toBe(1);
  });

  it('skips unchanged files by content hash', async () => {
    tree.write('repo/one.yaml', component('one'));
    tree.write('repo/two.yaml', component('two'));
    await catalog.ingest([tree.path('repo')]);
    tree.write('repo/two.yaml', component('two', { owner: 'team-z' }));
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.sources.unchanged).toBe(1);
    expect(report.entities.updated).toBe(1);
    expect(owner('two')).toBe('group:default/team-z');
  });

  it('still reports the errors of an unchanged broken file', async () => {
    tree.write('repo/bad.yaml', 'kind: [\n');
    await catalog.ingest([tree.path('repo')]);
    const again = await catalog.ingest([tree.path('repo')]);
    expect(again.sources.unchanged).toBe(1);
    expect(again.problems.map((p) => p.code)).toEqual(['yaml']);
  });

  it('keeps the first definition of a ref defined in two files and reports the second', async () => {
    tree.write('repo/a.yaml', component('dup', { owner: 'team-a' }));
    const second = tree.write('repo/b.yaml', component('dup', { owner: 'team-b' }));
    const report = await catalog.ingest([tree.path('repo')]);
    expect(owner('dup')).toBe('group:default/team-a');
    expect(report.problems).toEqual([expect.objectContaining({ code: 'conflict', location: second })]);
  });

  it('moves an entity from one file to another in a single run', async () => {
    tree.write('repo/a.yaml', component('mover', { owner: 'team-a' }));
    tree.write('repo/b.yaml', component('stay'));
    await catalog.ingest([tree.path('repo')]);
    tree.write('repo/a.yaml', component('stay-too'));
    tree.write('repo/b.yaml', [component('stay'), component('mover', { owner: 'team-b' })].join('---\n'));
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.problems).toEqual([]);
    expect(owner('mover')).toBe('group:default/team-b');
  });

  it('ignores YAML files that hold no descriptor', async () => {
    tree.write('repo/.github/workflows/ci.yml', 'on: push\njobs: {}\n');
    tree.write('repo/catalog-info.yaml', component('a'));
    const report = await catalog.ingest([tree.path('repo')]);
    expect(report.problems).toEqual([]);
    expect(report.ignored).toEqual([tree.path('repo/.github/workflows/ci.yml')]);
  });

  it('follows Location targets: relative paths and globs', async () => {
    tree.write(
      'cat/all.yaml',
      yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind: 'Location', metadata: { name: 'all' }, spec: { targets: ['./teams.yaml', './services/*.yaml'] } }),
    );
    tree.write('cat/teams.yaml', group('team-a'));
    tree.write('cat/services/a.yaml', component('a'));
    tree.write('cat/services/b.yaml', component('b'));
    const report = await catalog.ingest([tree.path('cat/all.yaml')]);
    expect(report.problems).toEqual([]);
    expect(report.entities.total).toBe(4); // the Location, the group and two components
  });

  it('reports a Location target that does not exist against the Location, and goes on', async () => {
    const loc = tree.write(
      'cat/all.yaml',
      yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind: 'Location', metadata: { name: 'all' }, spec: { targets: ['./missing.yaml', './a.yaml'] } }),
    );
    tree.write('cat/a.yaml', component('a'));
    const report = await catalog.ingest([loc]);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'target', location: loc, line: 1 })]);
    expect(report.problems[0]?.message).toContain('missing.yaml');
    expect(catalog.whoOwns('a').status).toBe('found');
  });

  it('keeps following the targets of a Location file that broke', async () => {
    const loc = tree.write(
      'cat/all.yaml',
      yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind: 'Location', metadata: { name: 'all' }, spec: { target: './a.yaml' } }),
    );
    tree.write('cat/a.yaml', component('a'));
    await catalog.ingest([loc]);
    tree.write('cat/all.yaml', 'kind: [\n');
    const report = await catalog.ingest([loc]);
    expect(report.entities.total).toBe(2);
    expect(catalog.whoOwns('a').freshness?.stale).toBe(false);
  });

  describe('over HTTP', () => {
    let server: Server;
    let base: string;
    const files: Record<string, string> = {};
    // The test server is on loopback, which URL targets may reach only when the operator allows it.
    const loopbackAllowed = { fetchAllow: ['127.0.0.1'] };

    beforeEach(async () => {
      server = createServer((req, res) => {
        const body = files[req.url ?? ''];
        res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/yaml' });
        res.end(body ?? 'not found');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterEach(() => new Promise<void>((r) => server.close(() => r())));

    it('fetches url targets and resolves their relative targets against the URL', async () => {
      files['/repo/catalog-info.yaml'] = yamlDoc({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Location',
        metadata: { name: 'remote' },
        spec: { type: 'url', targets: ['./svc.yaml'] },
      });
      files['/repo/svc.yaml'] = component('remote-svc');
      const loc = tree.write(
        'local.yaml',
        yamlDoc({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Location',
          metadata: { name: 'l' },
          spec: { type: 'url', target: `${base}/repo/catalog-info.yaml` },
        }),
      );
      const report = await catalog.ingest([loc], loopbackAllowed);
      expect(report.problems).toEqual([]);
      expect(catalog.whoOwns('remote-svc').freshness?.source).toBe(`${base}/repo/svc.yaml`);
      // A fetched descriptor is no file to change ("Not ours"); the local Location is, by its absolute path; a ref nobody defines has none.
      expect(catalog.descriptorFile('component:default/remote-svc')).toBeNull();
      expect(catalog.descriptorFile('location:default/l')).toBe(loc);
      expect(catalog.descriptorFile('component:default/remote-sv')).toBeNull();
    });

    it('clears the stale mark when a URL answers again with the same content', async () => {
      files['/back.yaml'] = component('comes-back');
      await catalog.ingest([`${base}/back.yaml`], loopbackAllowed);
      const body = files['/back.yaml'];
      delete files['/back.yaml'];
      await catalog.ingest([`${base}/back.yaml`], loopbackAllowed);
      files['/back.yaml'] = body as string;
      const report = await catalog.ingest([`${base}/back.yaml`], loopbackAllowed);
      expect(report.problems).toEqual([]);
      expect(catalog.whoOwns('comes-back').freshness?.stale).toBe(false);
    });

    it('keeps the entities of a URL that stops answering, marked stale', async () => {
      files['/svc.yaml'] = component('remote-svc');
      await catalog.ingest([`${base}/svc.yaml`], loopbackAllowed);
      delete files['/svc.yaml'];
      const report = await catalog.ingest([`${base}/svc.yaml`], loopbackAllowed);
      expect(report.problems[0]).toMatchObject({ code: 'fetch' });
      expect(report.problems[0]?.message).toContain('HTTP 404');
      expect(catalog.whoOwns('remote-svc').freshness?.stale).toBe(true);
    });
  });

  describe('CODEOWNERS', () => {
    it('fills in the owner of a descriptor without spec.owner from the rule matching its path', async () => {
      tree.write('repo/.github/CODEOWNERS', '* @acme/platform\n/services/payments/ @acme/team-payments\n');
      tree.write('repo/services/payments/catalog-info.yaml', component('payments', { owner: undefined }));
      tree.write('repo/services/other/catalog-info.yaml', component('other', { owner: undefined }));
      tree.write('repo/org.yaml', group('team-payments'));
      const report = await catalog.ingest([tree.path('repo')]);
      expect(report.problems).toEqual([]);
      const answer = catalog.whoOwns('payments');
      expect(answer.owner).toMatchObject({ ref: 'group:default/team-payments', via: 'codeowners', inherited: true, resolved: true });
      expect(owner('other')).toBe('group:default/platform');
    });

    it('maps an e-mail owner to the user with that e-mail', async () => {
      tree.write('repo/CODEOWNERS', '* jane.doe@example.com\n');
      tree.write('repo/catalog-info.yaml', component('svc', { owner: undefined }));
      tree.write(
        'repo/users.yaml',
        yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name: 'jdoe' }, spec: { profile: { email: 'Jane.Doe@example.com' } } }),
      );
      await catalog.ingest([tree.path('repo')]);
      expect(owner('svc')).toBe('user:default/jdoe');
    });

    it('prefers spec.owner over CODEOWNERS', async () => {
      tree.write('repo/CODEOWNERS', '* @acme/platform\n');
      tree.write('repo/catalog-info.yaml', component('svc', { owner: 'team-a' }));
      await catalog.ingest([tree.path('repo')]);
      expect(catalog.whoOwns('svc').owner).toMatchObject({ ref: 'group:default/team-a', via: 'spec', inherited: false });
    });

    it('reports a bad CODEOWNERS line with its number and keeps the good rules', async () => {
      const file = tree.write('repo/CODEOWNERS', '* @acme/platform\n/docs/ not-an-owner\n');
      tree.write('repo/catalog-info.yaml', component('svc', { owner: undefined }));
      const report = await catalog.ingest([tree.path('repo')]);
      expect(report.problems).toEqual([expect.objectContaining({ code: 'codeowners', location: file, line: 2 })]);
      expect(owner('svc')).toBe('group:default/platform');
    });
  });
});
