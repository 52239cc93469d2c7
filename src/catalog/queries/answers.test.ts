import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../index.js';
import { component, group, tempTree, type TempTree, yamlDoc } from '../../testing/fixtures.js';

const entity = (kind: string, name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
  yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, ...metadata }, spec });

let tree: TempTree;
let catalog: Catalog;

beforeAll(async () => {
  tree = tempTree();
  tree.write(
    'org.yaml',
    [
      group(
        'team-payments',
        { members: ['alice', 'bob'], profile: { displayName: 'Payments', email: 'payments@example.com' } },
        {
          annotations: { 'switchboard.dev/slack-channel': '#team-payments' },
        },
      ),
      group('team-platform', { members: ['carol'] }, { annotations: { 'switchboard.dev/oncall-schedule': 'platform' } }),
      entity(
        'User',
        'alice',
        { profile: { displayName: 'Alice Example', email: 'alice@example.com' } },
        { annotations: { 'switchboard.dev/slack-user-id': 'U0ALICE' } },
      ),
      entity('User', 'bob', { profile: { displayName: 'Bob Example' } }),
      entity('User', 'carol', { profile: { displayName: 'Carol Example' } }),
      entity('User', 'dave', {}),
    ].join('---\n'),
  );
  tree.write(
    'schedules.yaml',
    [
      yamlDoc({
        apiVersion: 'switchboard.dev/v1alpha1',
        kind: 'Schedule',
        metadata: { name: 'payments' },
        spec: {
          owner: 'team-payments',
          timeZone: 'Europe/Berlin',
          rotations: [{ name: 'primary', start: '2026-11-02T09:00', every: '1w', participants: ['alice', 'bob'] }],
          overrides: [{ user: 'dave', start: '2026-12-24T00:00', end: '2026-12-27T00:00' }],
        },
      }),
      yamlDoc({
        apiVersion: 'switchboard.dev/v1alpha1',
        kind: 'Schedule',
        metadata: { name: 'platform' },
        spec: { rotations: [{ name: 'primary', start: '2026-01-01T00:00Z', every: '1d', participants: ['carol'] }] },
      }),
      yamlDoc({
        apiVersion: 'switchboard.dev/v1alpha1',
        kind: 'Schedule',
        metadata: { name: 'late' },
        spec: {
          owner: 'team-late',
          rotations: [
            { name: 'primary', start: '2026-11-02T00:00Z', every: '1w', participants: ['alice'] },
            { name: 'secondary', start: '2026-11-25T00:00Z', every: '1w', participants: ['bob'] },
          ],
        },
      }),
    ].join('---\n'),
  );
  tree.write(
    'systems.yaml',
    [
      entity('Domain', 'commerce', { owner: 'team-platform' }),
      entity('System', 'checkout', { owner: 'team-payments', domain: 'commerce' }),
      entity('System', 'storefront', { domain: 'commerce' }),
    ].join('---\n'),
  );
  tree.write(
    'services.yaml',
    [
      component(
        'payments-api',
        { owner: 'team-payments', system: 'checkout', dependsOn: ['component:ledger', 'resource:payments-db'], providesApis: ['payments'] },
        {
          annotations: { 'switchboard.dev/runbook': 'https://runbooks.example/payments', 'switchboard.dev/aliases': 'pay, billing' },
          links: [
            { url: 'https://docs.example/payments', title: 'Docs' },
            { url: 'https://grafana.example/d/payments', title: 'Latency', type: 'dashboard' },
          ],
        },
      ),
      component('payment-gateway', { owner: 'team-payments', dependsOn: ['component:payments-api'] }),
      component('ledger', { owner: undefined, system: 'checkout' }, { links: [{ url: 'https://wiki.example/ledger-runbook', title: 'Ledger Runbook' }] }),
      component('storefront-web', { owner: undefined, system: 'storefront', consumesApis: ['payments'] }),
      component('orphan', { owner: 'team-ghost' }),
      component('checkout-web', { owner: 'team-platform', dependsOn: ['component:storefront-web'] }),
      entity('API', 'payments', { type: 'openapi', lifecycle: 'production', owner: 'team-payments', definition: 'openapi: 3.0.0' }),
      entity('Resource', 'payments-db', { type: 'database', owner: 'team-payments' }),
      component('petstore', { owner: 'team-a' }),
      component('late-svc', { owner: 'team-late' }),
      component('chargebacks-events', { owner: 'team-a' }),
      component('jade-chargebacks-events', { owner: 'team-b' }),
      entity('API', 'petstore', { type: 'openapi', lifecycle: 'production', owner: 'team-b', definition: 'x' }),
    ].join('---\n'),
  );
  catalog = openCatalog(tree.path('catalog.db'));
  const report = await catalog.ingest([tree.dir]);
  expect(report.problems).toEqual([]);
});

