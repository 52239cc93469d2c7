import { afterEach, describe, expect, it } from 'vitest';
import type { Person } from '../catalog/index.js';
import { type PagerDutyEmulator, type PdAccount, startPagerDutyEmulator } from '../testing/pagerduty-emulator.js';
import type { OnCallProviders, OnCallSubject } from './contract.js';
import { pagerDutyProvider } from './pagerduty.js';
import { createOnCallProviders } from './table.js';

const KEY = 'k'.repeat(32);
const OTHER_KEY = 'o'.repeat(32);
let clock: Date;
const now = () => clock;

/** Alice and Bob rotate 12-hour shifts at level 1; Cara is level 2 and Alice is level 2 too. */
function account(): PdAccount {
  return {
    users: [
      { id: 'PALICE', name: 'Alice PD', email: 'alice@example.com' },
      { id: 'PBOB', name: 'Bob', email: 'bob@example.com' },
      { id: 'PCARA', name: 'Cara', email: 'cara@example.com' },
    ],
    schedules: [
      { id: 'PDAY', name: 'Payments primary', time_zone: 'UTC', rotation: { userIds: ['PALICE', 'PBOB'], start: '2026-11-24T00:00:00Z', shiftHours: 12 } },
      { id: 'PLEDGER', name: 'Ledger primary', time_zone: 'UTC', rotation: { userIds: ['PCARA'], start: '2026-11-24T00:00:00Z', shiftHours: 24 } },
    ],
    escalationPolicies: [
      {
        id: 'PPAY',
        name: 'Payments',
        rules: [
          { targets: [{ type: 'schedule_reference', id: 'PDAY' }] },
          {
            targets: [
              { type: 'user_reference', id: 'PCARA' },
              { type: 'user_reference', id: 'PALICE' },
            ],
          },
        ],
      },
      { id: 'PLEDGERP', name: 'Ledger', rules: [{ targets: [{ type: 'schedule_reference', id: 'PLEDGER' }] }] },
    ],
    services: [
      { id: 'PSVC', name: 'payments-api', escalationPolicyId: 'PPAY', integrations: [{ id: 'PI1', integration_key: KEY }] },
      { id: 'PLED', name: 'ledger', escalationPolicyId: 'PLEDGERP', integrations: [{ id: 'PI2', integration_key: OTHER_KEY }] },
    ],
  };
}

/** The catalog's Users, by e-mail: Alice is in the catalog with a Slack id; Bob and Cara are not. */
const people: Record<string, Person> = {
  'alice@example.com': { ref: 'user:default/alice', displayName: 'Alice Catalog', email: 'alice@example.com', chatIds: { slack: 'U0ALICE' } },
};

let pd: PagerDutyEmulator;
afterEach(() => pd.close());

async function setup(a = account(), o: { timeoutMs?: number } = {}): Promise<OnCallProviders> {
  clock = new Date('2026-11-24T08:00:00Z');
  pd = await startPagerDutyEmulator({ account: a, now });
  return createOnCallProviders(
    { PAGERDUTY_API_TOKEN: pd.token, PAGERDUTY_API_URL: pd.url, OPSGENIE_API_KEY: undefined, OPSGENIE_API_URL: 'https://api.opsgenie.com' },
    { personByEmail: (e) => people[e.toLowerCase()] ?? null, scheduleOnCall: () => [], now, timeoutMs: o.timeoutMs ?? 300 },
  );
}

const subject = (annotations: Record<string, string>): OnCallSubject => ({
  ref: 'component:default/payments-api',
  annotations,
  ownerRef: 'group:default/team-payments',
});
const byServiceId = subject({ 'pagerduty.com/service-id': 'PSVC' });

