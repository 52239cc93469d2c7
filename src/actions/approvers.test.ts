import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../testing/fixtures.js';
import { decideBreakGlass, resolveApprovers, type ResolvedRule } from './approvers.js';
import { loadActions, type ActionDefinition } from './definition.js';

const SHIPPED = fileURLToPath(new URL('../../manifests/actions/', import.meta.url));
/** A Wednesday when Sofia is primary and Amara secondary on the payments rotation. */
const AT = new Date('2026-03-04T12:00:00Z');

let tree: TempTree;
let catalog: Catalog;
const actions = new Map(loadActions(SHIPPED).actions.map((a) => [a.metadata.name, a]));
const action = (name: string) => actions.get(name) as ActionDefinition;
const refs = (rule: ResolvedRule | undefined) => rule?.approvers.map((a) => a.ref);

beforeAll(async () => {
  tree = tempTree();
  catalog = openCatalog(tree.path('c.db'));
  await catalog.ingest([SAMPLE_CATALOG]);
});

afterAll(() => {
  catalog.close();
  tree.cleanup();
});

const created = {
  name: 'loyalty-points',
  owner: 'group:default/team-payments',
  system: 'system:default/payments',
  tier: 'tier-3',
  template: 'node-service',
  createChannel: false,
};

describe('resolveApprovers on the sample catalog', () => {
  it('asks team-platform to approve create-service, with Slack IDs where known', () => {
    const resolution = resolveApprovers(action('create-service'), created, 'user:default/amara-okafor', catalog, AT);
    expect(resolution.problems).toEqual([]);
    expect(resolution.rules).toHaveLength(1);
    expect(resolution.rules[0]).toMatchObject({ description: 'team-platform', required: 1, remindAfter: 4 * 3_600_000, expireAfter: 24 * 3_600_000 });
    expect(resolution.rules[0]?.approvers).toEqual([
      { ref: 'user:default/noah-fischer', displayName: 'Noah Fischer', email: 'noah.fischer@quillmere.example', chatIds: { slack: 'U06NF3K7PLV' } },
      {
        ref: 'user:default/yuki-tanaka',
        displayName: 'Yuki Tanaka',
        email: 'yuki.tanaka@quillmere.example',
        chatIds: { teams: '5f0c2b7e-3d1a-4c8e-9b6a-2e7d4f1a9c03' },
      },
    ]);
    expect(resolution.rules[0]?.escalation?.approvers.map((a) => a.ref)).toEqual(['user:default/elena-petrova']);
  });

  it('leaves the requester out of the approvers', () => {
    const resolution = resolveApprovers(action('create-service'), created, 'U06NF3K7PLV', catalog, AT);
    expect(refs(resolution.rules[0])).toEqual(['user:default/yuki-tanaka']);
  });

  it('asks the owning team and the platform team to approve provisioning for production', () => {
    const values = { type: 'postgres', service: 'component:default/payments-api', tier: 'production', size: 'small' };
    const resolution = resolveApprovers(action('provision'), values, 'user:default/marcus-bell', catalog, AT);
    expect(resolution.problems).toEqual([]);
    expect(resolution.rules.map((r) => [r.description, refs(r)])).toEqual([
      ['the team that owns the service', ['user:default/amara-okafor', 'user:default/jonas-weber', 'user:default/sofia-marchetti']],
      ['the platform team, for production', ['user:default/noah-fischer', 'user:default/yuki-tanaka']],
    ]);
  });

  it('asks only the owning team for staging', () => {
    const values = { type: 'redis', service: 'component:default/payments-api', tier: 'staging', size: 'small' };
    expect(resolveApprovers(action('provision'), values, 'user:default/marcus-bell', catalog, AT).rules).toHaveLength(1);
  });

  it('asks the owning team or the on-call for a rollback, and offers the on-call break-glass', () => {
    const resolution = resolveApprovers(action('rollback'), { service: 'component:default/payments-api' }, 'user:default/sofia-marchetti', catalog, AT);
    expect(resolution.problems).toEqual([]);
    expect(refs(resolution.rules[0])).toEqual(['user:default/amara-okafor', 'user:default/jonas-weber']);
    expect(resolution.breakGlass).toMatchObject({ description: 'the on-call for payments-api', requiresIncident: true });
    expect(resolution.breakGlass?.approvers.map((a) => a.ref)).toEqual(['user:default/sofia-marchetti', 'user:default/amara-okafor']);
  });

  it('reports a rule nobody can approve', () => {
    const lonely: ActionDefinition = {
      ...action('create-service'),
      spec: {
        ...action('create-service').spec,
        approval: [{ ...action('create-service').spec.approval[0]!, approvers: [{ group: 'team-identity' }], required: 2 }],
      },
    };
    const resolution = resolveApprovers(lonely, created, 'user:default/priya-raman', catalog, AT);
    expect(resolution.problems).toEqual(['team-identity needs 2 approvals but only 1 person can give them']);
  });

  it('reports a group with no members who can approve', () => {
    const solo: ActionDefinition = {
      ...action('create-service'),
      spec: { ...action('create-service').spec, approval: [{ ...action('create-service').spec.approval[0]!, approvers: [{ group: 'engineering' }] }] },
    };
    const resolution = resolveApprovers(solo, created, 'user:default/elena-petrova', catalog, AT);
    expect(resolution.problems).toEqual(['engineering has no members who can approve (the requester cannot approve their own request)']);
  });

  it('reports a group missing from the catalog', () => {
    const missing: ActionDefinition = {
      ...action('create-service'),
      spec: { ...action('create-service').spec, approval: [{ ...action('create-service').spec.approval[0]!, approvers: [{ group: 'team-ghosts' }] }] },
    };
    expect(resolveApprovers(missing, created, 'user:default/amara-okafor', catalog, AT).problems).toEqual([
      'the group team-ghosts is not in the catalog',
      'team-ghosts has no members who can approve',
    ]);
  });
});

const person = (name: string) => ({ ref: `user:default/${name}`, displayName: name, email: `${name}@example.com`, chatIds: {} });

describe('decideBreakGlass', () => {
  const glass = { breakGlass: { description: 'the on-call for payments-api', requiresIncident: true, approvers: [person('sofia')] } };

  it('lets the on-call proceed alone during an incident', () => {
    expect(decideBreakGlass(glass, 'sofia', true)).toEqual({ allowed: true, approver: person('sofia') });
  });

  it('refuses without an open incident', () => {
    expect(decideBreakGlass(glass, 'sofia', false)).toEqual({ allowed: false, refusal: 'break-glass needs an open incident' });
  });

  it('refuses someone not on call', () => {
    expect(decideBreakGlass(glass, 'ann', true)).toEqual({ allowed: false, refusal: 'only the on-call for payments-api can use break-glass' });
  });
});
