import { afterEach, describe, expect, it } from 'vitest';
import type { Person } from '../catalog/index.js';
import { type OgAccount, type OpsgenieEmulator, startOpsgenieEmulator } from '../testing/opsgenie-emulator.js';
import type { OnCallProviders, OnCallSubject } from './contract.js';
import { createOnCallProviders } from './table.js';

let clock: Date;
const now = () => clock;

/** Team payments: a daily rotation handing off at 09:00 Berlin time, plus a disabled schedule naming Dan. */
function account(): OgAccount {
  return {
    users: [
      { id: 'u-alice', username: 'alice@example.com', fullName: 'Alice' },
      { id: 'u-bob', username: 'bob@example.com', fullName: 'Bob' },
      { id: 'u-dan', username: 'dan@example.com', fullName: 'Dan' },
    ],
    teams: [
      { id: 't-pay', name: 'payments' },
      { id: 't-other', name: 'other' },
    ],
    schedules: [
      {
        id: 's-pay',
        name: 'payments_schedule',
        timezone: 'Europe/Berlin',
        enabled: true,
        ownerTeamId: 't-pay',
        rotations: [
          { id: 'r1', name: 'primary', participants: ['alice@example.com', 'bob@example.com'], startDate: '2026-03-27T08:00:00Z', type: 'daily', length: 1 },
        ],
      },
      {
        id: 's-old',
        name: 'old',
        timezone: 'UTC',
        enabled: false,
        ownerTeamId: 't-pay',
        rotations: [{ id: 'r2', name: 'x', participants: ['dan@example.com'], startDate: '2026-01-01T00:00:00Z', type: 'weekly', length: 1 }],
      },
      {
        id: 's-other',
        name: 'other_schedule',
        timezone: 'UTC',
        enabled: true,
        ownerTeamId: 't-other',
        rotations: [{ id: 'r3', name: 'y', participants: ['dan@example.com'], startDate: '2026-01-01T00:00:00Z', type: 'weekly', length: 1 }],
      },
    ],
  };
}

const people: Record<string, Person> = {
  'bob@example.com': { ref: 'user:default/bob', displayName: 'Bob Catalog', email: 'bob@example.com', chatIds: { teams: 'aad-bob' } },
};

let og: OpsgenieEmulator;
afterEach(() => og.close());

async function setup(a = account()): Promise<OnCallProviders> {
  clock = new Date('2026-03-28T07:30:00Z');
  og = await startOpsgenieEmulator({ account: a, now });
  return createOnCallProviders(
    { PAGERDUTY_API_TOKEN: undefined, PAGERDUTY_API_URL: 'https://api.pagerduty.com', OPSGENIE_API_KEY: og.apiKey, OPSGENIE_API_URL: og.url },
    { personByEmail: (e) => people[e] ?? null, scheduleOnCall: () => [], now, timeoutMs: 300 },
  );
}

const team = (name: string): OnCallSubject => ({ ref: 'component:default/payments-api', annotations: { 'opsgenie.com/team': name }, ownerRef: null });

describe('Opsgenie on-call provider', () => {
  it('shows who the team’s enabled schedules have on call, until the period’s end', async () => {
    const providers = await setup();
    const { onCall, unknown } = await providers.lookup(team('payments'), clock);
    expect(unknown).toEqual([]);
    expect(onCall).toEqual([
      {
        user: 'email:alice@example.com',
        displayName: 'alice@example.com',
        email: 'alice@example.com',
        chatIds: {},
        rotation: 'payments_schedule',
        from: '2026-03-27T08:00:00.000Z',
        until: '2026-03-28T08:00:00.000Z',
        override: false,
        source: 'opsgenie:schedule/payments_schedule',
      },
    ]);
  });

  it('keeps the 09:00 Berlin handoff across the change to summer time, matching Bob to his catalog User', async () => {
    const providers = await setup();
    clock = new Date('2026-03-29T06:59:59Z');
    expect((await providers.lookup(team('payments'), clock)).onCall).toMatchObject([
      { user: 'user:default/bob', displayName: 'Bob Catalog', until: '2026-03-29T07:00:00.000Z' },
    ]);
    clock = new Date('2026-03-29T07:00:00Z');
    expect((await providers.lookup(team('payments'), clock)).onCall).toMatchObject([{ user: 'email:alice@example.com', until: '2026-03-30T07:00:00.000Z' }]);
  });

  it('shows an override as such, with its end', async () => {
    const a = account();
    a.schedules[0]!.overrides = [{ username: 'bob@example.com', startDate: '2026-03-28T07:00:00Z', endDate: '2026-03-28T07:45:00Z' }];
    const providers = await setup(a);
    expect((await providers.lookup(team('payments'), clock)).onCall).toMatchObject([
      { user: 'user:default/bob', override: true, until: '2026-03-28T07:45:00.000Z' },
    ]);
  });

  it('says the team named in the annotation does not exist on a 404', async () => {
    const providers = await setup();
    expect((await providers.lookup(team('nobody'), clock)).unknown).toEqual([
      { provider: 'opsgenie', reason: 'Opsgenie has no team nobody (opsgenie.com/team, 404)' },
    ]);
  });

  it('says the API key was refused on a 401', async () => {
    const providers = await setup();
    og.fail(401);
    expect((await providers.lookup(team('payments'), clock)).unknown).toEqual([{ provider: 'opsgenie', reason: 'Opsgenie refused the API key (401)' }]);
  });

  it('backs off for the bucket’s period after a 429, then answers', async () => {
    const providers = await setup();
    og.fail(429, { periodSeconds: 20 });
    expect((await providers.lookup(team('payments'), clock)).unknown[0]!.reason).toBe('Opsgenie is rate-limiting (429); asking again after 07:30:20 UTC');
    const calls = og.calls();
    clock = new Date('2026-03-28T07:30:19Z');
    await providers.lookup(team('payments'), clock);
    expect(og.calls()).toBe(calls);
    clock = new Date('2026-03-28T07:30:20Z');
    expect((await providers.lookup(team('payments'), clock)).onCall).toHaveLength(1);
  });

  it('says Opsgenie did not answer when it is dead', async () => {
    const providers = await setup();
    await og.die('hang');
    expect((await providers.lookup(team('payments'), clock)).unknown).toEqual([{ provider: 'opsgenie', reason: 'Opsgenie did not answer' }]);
  });
});