afterAll(() => {
  catalog.close();
  tree.cleanup();
});

const AT = new Date('2026-11-23T12:00:00Z');

describe('whoOwns', () => {
  it('answers an exact name with the owner group, its channel and members', () => {
    const a = catalog.whoOwns('payments-api', AT);
    expect(a.status).toBe('found');
    expect(a.entity).toMatchObject({ ref: 'component:default/payments-api', type: 'service', lifecycle: 'production', system: 'system:default/checkout' });
    expect(a.owner).toMatchObject({
      ref: 'group:default/team-payments',
      resolved: true,
      inherited: false,
      displayName: 'Payments',
      email: 'payments@example.com',
      slackChannel: '#team-payments',
    });
    expect(a.owner?.members.map((m) => m.displayName)).toEqual(['Alice Example', 'Bob Example']);
    expect(a.owner?.members[0]?.chatIds.slack).toBe('U0ALICE');
  });

  it('is case-insensitive and accepts a full ref', () => {
    expect(catalog.whoOwns('PAYMENTS-API').entity?.name).toBe('payments-api');
    expect(catalog.whoOwns('Component:default/Payments-Api').entity?.name).toBe('payments-api');
  });

  it('answers a ref that names no entity as not found, suggesting names near its name part', () => {
    const a = catalog.whoOwns('component:default/ledgr');
    expect(a.status).toBe('not_found');
    expect(a.candidates?.[0]?.ref).toBe('component:default/ledger');
    // Never "ambiguous", and never found by a near match of the whole ref.
    expect(catalog.whoOwns('api:default/ledger').status).toBe('not_found');
  });

  it('finds an entity by an alias', () => {
    expect(catalog.whoOwns('billing').entity?.name).toBe('payments-api');
  });

  it('prefers the Component when a Component and an API share a name', () => {
    expect(catalog.whoOwns('petstore').owner?.ref).toBe('group:default/team-a');
    expect(catalog.whoOwns('api:petstore').owner?.ref).toBe('group:default/team-b');
  });

  it('finds a name with a typo', () => {
    const a = catalog.whoOwns('paymnets-api');
    expect(a.status).toBe('found');
    expect(a.entity?.name).toBe('payments-api');
  });

  it('finds the one name a typo is one edit from, even when longer names share its words', () => {
    const a = catalog.whoOwns('chargexacks-events');
    expect(a.status).toBe('found');
    expect(a.entity?.name).toBe('chargebacks-events');
  });

  it('does not guess from one edit on a short query', () => {
    expect(catalog.whoOwns('paym').status).toBe('ambiguous');
  });

  it('finds a name with the words in another order', () => {
    expect(catalog.whoOwns('api payments').entity?.name).toBe('payments-api');
  });

  it('answers ambiguous with ranked candidates when several names fit', () => {
    const a = catalog.whoOwns('payment');
    expect(a.status).toBe('ambiguous');
    const names = a.candidates.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['payments-api', 'payment-gateway']));
    expect(a.candidates.length).toBeLessThanOrEqual(5);
    expect(a.candidates.map((c) => c.score)).toEqual([...a.candidates.map((c) => c.score)].sort((x, y) => y - x));
  });

  it('answers a prefix with the entities it begins', () => {
    const a = catalog.whoOwns('paym');
    expect(a.status).toBe('ambiguous');
    expect(a.candidates.map((c) => c.name)).toEqual(expect.arrayContaining(['payments-api', 'payment-gateway']));
  });

  it('answers not_found with no candidates for nonsense', () => {
    const a = catalog.whoOwns('zzqxv');
    expect(a.status).toBe('not_found');
    expect(a.entity).toBeNull();
  });

  it("inherits the owner from the entity's system, marked inherited", () => {
    expect(catalog.whoOwns('ledger').owner).toMatchObject({ ref: 'group:default/team-payments', inherited: true, via: 'system' });
  });

  it("inherits the owner from the system's domain when the system has none", () => {
    expect(catalog.whoOwns('storefront-web').owner).toMatchObject({ ref: 'group:default/team-platform', inherited: true, via: 'domain' });
  });

  it('shows an owner ref that names no entity as written, unresolved', () => {
    expect(catalog.whoOwns('orphan').owner).toMatchObject({ ref: 'group:default/team-ghost', resolved: false, members: [] });
  });

  it("puts on call whoever the owner's schedule names now, until the handoff", () => {
    // Rotation started Monday 2026-11-02 09:00 Berlin (08:00Z); 23 Nov is the fourth week: alice, bob, alice, bob.
    const a = catalog.whoOwns('payments-api', AT);
    expect(a.onCall).toEqual([
      expect.objectContaining({
        user: 'user:default/bob',
        displayName: 'Bob Example',
        until: '2026-11-30T08:00:00.000Z',
        source: 'schedule:default/payments',
        rotation: 'primary',
      }),
    ]);
  });

  it('honours an override in the schedule', () => {
    const a = catalog.whoOwns('payments-api', new Date('2026-12-25T12:00:00Z'));
    expect(a.onCall[0]).toMatchObject({ user: 'user:default/dave', override: true });
  });

  it("shows a rotation that starts in the middle of another rotation's shift", () => {
    expect(catalog.whoOwns('late-svc', new Date('2026-11-24T12:00:00Z')).onCall.map((o) => o.rotation)).toEqual(['primary']);
    expect(catalog.whoOwns('late-svc', new Date('2026-11-26T12:00:00Z')).onCall.map((o) => o.rotation)).toEqual(['primary', 'secondary']);
  });

  it("uses the schedule named on the owner group's annotation", () => {
    const a = catalog.whoOwns('checkout-web', AT);
    expect(a.onCall).toEqual([expect.objectContaining({ user: 'user:default/carol', source: 'schedule:default/platform' })]);
  });

  it('gives the runbook from the annotation and classifies links', () => {
    const a = catalog.whoOwns('payments-api', AT);
    expect(a.runbook).toEqual({ url: 'https://runbooks.example/payments', title: 'Runbook' });
    expect(a.links).toEqual([
      { url: 'https://runbooks.example/payments', title: 'Runbook', type: 'runbook' },
      { url: 'https://docs.example/payments', title: 'Docs', type: 'docs' },
      { url: 'https://grafana.example/d/payments', title: 'Latency', type: 'dashboard' },
    ]);
  });

  it('counts direct dependencies, direct dependents and the transitive blast radius', () => {
    // payments-api ← payment-gateway (dependsOn); its API payments ← storefront-web ← checkout-web.
    const a = catalog.whoOwns('payments-api', AT);
    expect(a.dependencies).toEqual({ dependsOn: 2, dependents: 1, blastRadius: 3, blastRadiusCapped: false });
  });

  it('says "or more" when the dependents exceed the cap', async () => {
    const tree2 = tempTree();
    const hub = [component('hub'), ...Array.from({ length: 120 }, (_, i) => component(`leaf-${i}`, { dependsOn: ['component:hub'] }))];
    tree2.write('c.yaml', hub.join('---\n'));
    const c = openCatalog(tree2.path('c.db'));
    await c.ingest([tree2.dir]);
    expect(c.whoOwns('hub').dependencies).toMatchObject({ dependents: 120, blastRadius: 100, blastRadiusCapped: true });
    expect(c.deps('hub')).toMatchObject({ blastRadius: 120, blastRadiusCapped: false });
    c.close();
    tree2.cleanup();
  });

  it.each([
    { leaves: 50, apis: 60, radius: 100, capped: true, all: 110 },
    { leaves: 40, apis: 50, radius: 90, capped: false, all: 90 },
  ])('counts dependents through APIs exactly up to the cap ($leaves direct, $apis through APIs)', async ({ leaves, apis, radius, capped, all }) => {
    // The APIs are walked but not counted, so the count needs a longer walk than the cap alone.
    const tree2 = tempTree();
    const api = (name: string) =>
      `apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: ${name}}\nspec: {type: openapi, lifecycle: production, owner: team-a, definition: x}\n`;
    const docs = [
      component('hub', { providesApis: Array.from({ length: apis }, (_, i) => `api-${i}`) }),
      ...Array.from({ length: apis }, (_, i) => api(`api-${i}`)),
      ...Array.from({ length: apis }, (_, i) => component(`consumer-${i}`, { consumesApis: [`api-${i}`] })),
      ...Array.from({ length: leaves }, (_, i) => component(`leaf-${i}`, { dependsOn: ['component:hub'] })),
    ];
    tree2.write('c.yaml', docs.join('---\n'));
    const c = openCatalog(tree2.path('c.db'));
    await c.ingest([tree2.dir]);
    expect(c.whoOwns('hub').dependencies).toMatchObject({ blastRadius: radius, blastRadiusCapped: capped });
    expect(c.deps('hub')).toMatchObject({ blastRadius: all, blastRadiusCapped: false });
    c.close();
    tree2.cleanup();
  });

  it('says when and from where the answer was ingested', () => {
    const a = catalog.whoOwns('payments-api', AT);
    expect(a.freshness).toMatchObject({ source: tree.path('services.yaml'), line: 1, stale: false });
    expect(Date.parse(a.freshness?.ingestedAt ?? '')).toBeGreaterThan(0);
  });
});

