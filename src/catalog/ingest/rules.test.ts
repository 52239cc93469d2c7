import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../index.js';
import { DEFAULT_GLOBAL_KINDS, kindRule } from '../rules.js';
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

const location = (name: string, targets: string[]) => yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind: 'Location', metadata: { name }, spec: { targets } });
const user = (name: string) => yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name }, spec: { memberOf: ['team-payments'] } });
/** What a config file present without `catalog.rules` gives. */
const withConfig = { globalRule: kindRule([...DEFAULT_GLOBAL_KINDS]) };

describe('catalog rules', () => {
  it('refuses a Group reached through a Location under the default global rules, with file, line and rule', async () => {
    tree.write('cat/all.yaml', location('all', ['./repos/evil/catalog-info.yaml']));
    const evil = tree.write(
      'cat/repos/evil/catalog-info.yaml',
      [component('evil-svc'), group('team-payments', { members: ['mallory'] }, { title: 'mallory' })].join('---\n'),
    );
    const report = await catalog.ingest([tree.path('cat/all.yaml')], withConfig);
    expect(catalog.getEntity('group:default/team-payments')).toBeNull();
    expect(catalog.getEntity('component:default/evil-svc')).not.toBeNull();
    expect(report.problems).toEqual([expect.objectContaining({ code: 'rule', location: evil, line: 14 })]);
    expect(report.problems[0]?.message).toContain('allow: [Component, API, Resource, System, Domain, Location]');
  });

  it('refuses Users and Schedules reached through a Location too', async () => {
    tree.write('cat/all.yaml', location('all', ['./evil.yaml']));
    tree.write('cat/evil.yaml', user('mallory'));
    const report = await catalog.ingest([tree.path('cat/all.yaml')], withConfig);
    expect(catalog.getEntity('user:default/mallory')).toBeNull();
    expect(report.problems.map((p) => p.code)).toEqual(['rule']);
  });

  it('lets an operator-listed root define any kind when it has no rules of its own', async () => {
    tree.write('org/groups.yaml', group('team-payments'));
    const report = await catalog.ingest([tree.path('org')], withConfig);
    expect(report.problems).toEqual([]);
    expect(catalog.getEntity('group:default/team-payments')).not.toBeNull();
  });

  it('holds an operator-listed root to its own rules added to the global ones', async () => {
    tree.write('org/people.yaml', [group('team-payments'), user('jane')].join('---\n'));
    const rule = kindRule([...DEFAULT_GLOBAL_KINDS, 'Group']);
    const report = await catalog.ingest([{ target: tree.path('org'), rule }], withConfig);
    expect(catalog.getEntity('group:default/team-payments')).not.toBeNull();
    expect(catalog.getEntity('user:default/jane')).toBeNull();
    expect(report.problems.map((p) => p.code)).toEqual(['rule']);
  });

  it('trusts what Locations reach when no config file gives rules (the behaviour before rules)', async () => {
    tree.write('cat/all.yaml', location('all', ['./org.yaml']));
    tree.write('cat/org.yaml', group('team-payments'));
    const report = await catalog.ingest([tree.path('cat/all.yaml')]);
    expect(report.problems).toEqual([]);
    expect(catalog.getEntity('group:default/team-payments')).not.toBeNull();
  });

  it('removes an entity once the rules refuse it, even from an unchanged file', async () => {
    tree.write('cat/all.yaml', location('all', ['./org.yaml']));
    tree.write('cat/org.yaml', group('team-payments'));
    await catalog.ingest([tree.path('cat/all.yaml')]);
    await catalog.ingest([tree.path('cat/all.yaml')], withConfig);
    expect(catalog.getEntity('group:default/team-payments')).toBeNull();
  });

  it('keeps the sample catalog whole when the operator lists its folder under the default rules', async () => {
    const { SAMPLE_CATALOG } = await import('../../testing/fixtures.js');
    const report = await catalog.ingest([SAMPLE_CATALOG], withConfig);
    expect(report.problems).toEqual([]);
    expect(catalog.getEntity('group:default/team-payments')).not.toBeNull();
  });
});

describe('a ref defined twice', () => {
  it("keeps the operator's definition on a first ingest, though a Location-reached file that sorts first claims it", async () => {
    // No rules (everything trusted), so only the ordering protects the group.
    tree.write('cat/0-repos.yaml', location('repos', ['./a-evil/catalog-info.yaml']));
    const evil = tree.write('cat/a-evil/catalog-info.yaml', group('team-payments', { members: ['mallory'] }, { title: 'mallory' }));
    tree.write('org/groups.yaml', group('team-payments', { members: ['jane'] }, { title: 'jane' }));
    const report = await catalog.ingest([tree.path('cat/0-repos.yaml'), tree.path('org')]);
    expect(catalog.getEntity('group:default/team-payments')?.title).toBe('jane');
    expect(report.problems).toEqual([expect.objectContaining({ code: 'conflict', location: evil })]);
  });

  it('keeps the definition it has on later ingests until its own source drops it', async () => {
    tree.write('org/groups.yaml', group('team-payments', { members: ['jane'] }, { title: 'jane' }));
    await catalog.ingest([tree.path('org')]);
    tree.write('org/a-new.yaml', group('team-payments', { members: ['mallory'] }, { title: 'mallory' }));
    await catalog.ingest([tree.path('org')]);
    expect(catalog.getEntity('group:default/team-payments')?.title).toBe('jane');
    tree.write('org/groups.yaml', component('other'));
    await catalog.ingest([tree.path('org')]);
    expect(catalog.getEntity('group:default/team-payments')?.title).toBe('mallory');
  });
});
