/* eslint-disable @typescript-eslint/no-explicit-any -- the emulators' JSON bodies are read loosely here */
import { afterEach, describe, expect, it } from 'vitest';
import { type OgAccount, type OpsgenieEmulator, startOpsgenieEmulator } from './opsgenie-emulator.js';

let clock = new Date('2026-11-24T08:30:00Z');
const now = () => clock;

/** Team payments owns a daily rotation handing off at 09:00 Berlin time, and a disabled schedule. */
function account(): OgAccount {
  return {
    users: [
      { id: 'u-alice', username: 'alice@example.com', fullName: 'Alice' },
      { id: 'u-bob', username: 'bob@example.com', fullName: 'Bob' },
    ],
    teams: [{ id: 't-pay', name: 'payments' }],
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
      { id: 's-old', name: 'old', timezone: 'UTC', enabled: false, ownerTeamId: 't-pay', rotations: [] },
    ],
  };
}

let og: OpsgenieEmulator;
afterEach(() => og.close());

async function get(path: string, key: string | null = og.apiKey) {
  const res = await fetch(`${og.url}${path}`, { headers: key ? { authorization: `GenieKey ${key}` } : {} });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

describe('Opsgenie emulator', () => {
  it('finds a team by name, and says 404 for a team that does not exist', async () => {
    og = await startOpsgenieEmulator({ account: account(), now });
    const team = await get('/v2/teams/payments?identifierType=name');
    expect(team.body.data).toMatchObject({ id: 't-pay', name: 'payments' });
    expect(team.body).toHaveProperty('requestId');
    const missing = await get('/v2/teams/nobody?identifierType=name');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('No team exists with name [nobody]');
  });

  it('lists schedules with their owner team and enabled flag, rotations only when expanded', async () => {
    og = await startOpsgenieEmulator({ account: account(), now });
    const plain = await get('/v2/schedules');
    expect(plain.body.data.map((s: any) => [s.id, s.enabled, s.ownerTeam.name, s.rotations])).toEqual([
      ['s-pay', true, 'payments', undefined],
      ['s-old', false, 'payments', undefined],
    ]);
    expect((await get('/v2/schedules?expand=rotation')).body.data[0].rotations[0].participants[0]).toMatchObject({ username: 'alice@example.com' });
  });

  it('keeps a daily handoff at 09:00 in the schedule’s zone across the change to summer time', async () => {
    og = await startOpsgenieEmulator({ account: account(), now });
    // 2026-03-29 is the switch to CEST: 09:00 Berlin is 08:00Z the day before and 07:00Z from then on.
    const at = async (date: string) => (await get(`/v2/schedules/s-pay/on-calls?scheduleIdentifierType=id&flat=true&date=${date}`)).body.data.onCallRecipients;
    expect(await at('2026-03-28T07:59:59Z')).toEqual(['alice@example.com']);
    expect(await at('2026-03-28T08:00:00Z')).toEqual(['bob@example.com']);
    expect(await at('2026-03-29T06:59:59Z')).toEqual(['bob@example.com']);
    expect(await at('2026-03-29T07:00:00Z')).toEqual(['alice@example.com']);
  });

  it('gives an override’s person for its span, and the timeline gives each period’s end', async () => {
    const a = account();
    a.schedules[0]!.overrides = [{ username: 'bob@example.com', startDate: '2026-11-24T10:00:00Z', endDate: '2026-11-24T11:00:00Z' }];
    og = await startOpsgenieEmulator({ account: a, now });
    const onCall = await get('/v2/schedules/payments_schedule/on-calls?scheduleIdentifierType=name&flat=true&date=2026-11-24T10:30:00Z');
    expect(onCall.body.data).toEqual({ _parent: { id: 's-pay', name: 'payments_schedule', enabled: true }, onCallRecipients: ['bob@example.com'] });
    const timeline = await get('/v2/schedules/s-pay/timeline?identifierType=id&interval=1&intervalUnit=days&date=2026-11-24T09:30:00Z');
    const periods = timeline.body.data.finalTimeline.rotations[0].periods.slice(0, 3);
    expect(periods.map((p: any) => [p.recipient.name, p.type, p.startDate, p.endDate])).toEqual([
      ['alice@example.com', 'default', '2026-11-24T08:00:00.000Z', '2026-11-24T10:00:00.000Z'],
      ['bob@example.com', 'override', '2026-11-24T10:00:00.000Z', '2026-11-24T11:00:00.000Z'],
      ['alice@example.com', 'default', '2026-11-24T11:00:00.000Z', '2026-11-25T08:00:00.000Z'],
    ]);
  });

  it('refuses a missing or wrong key with 401', async () => {
    og = await startOpsgenieEmulator({ account: account(), now });
    for (const key of [null, 'wrong']) {
      const r = await get('/v2/schedules', key);
      expect(r.status).toBe(401);
      expect(r.body.message).toBe('Could not authenticate');
    }
  });

  it('throttles a domain’s per-minute bucket with 429 and X-RateLimit headers, leaving other domains alone', async () => {
    clock = new Date('2026-11-24T08:30:00Z');
    og = await startOpsgenieEmulator({ account: account(), now, bucketsPerMinute: 1 });
    expect((await get('/v2/schedules')).headers.get('x-ratelimit-state')).toBe('OK');
    const limited = await get('/v2/schedules');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-state')).toBe('THROTTLED');
    expect(limited.headers.get('x-ratelimit-period-in-sec')).toBe('60');
    expect(limited.headers.get('retry-after')).toBeNull();
    const alert = await fetch(`${og.url}/v2/alerts`, {
      method: 'POST',
      headers: { authorization: `GenieKey ${og.apiKey}` },
      body: JSON.stringify({ message: 'x' }),
    });
    expect(alert.status).toBe(202);
    clock = new Date('2026-11-24T08:31:00Z');
    expect((await get('/v2/schedules')).status).toBe(200);
    clock = new Date('2026-11-24T08:30:00Z');
  });

  it('accepts an alert with 202 and answers its request status', async () => {
    og = await startOpsgenieEmulator({ account: account(), now });
    const res = await fetch(`${og.url}/v2/alerts`, {
      method: 'POST',
      headers: { authorization: `GenieKey ${og.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'payments down', responders: [{ type: 'team', name: 'payments' }], priority: 'P1' }),
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { result: string; requestId: string };
    expect(body.result).toBe('Request will be processed');
    const status = await get(`/v2/alerts/requests/${body.requestId}`);
    expect(status.body.data).toMatchObject({ isSuccess: true, status: 'Created alert' });
    expect((await og.waitForAlert((a) => a.requestId === body.requestId)).responders).toEqual([{ type: 'team', name: 'payments' }]);
  });

  it('rejects an alert without a message with 422 naming the field', async () => {
    og = await startOpsgenieEmulator({ account: account(), now });
    const res = await fetch(`${og.url}/v2/alerts`, {
      method: 'POST',
      headers: { authorization: `GenieKey ${og.apiKey}` },
      body: JSON.stringify({ priority: 'P9' }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown }).errors).toEqual({
      message: 'Message can not be empty.',
      priority: 'Priority should be one of [P1, P2, P3, P4, P5]',
    });
  });

  it('answers forced failures, then normally; dead means no answer', async () => {
    og = await startOpsgenieEmulator({ account: account(), now });
    og.fail(500, { pathPrefix: '/v2/schedules' });
    expect((await get('/v2/schedules')).status).toBe(500);
    expect((await get('/v2/schedules')).status).toBe(200);
    await og.die('hang');
    await expect(fetch(`${og.url}/v2/schedules`, { signal: AbortSignal.timeout(200) })).rejects.toThrow(/abort|timeout/i);
  });
});