describe('PagerDuty on-call provider', () => {
  it('shows the lowest escalation level’s on-call, matched to the catalog User by e-mail, with the shift’s end', async () => {
    const providers = await setup();
    const { onCall, unknown } = await providers.lookup(byServiceId, clock);
    expect(unknown).toEqual([]);
    expect(onCall).toEqual([
      {
        user: 'user:default/alice',
        displayName: 'Alice Catalog',
        email: 'alice@example.com',
        chatIds: { slack: 'U0ALICE' },
        rotation: 'Payments primary',
        from: '2026-11-24T00:00:00.000Z',
        until: '2026-11-24T12:00:00.000Z',
        override: false,
        source: 'pagerduty:service/PSVC',
      },
    ]);
  });

  it('shows a person with no catalog User by the name and e-mail PagerDuty gives', async () => {
    const providers = await setup();
    clock = new Date('2026-11-24T13:00:00Z');
    const [bob] = (await providers.lookup(byServiceId, clock)).onCall;
    expect(bob).toMatchObject({ user: 'email:bob@example.com', displayName: 'Bob', email: 'bob@example.com', chatIds: {} });
  });

  it('lets the integration key win over the service id', async () => {
    const providers = await setup();
    const { onCall } = await providers.lookup(subject({ 'pagerduty.com/integration-key': OTHER_KEY, 'pagerduty.com/service-id': 'PSVC' }), clock);
    expect(onCall.map((o) => [o.displayName, o.source])).toEqual([['Cara', 'pagerduty:service/PLED']]);
    expect(pd.requests.map((r) => r.path)).not.toContain('/services/PSVC');
  });

  it('de-duplicates a user who is on call at several levels and twice at the lowest', async () => {
    const a = account();
    a.escalationPolicies[0]!.rules[0]!.targets.push({ type: 'user_reference', id: 'PALICE' });
    const providers = await setup(a);
    const { onCall } = await providers.lookup(byServiceId, clock);
    expect(onCall.map((o) => o.user)).toEqual(['user:default/alice']);
    // Targeted directly (no end) as well as by the rotation: on call with no end the provider gave.
    expect(onCall[0]!.until).toBeNull();
  });

  it('hands off when the shift ends exactly now', async () => {
    const providers = await setup();
    clock = new Date('2026-11-24T12:00:00Z');
    expect((await providers.lookup(byServiceId, clock)).onCall.map((o) => o.displayName)).toEqual(['Bob']);
  });

  it('keeps an answer until the shift ends, and asks again at the handoff', async () => {
    const providers = await setup();
    await providers.lookup(byServiceId, clock);
    const calls = pd.restCalls();
    clock = new Date('2026-11-24T08:00:59Z');
    expect((await providers.lookup(byServiceId, clock)).onCall[0]!.displayName).toBe('Alice Catalog');
    expect(pd.restCalls()).toBe(calls);
    // A short TTL (60 s) has passed: asked again even inside the shift.
    clock = new Date('2026-11-24T08:01:00Z');
    await providers.lookup(byServiceId, clock);
    expect(pd.restCalls()).toBe(calls * 2);
    // Cached again 11:59:30, shift ends 12:00:00: the handoff comes before the TTL.
    clock = new Date('2026-11-24T11:59:30Z');
    await providers.lookup(byServiceId, clock);
    clock = new Date('2026-11-24T12:00:00Z');
    expect((await providers.lookup(byServiceId, clock)).onCall.map((o) => o.displayName)).toEqual(['Bob']);
  });

  it('shows an override’s person with the override’s end', async () => {
    const a = account();
    a.schedules[0]!.overrides = [{ userId: 'PCARA', start: '2026-11-24T07:00:00Z', end: '2026-11-24T09:30:00Z' }];
    const providers = await setup(a);
    expect((await providers.lookup(byServiceId, clock)).onCall).toMatchObject([{ displayName: 'Cara', until: '2026-11-24T09:30:00.000Z' }]);
  });

  it('says the token was refused on a 401, naming nobody', async () => {
    const providers = await setup();
    pd.fail(401);
    expect(await providers.lookup(byServiceId, clock)).toEqual({
      onCall: [],
      unknown: [{ provider: 'pagerduty', reason: 'PagerDuty refused the token (401)' }],
    });
    expect(providers.statuses().find((s) => s.provider === 'pagerduty')).toMatchObject({ ok: false, lastError: 'PagerDuty refused the token (401)' });
  });

  it('says the service named in the annotation does not exist on a 404', async () => {
    const providers = await setup();
    const { unknown } = await providers.lookup(subject({ 'pagerduty.com/service-id': 'PNOPE' }), clock);
    expect(unknown).toEqual([{ provider: 'pagerduty', reason: 'PagerDuty has no service PNOPE (pagerduty.com/service-id, 404)' }]);
    const byKey = await providers.lookup(subject({ 'pagerduty.com/integration-key': 'z'.repeat(32) }), clock);
    expect(byKey.unknown[0]!.reason).toBe('PagerDuty has no service with the integration key in pagerduty.com/integration-key (404)');
  });

  it('refuses an annotation that is no service id before calling (no path of its own)', async () => {
    const providers = await setup();
    const { unknown } = await providers.lookup(subject({ 'pagerduty.com/service-id': '../users/PALICE' }), clock);
    expect(unknown[0]!.reason).toBe('pagerduty.com/service-id is not a PagerDuty service id');
    expect(pd.restCalls()).toBe(0);
  });

  it('backs off after a 429 until its reset, without calling, then answers', async () => {
    const providers = await setup();
    pd.fail(429, { retryAfterSeconds: 30 });
    expect((await providers.lookup(byServiceId, clock)).unknown[0]!.reason).toBe('PagerDuty is rate-limiting (429); asking again after 08:00:30 UTC');
    const calls = pd.restCalls();
    clock = new Date('2026-11-24T08:00:29Z');
    expect((await providers.lookup(byServiceId, clock)).unknown[0]!.reason).toMatch(/rate-limiting/);
    expect(pd.restCalls()).toBe(calls);
    clock = new Date('2026-11-24T08:00:30Z');
    expect(await providers.lookup(byServiceId, clock)).toMatchObject({ onCall: [{ displayName: 'Alice Catalog' }], unknown: [] });
  });

  it('says PagerDuty did not answer when it accepts and never responds, within the timeout', async () => {
    const providers = await setup(account(), { timeoutMs: 200 });
    await pd.die('hang');
    const started = Date.now();
    expect((await providers.lookup(byServiceId, clock)).unknown).toEqual([{ provider: 'pagerduty', reason: 'PagerDuty did not answer' }]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('never shows an expired answer as current when PagerDuty is gone', async () => {
    const providers = await setup();
    expect((await providers.lookup(byServiceId, clock)).onCall).toHaveLength(1);
    await pd.die('closed');
    clock = new Date('2026-11-24T08:01:00Z');
    expect(await providers.lookup(byServiceId, clock)).toEqual({ onCall: [], unknown: [{ provider: 'pagerduty', reason: 'PagerDuty did not answer' }] });
  });

  it('asks for another instant with since/until, and does not cache it', async () => {
    const providers = await setup();
    const later = new Date('2026-11-24T13:00:00Z');
    expect((await providers.lookup(byServiceId, later)).onCall.map((o) => o.displayName)).toEqual(['Bob']);
    expect((await providers.lookup(byServiceId, clock)).onCall.map((o) => o.displayName)).toEqual(['Alice Catalog']);
  });

  it('keeps to its own per-minute budget without waiting for PagerDuty’s 429', async () => {
    await setup();
    const provider = pagerDutyProvider({ apiUrl: pd.url, token: pd.token, personByEmail: () => null, now, perMinute: 2 });
    await provider.lookup(byServiceId, clock);
    const calls = pd.restCalls();
    await expect(provider.lookup(subject({ 'pagerduty.com/service-id': 'PLED' }), clock)).rejects.toThrow(
      'PagerDuty was asked 2 times this minute; asking again after 08:01:00 UTC',
    );
    expect(pd.restCalls()).toBe(calls);
    clock = new Date('2026-11-24T08:01:00Z');
    expect((await provider.lookup(subject({ 'pagerduty.com/service-id': 'PLED' }), clock)).onCall).toHaveLength(1);
  });

  it('makes one lookup of many asked at once for the same entity', async () => {
    const providers = await setup();
    const answers = await Promise.all(Array.from({ length: 20 }, () => providers.lookup(byServiceId, clock)));
    expect(new Set(answers.map((a) => a.onCall[0]?.displayName))).toEqual(new Set(['Alice Catalog']));
    expect(pd.restCalls()).toBe(2);
  });

  it('does not ask PagerDuty about an entity without its annotations', async () => {
    const providers = await setup();
    expect(await providers.lookup(subject({}), clock)).toEqual({ onCall: [], unknown: [] });
    expect(pd.restCalls()).toBe(0);
  });
});
