/**
 * The pager's decisions against the real PagerDuty emulator on loopback and real SQLite state and audit:
 * what the card offers, and the clear refusals before or instead of a page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore, type StateStore } from '../state/store.js';
import { tempTree, type TempTree } from '../testing/fixtures.js';
import { startPagerDutyEmulator, type PagerDutyEmulator } from '../testing/pagerduty-emulator.js';
import type { PageSubject } from './contract.js';
import { createPager } from './pager.js';
import { pagerDutyEvents, pagerDutyServiceKey } from './senders.js';

const KEY = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const subjects: Record<string, PageSubject> = {
  'component:default/by-id': { ref: 'component:default/by-id', title: 'By Id', annotations: { 'pagerduty.com/service-id': 'PNOINT' } },
  'component:default/gone': { ref: 'component:default/gone', title: 'Gone', annotations: { 'pagerduty.com/service-id': 'PGONE' } },
  'component:default/keyed': { ref: 'component:default/keyed', title: 'Keyed', annotations: { 'pagerduty.com/integration-key': KEY } },
  'component:default/og': { ref: 'component:default/og', title: 'Og', annotations: { 'opsgenie.com/team': 'payments' } },
};
const asker = { id: 'slack:U1', ref: 'user:default/alice', displayName: 'Alice', email: 'alice@example.test', chatIds: {} };

let tree: TempTree;
let store: StateStore;
let pd: PagerDutyEmulator;

beforeAll(async () => {
  tree = tempTree('switchboard-pager-');
  store = await openStateStore({ file: tree.path('state.db') });
  pd = await startPagerDutyEmulator({
    account: {
      escalationPolicies: [{ id: 'PEP', name: 'P', rules: [] }],
      services: [
        { id: 'PNOINT', name: 'No integration', escalationPolicyId: 'PEP', integrations: [] },
        { id: 'PKEYED', name: 'Keyed', escalationPolicyId: 'PEP', integrations: [{ id: 'PI', integration_key: KEY }] },
      ],
    },
  });
});
afterAll(async () => {
  await pd.close();
  await store.close();
  tree.cleanup();
});

const pagerWith = (opts: { token?: boolean } = {}) =>
  createPager({
    subject: (ref) => subjects[ref] ?? null,
    pagerDuty: { trigger: pagerDutyEvents(pd.url), ...(opts.token && { serviceKey: pagerDutyServiceKey(pd.url, pd.token) }) },
    audit: store.audit,
    claims: store.state,
  });

describe('the pager', () => {
  it('offers Page where the provider is configured, and says why not where it is not', () => {
    const pager = pagerWith();
    expect(pager.pageable('component:default/keyed')).toEqual({ title: 'Keyed', provider: 'pagerduty', problem: null });
    expect(pager.pageable('component:default/by-id')?.problem).toMatch(/needs PAGERDUTY_API_TOKEN/);
    expect(pager.pageable('component:default/og')?.problem).toMatch(/Opsgenie is not configured \(OPSGENIE_API_KEY is not set\)/);
    expect(pager.pageable('component:default/nothing')).toBeNull();
  });

  it('refuses a service id when the operator allows integration keys only', () => {
    const pager = createPager({
      subject: (ref) => subjects[ref] ?? null,
      pagerDuty: { trigger: pagerDutyEvents(pd.url), serviceKey: pagerDutyServiceKey(pd.url, pd.token) },
      audit: store.audit,
      claims: store.state,
      pageByServiceId: false,
    });
    expect(pager.pageable('component:default/by-id')?.problem).toMatch(/pages only by integration key/);
    expect(pager.pageable('component:default/keyed')?.problem).toBeNull();
  });

  it('refuses a service id without the REST token before anything is sent or audited', async () => {
    const rows = (await store.audit.list()).length;
    const outcome = await pagerWith().page({ ref: 'component:default/by-id', reason: 'x', asker, requestKey: 'r1', where: null });
    expect(outcome).toEqual({ kind: 'refused', message: expect.stringMatching(/needs PAGERDUTY_API_TOKEN/) });
    expect((await store.audit.list()).length).toBe(rows);
  });

  it('fails clearly when the PagerDuty service has no Events API integration, and audits the failure', async () => {
    const outcome = await pagerWith({ token: true }).page({ ref: 'component:default/by-id', reason: 'db down', asker, requestKey: 'r2', where: null });
    expect(outcome).toMatchObject({ kind: 'failed', provider: 'PagerDuty', message: expect.stringMatching(/has no Events API v2 integration/) });
    const last = (await store.audit.list()).slice(-2).map((r) => r.event);
    expect(last).toEqual(['page_requested', 'page_failed']);
  });

  it('fails clearly when the service id names no PagerDuty service (404)', async () => {
    const outcome = await pagerWith({ token: true }).page({ ref: 'component:default/gone', reason: 'db down', asker, requestKey: 'r3', where: null });
    expect(outcome).toMatchObject({ kind: 'failed', message: 'PagerDuty has no service PGONE (404)' });
  });

  it('lets the same request page again after a failure: the claim is released', async () => {
    const pager = pagerWith();
    pd.fail(500, { pathPrefix: '/v2/enqueue' });
    const failed = await pager.page({ ref: 'component:default/keyed', reason: 'retry me', asker, requestKey: 'r4', where: null });
    expect(failed.kind).toBe('failed');
    const paged = await pager.page({ ref: 'component:default/keyed', reason: 'retry me', asker, requestKey: 'r4', where: null });
    expect(paged.kind).toBe('paged');
    expect(pd.events.filter((e) => JSON.stringify(e.payload).includes('retry me'))).toHaveLength(1);
  });

  it('refuses an empty or overlong reason without paging', async () => {
    const pager = pagerWith();
    expect((await pager.page({ ref: 'component:default/keyed', reason: '  ', asker, requestKey: 'r5', where: null })).kind).toBe('invalid');
    expect((await pager.page({ ref: 'component:default/keyed', reason: 'x'.repeat(501), asker, requestKey: 'r6', where: null })).kind).toBe('invalid');
  });
});
