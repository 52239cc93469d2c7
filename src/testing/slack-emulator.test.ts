import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from './slack-emulator.js';

// Bolt re-exports the @slack/web-api it runs on, so these tests use the very client the bot uses.
const { WebClient, ErrorCode, LogLevel } = webApi;

// WebClient logs every "[ERROR] ..." line of response_metadata.messages; the refusals here are expected.
const noop = () => {};
const logger = { debug: noop, info: noop, warn: noop, error: noop, setLevel: noop, getLevel: () => LogLevel.ERROR, setName: noop };

let emu: SlackEmulator;
const client = (extra: ConstructorParameters<typeof WebClient>[1] = {}) =>
  new WebClient('xoxb-test', { slackApiUrl: emu.url, retryConfig: { retries: 0 }, logger, ...extra });
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

beforeEach(async () => {
  emu = await startSlackEmulator({
    users: [{ id: 'U123', email: 'ada@example.com', name: 'Ada' }],
    channels: [{ id: 'C1', name: 'payments', topic: 'Payments API' }],
  });
});
afterEach(() => emu.close());

describe('Slack emulator', () => {
  it('answers auth.test as the bot', async () => {
    const res = await client().auth.test();
    expect(res).toMatchObject({ ok: true, user_id: 'UBOT0001', team_id: 'T0001' });
  });

  it('rejects calls without a token like Slack', async () => {
    const res = await fetch(`${emu.url}auth.test`, { method: 'POST' });
    expect(await res.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  it('records chat.postMessage with blocks parsed back from the form field', async () => {
    const blocks = [section('*payments-api* is owned by team-a')];
    const res = await client().chat.postMessage({ channel: 'C1', text: 'owner', blocks });
    expect(res.ts).toMatch(/^\d+\.\d{6}$/);
    const call = await emu.waitFor('chat.postMessage');
    expect(call.args).toMatchObject({ channel: 'C1', text: 'owner', blocks });
  });

  it('refuses 51 blocks with invalid_blocks, surfaced by WebClient as a platform error', async () => {
    const blocks = Array.from({ length: 51 }, (_, i) => section(`line ${i}`));
    const err = await client().chat.postMessage({ channel: 'C1', text: 'x', blocks }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'invalid_blocks', errors: ['no more than 50 items allowed [json-pointer:/blocks]'] },
    });
  });

  it('refuses a section over 3000 characters, naming the block', async () => {
    const blocks = [section('ok'), section('x'.repeat(3001))];
    const err = await client().chat.postMessage({ channel: 'C1', text: 'x', blocks }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.PlatformError, data: { error: 'invalid_blocks' } });
    expect((err as { data: { errors: string[] } }).data.errors).toContain(
      'must be less than 3001 characters [json-pointer:/blocks/1/text/text]',
    );
  });

  it('refuses duplicate action_ids and over-long buttons in one message', async () => {
    const button = (action_id: string, text: string) => ({ type: 'button', action_id, text: { type: 'plain_text', text } });
    const blocks = [{ type: 'actions', elements: [button('ack', 'Ack'), button('ack', 'y'.repeat(76))] }];
    const err = await client().chat.postMessage({ channel: 'C1', text: 'x', blocks }).catch((e: unknown) => e);
    const errors = (err as { data: { errors: string[] } }).data.errors;
    expect(errors).toContain('must be less than 76 characters [json-pointer:/blocks/0/elements/1/text/text]');
    expect(errors.some((e) => e.includes('/blocks/0/elements/1/action_id'))).toBe(true);
  });

  it('answers chat.update of an unknown ts with message_not_found', async () => {
    const err = await client().chat.update({ channel: 'C1', ts: '1.000001', text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.PlatformError, data: { error: 'message_not_found' } });
  });

  it('finds users by email, and answers users_not_found otherwise', async () => {
    const hit = await client().users.lookupByEmail({ email: 'ada@example.com' });
    expect(hit.user).toMatchObject({ id: 'U123', profile: { email: 'ada@example.com' } });
    const miss = await client().users.lookupByEmail({ email: 'nobody@example.com' }).catch((e: unknown) => e);
    expect(miss).toMatchObject({ data: { error: 'users_not_found' } });
  });

  it('reports channel topic, and membership once the bot joins', async () => {
    const before = await client().conversations.info({ channel: 'C1' });
    expect(before.channel).toMatchObject({ name: 'payments', topic: { value: 'Payments API' }, is_member: false });
    await client().conversations.join({ channel: 'C1' });
    expect((await client().conversations.info({ channel: 'C1' })).channel?.is_member).toBe(true);
    const missing = await client().conversations.info({ channel: 'C404' }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ data: { error: 'channel_not_found' } });
  });

  it('answers unknown methods with unknown_method', async () => {
    const err = await client().apiCall('chat.teleport', { channel: 'C1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ data: { ok: false, error: 'unknown_method' } });
  });

  it('throws a rate-limited error when the client rejects rate-limited calls', async () => {
    emu.rateLimitNext('chat.postMessage', 1, 7);
    const err = await client({ rejectRateLimitedCalls: true }).chat.postMessage({ channel: 'C1', text: 'hi' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
  });

  it('lets the client wait out Retry-After and succeed by default', async () => {
    emu.rateLimitNext('chat.postMessage');
    const started = Date.now();
    const res = await client({ retryConfig: { retries: 1 } }).chat.postMessage({ channel: 'C1', text: 'hi' });
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(emu.callsTo('chat.postMessage').map((c) => c.ratelimited)).toEqual([true, false]);
  });

  it('records response_url posts and refuses invalid blocks there with HTTP 400', async () => {
    const url = emu.responseUrl('r1');
    const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'done' }) });
    expect([ok.status, await ok.text()]).toEqual([200, 'ok']);
    const blocks = Array.from({ length: 51 }, () => section('x'));
    const bad = await fetch(url, { method: 'POST', body: JSON.stringify({ blocks }) });
    expect([bad.status, await bad.text()]).toEqual([400, 'invalid_blocks']);
    expect((await emu.waitForResponse((r) => r.body.text === 'done')).id).toBe('r1');
  });
});
