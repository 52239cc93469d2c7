/** Approvers come from exact group refs and every member of the group, however large it is. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { group, tempTree, yamlDoc, type TempTree } from '../testing/fixtures.js';
import { resolveApprovers } from './approvers.js';
import { parseAction, type ActionDefinition } from './definition.js';

const user = (name: string, memberOf: string[] = []) =>
  yamlDoc({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name },
    spec: { profile: { displayName: name, email: `${name}@example.test` }, memberOf },
  });
const people = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`);

let tree: TempTree;
let catalog: Catalog;

beforeAll(async () => {
  tree = tempTree();
  // team-big: 40 members listed by the group, 20 more who say they are members (User spec.memberOf).
  const listed = people(40, 'listed');
  const joined = people(20, 'joined');
  tree.write(
    'org.yaml',
    [
      group('team-big', { members: listed }),
      group('team-platform', { members: ['pat'] }),
      ...listed.map((n) => user(n)),
      ...joined.map((n) => user(n, ['team-big'])),
      user('pat'),
    ].join('---\n'),
  );
  tree.write(
    'svc.yaml',
    yamlDoc({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'big-api' },
      spec: { type: 'service', lifecycle: 'production', owner: 'team-big' },
    }),
  );
  catalog = openCatalog(tree.path('c.db'));
  const report = await catalog.ingest([tree.dir]);
  expect(report.problems).toEqual([]);
});

afterAll(() => {
  catalog?.close();
  tree?.cleanup();
});

function actionWith(approvers: string): ActionDefinition {
  const text = `apiVersion: switchboard.dev/v1alpha1
kind: Action
metadata: { name: probe, title: Probe, description: Asks someone }
spec:
  command: /probe
  inputs:
    - { name: service, title: Service, type: service, required: true }
  approval: { approvers: [${approvers}] }
  steps:
    - { id: links, title: Post the links, run: post-links }
`;
  const parsed = parseAction(text, 'probe.yaml');
  if (!parsed.action) throw new Error(JSON.stringify(parsed.problems));
  return parsed.action;
}
const values = { service: 'component:default/big-api' };

describe('approvers of a group', () => {
  it('are every member of a 60-member team, whether the group lists them or they name the group', () => {
    const r = resolveApprovers(actionWith('{ group: team-big }'), values, 'user:default/pat', catalog);
    expect(r.problems).toEqual([]);
    expect(r.rules[0]?.approvers).toHaveLength(60);
    expect(r.rules[0]?.approvers.map((a) => a.ref)).toContain('user:default/joined-20');
  });

  it('are every member of the owning team for ownerOf', () => {
    const r = resolveApprovers(actionWith('{ ownerOf: service }'), values, 'user:default/pat', catalog);
    expect(r.rules[0]?.approvers).toHaveLength(60);
  });

  it('keep the card’s list of members short', () => {
    expect(catalog.whoOwns('big-api').owner).toMatchObject({ memberCount: 60, members: expect.any(Array) });
    expect(catalog.whoOwns('big-api').owner?.members).toHaveLength(50);
  });

  it('accept the group written as a full ref, in any case', () => {
    for (const written of ['group:default/team-platform', 'Team-Platform', 'default/team-platform']) {
      const r = resolveApprovers(actionWith(`{ group: "${written}" }`), values, 'user:default/listed-01', catalog);
      expect(r.rules[0]?.approvers.map((a) => a.ref)).toEqual(['user:default/pat']);
    }
  });

  it('are nobody when the ref names no group exactly: no fuzzy match', () => {
    const typo = resolveApprovers(actionWith('{ group: team-platfrom }'), values, 'user:default/pat', catalog);
    expect(typo.rules[0]?.approvers).toEqual([]);
    expect(typo.problems).toContain('the group team-platfrom is not in the catalog');
    const notGroup = resolveApprovers(actionWith('{ group: "user:default/pat" }'), values, 'user:default/listed-01', catalog);
    expect(notGroup.problems).toContain('the group user:default/pat is not in the catalog');
  });
});
