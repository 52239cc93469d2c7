/* eslint-disable @typescript-eslint/no-explicit-any -- the emulators' JSON bodies are read loosely here */
import { afterEach, describe, expect, it } from 'vitest';
import { type PagerDutyEmulator, type PdAccount, startPagerDutyEmulator } from './pagerduty-emulator.js';

const KEY = 'a'.repeat(32);
let clock = new Date('2026-11-24T08:30:00Z');
const now = () => clock;

/** Two people rotating 12-hour shifts from 2026-11-24 00:00 UTC, a second level, one service. */
function account(): PdAccount {
  return {
    users: [
      { id: 'PALICE', name: 'Alice', email: 'alice@example.com' },
      { id: 'PBOB', name: 'Bob', email: 'bob@example.com' },
      { id: 'PCARA', name: 'Cara', email: 'cara@example.com' },
    ],
    schedules: [
      { id: 'PSCHED', name: 'Payments primary', time_zone: 'UTC', rotation: { userIds: ['PALICE', 'PBOB'], start: '2026-11-24T00:00:00Z', shiftHours: 12 } },
    ],
    escalationPolicies: [
      {
        id: 'PPOLICY',
        name: 'Payments',
        rules: [{ targets: [{ type: 'schedule_reference', id: 'PSCHED' }] }, { targets: [{ type: 'user_reference', id: 'PCARA' }] }],
      },
    ],
    services: [{ id: 'PSVC', name: 'payments-api', escalationPolicyId: 'PPOLICY', integrations: [{ id: 'PINT', integration_key: KEY }] }],
  };
}

let pd: PagerDutyEmulator;
afterEach(() => pd.close());

