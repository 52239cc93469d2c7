import { symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../index.js';
import { component, group, tempTree, type TempTree, yamlDoc } from '../../testing/fixtures.js';

let tree: TempTree;
let catalog: Catalog;

beforeEach(() => {
  tree = tempTree();
  catalog = openCatalog(tree.path('catalog.db'));
  tree.write('outside/secret.yaml', group('team-payments'));
});

afterEach(() => {
  catalog.close();
  tree.cleanup();
});

const locationTo = (...targets: string[]) =>
  tree.write('root/all.yaml', yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind: 'Location', metadata: { name: 'all' }, spec: { targets } }));

describe('file targets stay inside their root', () => {
  it.each([
    ['a ../ escape', '../outside/secret.yaml'],
    ['a glob reaching out', '../outside/*.yaml'],
  ])('refuses %s, reported with file and line', async (_, target) => {
    const loc = locationTo(target);
    const report = await catalog.ingest([loc]);
    expect(catalog.getEntity('group:default/team-payments')).toBeNull();
    expect(report.problems).toEqual([expect.objectContaining({ code: 'target', location: loc, line: 1 })]);
  });

  it('refuses an absolute path', async () => {
    const loc = locationTo(tree.path('outside/secret.yaml'));
    const report = await catalog.ingest([loc]);
    expect(catalog.getEntity('group:default/team-payments')).toBeNull();
    expect(report.problems[0]?.message).toContain('absolute paths');
  });

  it('refuses a symlinked file whose real path leaves the root', async () => {
    const loc = locationTo('./link.yaml');
    symlinkSync(tree.path('outside/secret.yaml'), tree.path('root/link.yaml'));
    const report = await catalog.ingest([loc]);
    expect(catalog.getEntity('group:default/team-payments')).toBeNull();
    expect(report.problems[0]?.message).toContain('outside');
  });

  it('refuses a symlinked folder whose real path leaves the root', async () => {
    const loc = locationTo('./linked');
    symlinkSync(tree.path('outside'), tree.path('root/linked'));
    const report = await catalog.ingest([loc]);
    expect(catalog.getEntity('group:default/team-payments')).toBeNull();
    expect(report.problems).toEqual([expect.objectContaining({ code: 'target', location: loc, line: 1 })]);
  });

  it('follows targets inside the root, however deep', async () => {
    tree.write('root/services/a.yaml', component('a'));
    const report = await catalog.ingest([locationTo('./services/a.yaml')]);
    expect(report.problems).toEqual([]);
    expect(catalog.getEntity('a')).not.toBeNull();
  });

  it("lets the operator's own root be anywhere", async () => {
    const report = await catalog.ingest([tree.path('outside/secret.yaml')]);
    expect(report.problems).toEqual([]);
    expect(catalog.getEntity('group:default/team-payments')).not.toBeNull();
  });
});