describe('runbook', () => {
  it('falls back to a link whose title says runbook', () => {
    expect(catalog.runbook('ledger').runbook).toEqual({ url: 'https://wiki.example/ledger-runbook', title: 'Ledger Runbook' });
  });

  it('answers null when none is recorded', () => {
    const a = catalog.runbook('orphan');
    expect(a.status).toBe('found');
    expect(a.runbook).toBeNull();
  });
});

describe('deps', () => {
  it('lists direct dependencies and dependents at depth 1', () => {
    const a = catalog.deps('payments-api');
    expect(a.dependsOn.map((n) => n.ref).sort()).toEqual(['component:default/ledger', 'resource:default/payments-db']);
    expect(a.dependents.map((n) => [n.ref, n.viaApi])).toEqual([
      ['component:default/payment-gateway', false],
      ['component:default/storefront-web', true],
    ]);
  });

  it('follows dependents transitively with depth', () => {
    const a = catalog.deps('payments-api', 2);
    expect(a.dependents.find((n) => n.ref === 'component:default/checkout-web')?.depth).toBe(2);
    expect(a.blastRadius).toBe(3);
  });

  it('lists upstream through consumed APIs to their provider', () => {
    const a = catalog.deps('storefront-web');
    expect(a.dependsOn).toEqual([expect.objectContaining({ ref: 'component:default/payments-api', viaApi: true })]);
  });
});