async function get(path: string, token: string | null = pd.token) {
  const res = await fetch(`${pd.url}${path}`, {
    headers: { accept: 'application/vnd.pagerduty+json;version=2', ...(token ? { authorization: `Token token=${token}` } : {}) },
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

describe('PagerDuty emulator', () => {
  it('answers a service with its escalation policy and, when included, its integration keys', async () => {
    pd = await startPagerDutyEmulator({ account: account(), now });
    const plain = await get('/services/PSVC');
    expect(plain.body.service.escalation_policy).toMatchObject({ id: 'PPOLICY', type: 'escalation_policy_reference' });
    expect(plain.body.service.integrations[0].integration_key).toBeUndefined();
    const full = await get('/services/PSVC?include[]=integrations&include[]=escalation_policies');
    expect(full.body.service.integrations[0].integration_key).toBe(KEY);
    expect(full.body.service.escalation_policy.type).toBe('escalation_policy');
  });

  it('finds a service by its integration key through /services?query=, as the Backstage plugin asks', async () => {
    pd = await startPagerDutyEmulator({ account: account(), now });
    const r = await get(`/services?query=${KEY}&include[]=integrations`);
    expect(r.body.services.map((s: { id: string }) => s.id)).toEqual(['PSVC']);
    expect(pd.serviceForIntegrationKey(KEY)?.id).toBe('PSVC');
  });

  it('puts the rotation’s current person and the directly targeted user on call, with the shift’s end', async () => {
    pd = await startPagerDutyEmulator({ account: account(), now });
    const r = await get('/oncalls?escalation_policy_ids[]=PPOLICY&include[]=users&time_zone=UTC');
    expect(r.body.oncalls.map((o: any) => [o.escalation_level, o.user.email, o.end])).toEqual([
      [1, 'alice@example.com', '2026-11-24T12:00:00Z'],
      [2, 'cara@example.com', null],
    ]);
  });

  it('hands off exactly at the shift’s end, and an override takes the span it covers', async () => {
    const a = account();
    a.schedules[0]!.overrides = [{ userId: 'PCARA', start: '2026-11-24T13:00:00Z', end: '2026-11-24T14:00:00Z' }];
    pd = await startPagerDutyEmulator({ account: a, now });
    const level1 = async () => (await get('/oncalls?include[]=users')).body.oncalls.find((o: any) => o.escalation_level === 1);
    clock = new Date('2026-11-24T12:00:00Z');
    expect(await level1()).toMatchObject({ user: { id: 'PBOB' }, end: '2026-11-24T13:00:00Z' });
    clock = new Date('2026-11-24T13:30:00Z');
    expect(await level1()).toMatchObject({ user: { id: 'PCARA' }, start: '2026-11-24T13:00:00Z', end: '2026-11-24T14:00:00Z' });
    clock = new Date('2026-11-24T14:00:00Z');
    expect(await level1()).toMatchObject({ user: { id: 'PBOB' }, start: '2026-11-24T14:00:00Z', end: '2026-11-25T00:00:00Z' });
    clock = new Date('2026-11-24T08:30:00Z');
  });

  it('writes times in the requested time_zone with its offset', async () => {
    pd = await startPagerDutyEmulator({ account: account(), now });
    const r = await get('/oncalls?include[]=users&time_zone=Asia/Tokyo');
    expect(r.body.oncalls[0].end).toBe('2026-11-24T21:00:00+09:00');
    expect(Date.parse(r.body.oncalls[0].end)).toBe(Date.parse('2026-11-24T12:00:00Z'));
    expect((await get('/oncalls?time_zone=Mars/Olympus')).status).toBe(400);
  });

  it('pages /oncalls by offset and limit, saying whether more follow', async () => {
    pd = await startPagerDutyEmulator({ account: account(), now });
    const first = await get('/oncalls?limit=1');
    expect(first.body).toMatchObject({ limit: 1, offset: 0, more: true });
    const second = await get('/oncalls?limit=1&offset=1');
    expect(second.body).toMatchObject({ limit: 1, offset: 1, more: false });
    expect(second.body.oncalls[0].user).toMatchObject({ id: 'PCARA', type: 'user_reference' });
  });

  it('refuses a missing or wrong token with 401 and PagerDuty’s error body', async () => {
    pd = await startPagerDutyEmulator({ account: account(), now });
    for (const token of [null, 'wrong']) {
      const r = await get('/services/PSVC', token);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: { message: 'Authentication failed', code: 2006 } });
    }
  });

  it('answers 404 for a service that does not exist', async () => {
    pd = await startPagerDutyEmulator({ account: account(), now });
    const r = await get('/services/PNOPE');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe(2100);
  });

  it('limits each token per minute with 429 and the ratelimit headers, and refills after the minute', async () => {
    clock = new Date('2026-11-24T08:30:00Z');
    pd = await startPagerDutyEmulator({ account: account(), now, rateLimitPerMinute: 2 });
    expect((await get('/users/PALICE')).headers.get('ratelimit-remaining')).toBe('1');
    await get('/users/PALICE');
    const limited = await get('/users/PALICE');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe(2020);
    expect(limited.headers.get('ratelimit-reset')).toBe('60');
    expect(limited.headers.get('retry-after')).toBe('60');
    clock = new Date('2026-11-24T08:31:00Z');
    expect((await get('/users/PALICE')).status).toBe(200);
    clock = new Date('2026-11-24T08:30:00Z');
  });

  it('answers a forced failure once, then normally', async () => {
    pd = await startPagerDutyEmulator({ account: account(), now });
    pd.fail(500, { pathPrefix: '/oncalls' });
    expect((await get('/oncalls')).status).toBe(500);
    expect((await get('/oncalls')).status).toBe(200);
    expect(pd.restCalls()).toBe(2);
  });

  it('accepts and never answers when dead (hang), and refuses connections when closed', async () => {
    pd = await startPagerDutyEmulator({ account: account(), now });
    await pd.die('hang');
    await expect(fetch(`${pd.url}/oncalls`, { signal: AbortSignal.timeout(200) })).rejects.toThrow(/abort|timeout/i);
    await pd.die('closed');
    await expect(fetch(`${pd.url}/oncalls`)).rejects.toThrow(/fetch failed/);
  });

  it('accepts an Events API v2 trigger with 202 and records it against the key’s service', async () => {
    pd = await startPagerDutyEmulator({ account: account(), now });
    const res = await fetch(`${pd.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: KEY,
        event_action: 'trigger',
        payload: { summary: 'payments down', source: 'switchboard', severity: 'critical', custom_details: { asker: 'alice' } },
      }),
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { status: string; message: string; dedup_key: string };
    expect(body).toMatchObject({ status: 'success', message: 'Event processed' });
    const event = await pd.waitForEvent((e) => e.dedup_key === body.dedup_key);
    expect(event.serviceId).toBe('PSVC');
  });

  it('rejects an invalid event with 400 naming each problem', async () => {
    pd = await startPagerDutyEmulator({ account: account(), now });
    const post = (body: unknown) => fetch(`${pd.url}/v2/enqueue`, { method: 'POST', body: JSON.stringify(body) });
    const bad = await post({ routing_key: KEY, event_action: 'trigger', payload: { source: 'x', severity: 'loud' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: string[] }).errors).toEqual([
      "'payload.summary' is missing or blank",
      "'payload.severity' is invalid (must be one of critical, error, warning, info)",
    ]);
    const unknownKey = await post({ routing_key: 'b'.repeat(32), event_action: 'resolve', dedup_key: 'x' });
    expect(((await unknownKey.json()) as { errors: string[] }).errors).toEqual(['Invalid routing key']);
    expect(pd.events).toHaveLength(0);
  });

  it('throttles events per routing key with 429', async () => {
    pd = await startPagerDutyEmulator({ account: account(), now, eventsPerMinute: 1 });
    const post = () =>
      fetch(`${pd.url}/v2/enqueue`, { method: 'POST', body: JSON.stringify({ routing_key: KEY, event_action: 'acknowledge', dedup_key: 'd1' }) });
    expect((await post()).status).toBe(202);
    expect((await post()).status).toBe(429);
  });
});
