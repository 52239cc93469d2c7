/**
 * The state store's contract, run against both stores: the SQLite file and a real PostgreSQL (started
 * by the test setup). Then what only sharing adds: two stores on one PostgreSQL, as two replicas are,
 * racing for the same claims, appending to one audit chain, migrating at once.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditKey } from '../audit/index.js';
import { freshDatabase, havePostgres } from '../testing/postgres.js';
import { tempTree } from '../testing/fixtures.js';
import { describeStateUrl, openStateStore, StateStoreError, type StateStore } from './store.js';

const key = (bytes = randomBytes(32)): AuditKey => ({ bytes, id: bytes.subarray(0, 4).toString('hex'), source: 'SWITCHBOARD_AUDIT_KEY', created: false });
const tree = tempTree();
afterAll(() => tree.cleanup());

const kinds = [
  { kind: 'sqlite', url: async () => undefined },
  { kind: 'postgres', url: (label: string) => freshDatabase(label) },
] as const;

describe.each(kinds)('the $kind state store', ({ kind, url }) => {
  const skip = kind === 'postgres' && !havePostgres();
  let store: StateStore;
  const auditKey = key();
  beforeAll(async () => {
    if (skip) return;
    store = await openStateStore({ url: await url('contract'), file: tree.path(`${kind}.db`), auditKey });
  });
  afterAll(() => store?.close());

  it.skipIf(skip)('claims a delivery once, and again after it is released', async () => {
    expect(store.kind).toBe(kind);
    expect(await store.state.claimDelivery('slack:event:Ev1')).toBe(true);
    expect(await store.state.claimDelivery('slack:event:Ev1')).toBe(false);
    await store.state.releaseDelivery('slack:event:Ev1');
    expect(await store.state.claimDelivery('slack:event:Ev1')).toBe(true);
  });

  it.skipIf(skip)('prunes old deliveries only', async () => {
    await store.state.claimDelivery('fresh');
    expect(await store.state.prune(60_000)).toBe(0);
    expect(await store.state.claimDelivery('fresh')).toBe(false);
    expect(await store.state.prune(-1)).toBeGreaterThanOrEqual(1);
    expect(await store.state.claimDelivery('fresh')).toBe(true);
  });

  it.skipIf(skip)('claims an incident card once per conversation, and counts only posted ones', async () => {
    const ref = 'component:default/payments-api';
    expect(await store.state.claimIncidentPost('slack:C1', ref)).toBe(true);
    expect(await store.state.claimIncidentPost('slack:C1', ref)).toBe(false);
    expect(await store.state.incidentsFor(ref, 60_000)).toEqual([]);
    await store.state.settleIncidentPost('slack:C1', ref, '1712.0001');
    expect(await store.state.incidentsFor(ref, 60_000)).toEqual(['slack:C1']);
    expect(await store.state.claimIncidentPost('slack:C2', ref)).toBe(true);
    await store.state.settleIncidentPost('slack:C2', ref, null);
    expect(await store.state.claimIncidentPost('slack:C2', ref)).toBe(true);
  });

  it.skipIf(skip)('keeps the first recorded result of a step', async () => {
    expect(await store.state.stepResult('wf/run/push')).toBeUndefined();
    await store.state.recordStep('wf/run/push', { output: { commit: 'abc' } });
    await store.state.recordStep('wf/run/push', { output: { commit: 'other' } });
    expect(await store.state.stepResult('wf/run/push')).toEqual({ output: { commit: 'abc' } });
  });

  it.skipIf(skip)('remembers conversations and accounts, keeping a known name and 1:1 chat', async () => {
    await store.state.rememberConversation({
      ref: 'teams:19:a@thread.tacv2',
      serviceUrl: 'https://smba.example/',
      tenantId: 't',
      kind: 'channel',
      name: 'inc-42',
    });
    await store.state.rememberConversation({ ref: 'teams:19:a@thread.tacv2', serviceUrl: 'https://smba.example/2', tenantId: 't', kind: 'channel' });
    expect(await store.state.conversation('teams:19:a@thread.tacv2')).toMatchObject({ serviceUrl: 'https://smba.example/2', name: 'inc-42' });
    expect((await store.state.latestConversation('channel'))?.ref).toBe('teams:19:a@thread.tacv2');
    const account = {
      platform: 'teams',
      account: 'AAD-1',
      chatUserId: '29:x',
      email: 'A@Example.com',
      name: 'A',
      tenantId: 't',
      serviceUrl: 'https://smba.example/',
    };
    await store.state.rememberAccount({ ...account, personal: 'a:1' });
    await store.state.rememberAccount({ ...account, personal: null });
    expect(await store.state.account('teams', 'aad-1')).toMatchObject({ account: 'aad-1', personal: 'a:1', email: 'a@example.com' });
    expect((await store.state.accountsByEmail('teams', ' a@example.com ')).map((a) => a.account)).toEqual(['aad-1']);
  });

  it.skipIf(skip)('appends a keyed audit chain that verifies, and refuses an unknown event', async () => {
    await store.audit.append({ actor: 'user:default/alice', action: 'create-service', event: 'requested', inputs: { token: 'xoxb-123456789012-abcdef' } });
    await store.audit.append({ actor: 'user:default/bob', action: 'create-service', event: 'approved' });
    await expect(store.audit.append({ actor: 'x', action: 'y', event: 'deleted' as never })).rejects.toThrow(/unknown audit event/);
    const rows = await store.audit.list();
    expect(rows.map((r) => [r.seq, r.event])).toEqual([
      [1, 'requested'],
      [2, 'approved'],
    ]);
    expect(JSON.stringify(rows[0]?.inputs)).not.toContain('xoxb-123456789012');
    expect(await store.audit.verify()).toMatchObject({ ok: true, rows: 2, keyed: { from: 1 } });
    expect((await store.audit.list({ after: 1 })).map((r) => r.seq)).toEqual([2]);
  });

  it.skipIf(skip)('records deploys and picks the previous successful version for a rollback', async () => {
    const ref = 'component:default/ledger';
    for (const [version, status, at] of [
      ['1.0.0', 'succeeded', '2026-01-01T00:00:00Z'],
      ['1.1.0', 'failed', '2026-01-02T00:00:00Z'],
      ['1.2.0', 'succeeded', '2026-01-03T00:00:00Z'],
    ] as const)
      await store.deployments.record(ref, { service: 'ledger', version, status, environment: 'production', at });
    expect((await store.deployments.list(ref, 'production')).map((d) => d.version)).toEqual(['1.2.0', '1.1.0', '1.0.0']);
    expect((await store.deployments.previousSuccessful(ref, 'production'))?.version).toBe('1.0.0');
    expect((await store.deployments.list(ref, 'production'))[0]?.at).toBe('2026-01-03T00:00:00.000Z');
  });

  it.skipIf(skip)('keeps the latest attestation per entity, and settles a pending claim', async () => {
    const ref = 'component:default/ledger';
    const base = {
      entityRef: ref,
      ownerRef: 'group:default/team-payments',
      byRef: 'user:default/amara',
      byName: 'Amara Okafor',
      proposedOwner: null,
      change: null,
    };
    await store.truth.recordAttestation({ ...base, verdict: 'confirmed', at: 1000 });
    await store.truth.recordAttestation({ ...base, verdict: 'disowned', at: 2000, proposedOwner: 'group:default/team-ledger' });
    const got = await store.truth.attestations([ref, 'component:default/never-asked']);
    expect([...got.keys()]).toEqual([ref]);
    expect(got.get(ref)).toMatchObject({ verdict: 'disowned', at: 2000, proposedOwner: 'group:default/team-ledger', change: null });
    await store.truth.settleClaim(ref, 'https://git.example/pulls/7');
    expect((await store.truth.attestations([ref])).get(ref)?.change).toBe('https://git.example/pulls/7');
    expect(await store.truth.attestations([])).toEqual(new Map());
  });

  it.skipIf(skip)('records one ask per team and round, and reminds it once', async () => {
    const ask = { round: '2026-Q4', teamRef: 'group:default/team-payments', entities: ['component:default/ledger'], messages: ['slack:C1:17.1'], askedAt: 5 };
    expect(await store.truth.recordAsk(ask)).toBe(true);
    expect(await store.truth.recordAsk({ ...ask, askedAt: 6 })).toBe(false);
    expect(await store.truth.ask('2026-Q4', ask.teamRef)).toEqual({ ...ask, remindedAt: null });
    expect(await store.truth.markReminded('2026-Q4', ask.teamRef, 9)).toBe(true);
    expect(await store.truth.markReminded('2026-Q4', ask.teamRef, 10)).toBe(false);
    expect(await store.truth.asks('2026-Q4')).toEqual([{ ...ask, remindedAt: 9 }]);
    expect(await store.truth.asks('2027-Q1')).toEqual([]);
  });

  it.skipIf(skip)('sets where an ask was posted once it is posted', async () => {
    const ask = { round: '2026-Q3', teamRef: 'group:default/team-ledger', entities: ['component:default/ledger'], messages: [], askedAt: 5 };
    await store.truth.recordAsk(ask);
    await store.truth.setAskMessages('2026-Q3', ask.teamRef, ['slack:C2:18.1']);
    expect((await store.truth.ask('2026-Q3', ask.teamRef))?.messages).toEqual(['slack:C2:18.1']);
  });

  it.skipIf(skip)('counts questions by query, status and entity, most asked first', async () => {
    const since = Date.now() - 1000;
    await store.truth.recordQuestion({ query: 'Billing ', status: 'not_found', entityRef: null, platform: 'slack' });
    await store.truth.recordQuestion({ query: 'billing', status: 'not_found', entityRef: null, platform: 'teams' });
    await store.truth.recordQuestion({ query: 'ledger', status: 'found', entityRef: 'component:default/ledger', platform: 'slack' });
    await store.truth.recordQuestion({ query: 'old', status: 'not_found', entityRef: null, platform: 'slack', at: since - 10_000 });
    const gaps = await store.truth.questionCounts({ since, status: 'not_found' });
    expect(gaps.map((q) => [q.query, q.count])).toEqual([['billing', 2]]);
    const about = await store.truth.questionCounts({ since, entityRefs: ['component:default/ledger'] });
    expect(about).toMatchObject([{ query: 'ledger', status: 'found', count: 1 }]);
    expect(await store.truth.questionCounts({ since, entityRefs: [] })).toEqual([]);
    expect(await store.truth.pruneQuestions(5000)).toBe(1);
  });
});

describe.skipIf(!havePostgres())('two replicas on one PostgreSQL', () => {
  let url: string;
  let a: StateStore;
  let b: StateStore;
  const shared = key();
  beforeAll(async () => {
    url = await freshDatabase('replicas');
    // Both open (and so migrate) at once: the advisory lock lets one migrate and the other wait.
    [a, b] = await Promise.all([
      openStateStore({ url, file: tree.path('unused-a.db'), auditKey: shared }),
      openStateStore({ url, file: tree.path('unused-b.db'), auditKey: shared }),
    ]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('lets exactly one replica win each delivery claim, however they race', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `slack:event:Ev${i}`);
    const results = await Promise.all(keys.flatMap((k) => [a.state.claimDelivery(k), b.state.claimDelivery(k), a.state.claimDelivery(k)]));
    for (let i = 0; i < keys.length; i++) expect(results.slice(i * 3, i * 3 + 3).filter(Boolean)).toHaveLength(1);
  });

  it('sees a step journaled by the other replica', async () => {
    await a.state.recordStep('wf/r1/push', { output: { pushed: true } });
    expect(await b.state.stepResult('wf/r1/push')).toEqual({ output: { pushed: true } });
  });

  it('keeps one audit chain when both replicas append at the same time', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).audit.append({ actor: 'system', action: 'test', event: 'step_started', inputs: { i } })),
    );
    const rows = await b.audit.list();
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await a.audit.verify()).toMatchObject({ ok: true, rows: 40 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of the audit trail in SQL, and verify catches a row changed without the triggers', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await expect(client.query(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 1`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM audit_log WHERE seq = 1`)).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM audit_head`)).rejects.toThrow(/cannot be deleted/);
      // Someone with the owner's rights drops the trigger: the chain still tells.
      await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
      await client.query(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`);
    } finally {
      await client.end();
    }
    const result = await a.audit.verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ seq: 2, problem: 'changed' })]);
  });

  it('refuses to append with another key than the chain’s', async () => {
    const stranger = await openStateStore({ url, file: tree.path('unused-c.db'), auditKey: key() });
    try {
      await expect(stranger.audit.append({ actor: 'system', action: 'test', event: 'requested' })).rejects.toThrow(/keyed with key/);
    } finally {
      await stranger.close();
    }
  });
});

describe('opening the state store', () => {
  it('names the server (never the password) when PostgreSQL cannot be reached', async () => {
    // A port nothing listens on: connection refused at once.
    const url = 'postgres://switchboard:s3cret@127.0.0.1:1/switchboard';
    const err = await openStateStore({ url, file: tree.path('refused.db') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateStoreError);
    expect((err as Error).message).toMatch(/^SWITCHBOARD_STATE_URL: cannot open the shared state at postgres:\/\/switchboard@127\.0\.0\.1:1\/switchboard: /);
    expect((err as Error).message).not.toContain('s3cret');
    expect(describeStateUrl('postgresql://u:p@db.internal:5432/sb')).toBe('postgres://u@db.internal:5432/sb');
  });
});
