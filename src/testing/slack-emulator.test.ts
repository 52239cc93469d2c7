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
/** Settles a call to its result or its error, so a test can expect either. */
const settled = (call: Promise<unknown>) => call.catch((e: unknown) => e);

type View = Parameters<InstanceType<typeof WebClient>['views']['open']>[0]['view'];
const plain = (text: string) => ({ type: 'plain_text', text });
const input = (block_id: string, action_id = 'value') => ({
  type: 'input',
  block_id,
  label: plain('Reason'),
  element: { type: 'plain_text_input', action_id },
});
/** A valid approval modal; `fields` replace its top-level fields (undefined removes one). */
const modal = (fields: Record<string, unknown> = {}): View => {
  const view: Record<string, unknown> = {
    type: 'modal',
    callback_id: 'approve',
    title: plain('Approve deploy'),
    submit: plain('Approve'),
    close: plain('Cancel'),
    blocks: [section('Deploy *payments-api* to prod?'), input('reason')],
    ...fields,
  };
  for (const key of Object.keys(fields)) if (fields[key] === undefined) delete view[key];
  return view as unknown as View;
};

beforeEach(async () => {
  emu = await startSlackEmulator({
    users: [
      { id: 'U123', email: 'ada@example.com', name: 'Ada' },
      { id: 'U456', email: 'grace@example.com', name: 'Grace' },
    ],
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
    const err = await client()
      .chat.postMessage({ channel: 'C1', text: 'x', blocks })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'invalid_blocks', errors: ['no more than 50 items allowed [json-pointer:/blocks]'] },
    });
  });

  it('refuses a section over 3000 characters, naming the block', async () => {
    const blocks = [section('ok'), section('x'.repeat(3001))];
    const err = await client()
      .chat.postMessage({ channel: 'C1', text: 'x', blocks })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.PlatformError, data: { error: 'invalid_blocks' } });
    expect((err as { data: { errors: string[] } }).data.errors).toContain('must be less than 3001 characters [json-pointer:/blocks/1/text/text]');
  });

  it('refuses duplicate action_ids and over-long buttons in one message', async () => {
    const button = (action_id: string, text: string) => ({ type: 'button', action_id, text: { type: 'plain_text', text } });
    const blocks = [{ type: 'actions', elements: [button('ack', 'Ack'), button('ack', 'y'.repeat(76))] }];
    const err = await client()
      .chat.postMessage({ channel: 'C1', text: 'x', blocks })
      .catch((e: unknown) => e);
    const errors = (err as { data: { errors: string[] } }).data.errors;
    expect(errors).toContain('must be less than 76 characters [json-pointer:/blocks/0/elements/1/text/text]');
    expect(errors.some((e) => e.includes('/blocks/0/elements/1/action_id'))).toBe(true);
  });

  it('answers chat.update of an unknown ts with message_not_found', async () => {
    const err = await client()
      .chat.update({ channel: 'C1', ts: '1.000001', text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.PlatformError, data: { error: 'message_not_found' } });
  });

  it('finds users by email, and answers users_not_found otherwise', async () => {
    const hit = await client().users.lookupByEmail({ email: 'ada@example.com' });
    expect(hit.user).toMatchObject({ id: 'U123', profile: { email: 'ada@example.com' } });
    const miss = await client()
      .users.lookupByEmail({ email: 'nobody@example.com' })
      .catch((e: unknown) => e);
    expect(miss).toMatchObject({ data: { error: 'users_not_found' } });
  });

  it('reports channel topic, and membership once the bot joins', async () => {
    const before = await client().conversations.info({ channel: 'C1' });
    expect(before.channel).toMatchObject({ name: 'payments', topic: { value: 'Payments API' }, is_member: false });
    await client().conversations.join({ channel: 'C1' });
    expect((await client().conversations.info({ channel: 'C1' })).channel?.is_member).toBe(true);
    const missing = await client()
      .conversations.info({ channel: 'C404' })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ data: { error: 'channel_not_found' } });
  });

  it('answers unknown methods with unknown_method', async () => {
    const err = await client()
      .apiCall('chat.teleport', { channel: 'C1' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ data: { ok: false, error: 'unknown_method' } });
  });

  it('throws a rate-limited error when the client rejects rate-limited calls', async () => {
    emu.rateLimitNext('chat.postMessage', 1, 7);
    const err = await client({ rejectRateLimitedCalls: true })
      .chat.postMessage({ channel: 'C1', text: 'hi' })
      .catch((e: unknown) => e);
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

describe('Slack emulator: views.open', () => {
  it("mints trigger ids shaped like Slack's", () => {
    expect(emu.trigger('U123')).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
    expect(emu.trigger()).not.toBe(emu.trigger());
  });

  it('opens a modal for a minted trigger and remembers it by id', async () => {
    const res = await client().views.open({ trigger_id: emu.trigger('U123'), view: modal({ private_metadata: 'req-7' }) });
    const id = res.view?.id ?? '';
    expect(id).toMatch(/^V[0-9A-Z]+$/);
    expect(res.view).toMatchObject({ type: 'modal', callback_id: 'approve', private_metadata: 'req-7', state: { values: {} }, root_view_id: id });
    expect(res.view?.hash).toMatch(/^\d+\.[0-9a-f]+$/);
    expect(emu.views.get(id)).toMatchObject({ hash: res.view?.hash, title: { text: 'Approve deploy' } });
    // The form-encoded JSON string is parsed back for tests to read.
    expect((await emu.waitFor('views.open')).args.view).toMatchObject({ callback_id: 'approve', blocks: [{ type: 'section' }, { block_id: 'reason' }] });
  });

  it('refuses a missing or unknown trigger_id with invalid_trigger_id', async () => {
    const missing = await settled(client().apiCall('views.open', { view: modal() }));
    expect(missing).toMatchObject({ code: ErrorCode.PlatformError, data: { ok: false, error: 'invalid_trigger_id' } });
    const unknown = await settled(client().views.open({ trigger_id: '13345224609.738474920.8088930838d88f008e0', view: modal() }));
    expect(unknown).toMatchObject({ data: { error: 'invalid_trigger_id' } });
    expect(emu.views.size).toBe(0);
  });

  it('refuses a trigger used a second time with exchanged_trigger_id', async () => {
    const trigger_id = emu.trigger('U123');
    await client().views.open({ trigger_id, view: modal() });
    const again = await settled(client().views.open({ trigger_id, view: modal() }));
    expect(again).toMatchObject({ data: { error: 'exchanged_trigger_id' } });
  });

  it('accepts a trigger for 3 s and answers expired_trigger_id after', async () => {
    await emu.close();
    let clock = 1_700_000_000_000;
    emu = await startSlackEmulator({ now: () => clock });
    const [first, second] = [emu.trigger('U1'), emu.trigger('U1')];
    clock += 3000;
    expect((await client().views.open({ trigger_id: first, view: modal() })).ok).toBe(true);
    clock += 1;
    const late = await settled(client().views.open({ trigger_id: second, view: modal() }));
    expect(late).toMatchObject({ data: { error: 'expired_trigger_id' } });
  });

  it('accepts a modal at every documented limit', async () => {
    const blocks = [...Array.from({ length: 98 }, (_, i) => section(`line ${i}`)), input('a', 'same'), input('b', 'same')];
    const view = modal({
      title: plain('t'.repeat(24)),
      submit: plain('s'.repeat(24)),
      close: plain('c'.repeat(24)),
      callback_id: 'x'.repeat(255),
      private_metadata: 'm'.repeat(3000),
      blocks,
    });
    const res = await client().views.open({ trigger_id: emu.trigger(), view });
    expect(res.ok).toBe(true);
  });

  const long = (n: number) => 'x'.repeat(n);
  it.each([
    ['a type other than modal', { type: 'home' }, 'must be one of [modal] [json-pointer:/view/type]'],
    ['a missing title', { title: undefined }, 'missing required field: title [json-pointer:/view]'],
    ['a title over 24 characters', { title: plain(long(25)) }, 'must be less than 25 characters [json-pointer:/view/title/text]'],
    ['a mrkdwn title', { title: { type: 'mrkdwn', text: 'Hi' } }, 'must be one of [plain_text] [json-pointer:/view/title/type]'],
    ['a submit label over 24 characters', { submit: plain(long(25)) }, 'must be less than 25 characters [json-pointer:/view/submit/text]'],
    ['a close label over 24 characters', { close: plain(long(25)) }, 'must be less than 25 characters [json-pointer:/view/close/text]'],
    ['more than 100 blocks', { blocks: Array.from({ length: 101 }, () => section('x')) }, 'no more than 100 items allowed [json-pointer:/view/blocks]'],
    ['a callback_id over 255 characters', { callback_id: long(256) }, 'must be less than 256 characters [json-pointer:/view/callback_id]'],
    ['private_metadata over 3000 characters', { private_metadata: long(3001) }, 'must be less than 3001 characters [json-pointer:/view/private_metadata]'],
    ['an input block without a label', { blocks: [{ ...input('r'), label: undefined }] }, 'missing required field: label [json-pointer:/view/blocks/0]'],
    [
      'an input label over 2000 characters',
      { blocks: [{ ...input('r'), label: plain(long(2001)) }] },
      'must be less than 2001 characters [json-pointer:/view/blocks/0/label/text]',
    ],
    ['an input block without an element', { blocks: [{ ...input('r'), element: undefined }] }, 'missing required field: element [json-pointer:/view/blocks/0]'],
    ['a block_id over 255 characters', { blocks: [input(long(256))] }, 'must be less than 256 characters [json-pointer:/view/blocks/0/block_id]'],
    ['a repeated block_id', { blocks: [input('r'), input('r')] }, 'duplicate block_id "r" in view [json-pointer:/view/blocks/1/block_id]'],
    ['input blocks without submit', { submit: undefined }, 'missing required field: submit (a modal with input blocks needs one) [json-pointer:/view]'],
  ])('refuses %s with invalid_arguments', async (_rule, fields, message) => {
    const err = await settled(client().views.open({ trigger_id: emu.trigger(), view: modal(fields) }));
    expect(err).toMatchObject({ code: ErrorCode.PlatformError, data: { ok: false, error: 'invalid_arguments' } });
    expect((err as { data: { response_metadata: { messages: string[] } } }).data.response_metadata.messages).toEqual([`[ERROR] ${message}`]);
  });

  it('refuses a view over 250 KB with view_too_large', async () => {
    const blocks = Array.from({ length: 90 }, () => section('y'.repeat(3000)));
    const err = await settled(client().views.open({ trigger_id: emu.trigger(), view: modal({ blocks }) }));
    expect(err).toMatchObject({ data: { error: 'view_too_large' } });
  });

  it('refuses an external_id another view holds with duplicate_external_id', async () => {
    await client().views.open({ trigger_id: emu.trigger(), view: modal({ external_id: 'approval-7' }) });
    const err = await settled(client().views.open({ trigger_id: emu.trigger(), view: modal({ external_id: 'approval-7' }) }));
    expect(err).toMatchObject({ data: { error: 'duplicate_external_id' } });
  });
});

describe('Slack emulator: views.update and views.push', () => {
  const open = async (fields: Record<string, unknown> = {}, user = 'U123') =>
    (await client().views.open({ trigger_id: emu.trigger(user), view: modal(fields) })).view!;

  it('updates a view by id when the hash matches, issuing a new hash', async () => {
    const opened = await open();
    const res = await client().views.update({ view_id: opened.id!, hash: opened.hash!, view: modal({ title: plain('Approved') }) });
    expect(res.view).toMatchObject({ id: opened.id, title: { text: 'Approved' } });
    expect(res.view?.hash).not.toBe(opened.hash);
    expect(emu.views.get(opened.id!)).toMatchObject({ title: { text: 'Approved' }, hash: res.view?.hash });
  });

  it('refuses a stale hash with hash_conflict', async () => {
    const opened = await open();
    await client().views.update({ view_id: opened.id!, hash: opened.hash!, view: modal({ title: plain('First') }) });
    const err = await settled(client().views.update({ view_id: opened.id!, hash: opened.hash!, view: modal({ title: plain('Second') }) }));
    expect(err).toMatchObject({ data: { error: 'hash_conflict' } });
    expect(emu.views.get(opened.id!)).toMatchObject({ title: { text: 'First' } });
  });

  it('finds a view by external_id', async () => {
    const opened = await open({ external_id: 'approval-9' });
    const res = await client().views.update({ external_id: 'approval-9', view: modal({ title: plain('Done') }) });
    expect(res.view).toMatchObject({ id: opened.id, external_id: 'approval-9', title: { text: 'Done' } });
  });

  it('answers not_found for an unknown view_id or external_id', async () => {
    const byId = await settled(client().views.update({ view_id: 'V404', view: modal() }));
    expect(byId).toMatchObject({ data: { error: 'not_found' } });
    const byExternal = await settled(client().views.update({ external_id: 'nope', view: modal() }));
    expect(byExternal).toMatchObject({ data: { error: 'not_found' } });
  });

  it('validates the new view like views.open', async () => {
    const opened = await open();
    const err = await settled(client().views.update({ view_id: opened.id!, view: modal({ title: plain('z'.repeat(25)) }) }));
    expect(err).toMatchObject({ data: { error: 'invalid_arguments' } });
    expect(emu.views.get(opened.id!)).toMatchObject({ hash: opened.hash });
  });

  it("pushes onto the user's open modal, up to three views", async () => {
    const root = await open();
    const second = (await client().views.push({ trigger_id: emu.trigger('U123'), view: modal({ callback_id: 'details' }) })).view!;
    expect(second).toMatchObject({ root_view_id: root.id, previous_view_id: root.id, callback_id: 'details' });
    const third = (await client().views.push({ trigger_id: emu.trigger('U123'), view: modal() })).view!;
    expect(third).toMatchObject({ root_view_id: root.id, previous_view_id: second.id });
    const fourth = await settled(client().views.push({ trigger_id: emu.trigger('U123'), view: modal() }));
    expect(fourth).toMatchObject({ data: { error: 'push_limit_reached' } });
  });

  it('holds views.push to the same trigger rules', async () => {
    await open();
    const trigger_id = emu.trigger('U123');
    await client().views.push({ trigger_id, view: modal() });
    const again = await settled(client().views.push({ trigger_id, view: modal() }));
    expect(again).toMatchObject({ data: { error: 'exchanged_trigger_id' } });
    const unknown = await settled(client().views.push({ trigger_id: '1.2.3', view: modal() }));
    expect(unknown).toMatchObject({ data: { error: 'invalid_trigger_id' } });
  });
});

describe('Slack emulator: conversations', () => {
  it('opens the same DM for the same user every time', async () => {
    const first = await client().conversations.open({ users: 'U123' });
    expect(first.channel?.id).toMatch(/^D[0-9A-Z]+$/);
    const second = await client().conversations.open({ users: 'U123' });
    expect(second).toMatchObject({ channel: { id: first.channel?.id }, already_open: true });
    expect((await client().conversations.open({ users: 'U456' })).channel?.id).not.toBe(first.channel?.id);
    expect(emu.dmChannel('U123')).toBe(first.channel?.id);
  });

  it('answers user_not_found for a user outside the configured list', async () => {
    const err = await settled(client().conversations.open({ users: 'U999' }));
    expect(err).toMatchObject({ data: { error: 'user_not_found' } });
    const none = await settled(client().apiCall('conversations.open', {}));
    expect(none).toMatchObject({ data: { error: 'users_list_not_supplied' } });
  });

  it('delivers chat.postMessage to a DM id and to a user id, into the same DM', async () => {
    const dm = (await client().conversations.open({ users: 'U123' })).channel!.id!;
    expect((await client().chat.postMessage({ channel: dm, text: 'via DM id' })).channel).toBe(dm);
    const byUser = await client().chat.postMessage({ channel: 'U123', text: 'via user id' });
    expect(byUser.channel).toBe(dm);
    // Stored under the DM, so the app can edit it there.
    expect((await client().chat.update({ channel: dm, ts: byUser.ts!, text: 'edited' })).ok).toBe(true);
    const stranger = await settled(client().chat.postMessage({ channel: 'U999', text: 'hi' }));
    expect(stranger).toMatchObject({ data: { error: 'channel_not_found' } });
  });

  it('creates a channel with the bot as member, visible to conversations.info', async () => {
    const res = await client().conversations.create({ name: 'inc-payments-2026', is_private: true });
    expect(res.channel).toMatchObject({ name: 'inc-payments-2026', is_private: true, is_member: true });
    const id = res.channel!.id!;
    expect((await client().conversations.info({ channel: id })).channel).toMatchObject({ id, name: 'inc-payments-2026' });
    expect(emu.channelByName('inc-payments-2026')).toMatchObject({ id, isPrivate: true, members: new Set(['UBOT0001']) });
  });

  it('lists public channels a page at a time, and refuses a cursor it did not give', async () => {
    await client().conversations.create({ name: 'listed-one' });
    await client().conversations.create({ name: 'listed-two' });
    const first = await client().conversations.list({ limit: 1 });
    expect(first.channels).toHaveLength(1);
    const cursor = first.response_metadata?.next_cursor;
    expect(cursor).toBeTruthy();
    const rest = await client().conversations.list({ limit: 1000, cursor });
    expect(rest.response_metadata?.next_cursor).toBe('');
    expect(rest.channels?.map((c) => c.id)).not.toContain(first.channels?.[0]?.id);
    expect(await settled(client().conversations.list({ cursor: 'bm9wZQ==' }))).toMatchObject({ data: { error: 'invalid_cursor' } });
  });

  it('refuses a name already in use with name_taken', async () => {
    const err = await settled(client().conversations.create({ name: 'payments' }));
    expect(err).toMatchObject({ data: { error: 'name_taken' } });
  });

  it.each([
    ['', 'invalid_name_required'],
    ['x'.repeat(81), 'invalid_name_maxlength'],
    ['Incident', 'invalid_name_specials'],
    ['inc payments', 'invalid_name_specials'],
    ['inc.payments', 'invalid_name_specials'],
    ['--_', 'invalid_name_punctuation'],
  ])('refuses the channel name "%s" with %s', async (name, error) => {
    const err = await settled(client().conversations.create({ name }));
    expect(err).toMatchObject({ data: { error } });
    expect(emu.channelByName(name)).toBeUndefined();
  });

  it('accepts an 80-character name of letters, digits, hyphens and underscores', async () => {
    const name = `inc_2026-${'a'.repeat(71)}`;
    expect((await client().conversations.create({ name })).channel?.name).toBe(name);
  });

  it('invites users to a channel the bot is in', async () => {
    const id = (await client().conversations.create({ name: 'inc-ledger' })).channel!.id!;
    const res = await client().conversations.invite({ channel: id, users: 'U123,U456' });
    expect(res.ok).toBe(true);
    expect([...emu.channelByName('inc-ledger')!.members].sort()).toEqual(['U123', 'U456', 'UBOT0001']);
  });

  it('answers channel_not_found and not_in_channel before looking at users', async () => {
    const unknown = await settled(client().conversations.invite({ channel: 'C404', users: 'U123' }));
    expect(unknown).toMatchObject({ data: { error: 'channel_not_found' } });
    const outside = await settled(client().conversations.invite({ channel: 'C1', users: 'U123' }));
    expect(outside).toMatchObject({ data: { error: 'not_in_channel' } });
  });

  it('answers user_not_found for an unknown user and invites nobody', async () => {
    const id = (await client().conversations.create({ name: 'inc-ledger' })).channel!.id!;
    const err = await settled(client().conversations.invite({ channel: id, users: 'U123,U999' }));
    expect(err).toMatchObject({ data: { error: 'user_not_found', errors: [{ user: 'U999', error: 'user_not_found' }] } });
    expect(emu.channelByName('inc-ledger')!.members.has('U123')).toBe(false);
  });

  it('answers already_in_channel only when that member is the one user invited', async () => {
    const id = (await client().conversations.create({ name: 'inc-ledger' })).channel!.id!;
    await client().conversations.invite({ channel: id, users: 'U123' });
    const alone = await settled(client().conversations.invite({ channel: id, users: 'U123' }));
    expect(alone).toMatchObject({ data: { error: 'already_in_channel' } });
    expect((await client().conversations.invite({ channel: id, users: 'U123,U456' })).ok).toBe(true);
    expect(emu.channelByName('inc-ledger')!.members.has('U456')).toBe(true);
  });

  it('answers cant_invite_self when the bot invites itself', async () => {
    await client().conversations.join({ channel: 'C1' });
    const err = await settled(client().conversations.invite({ channel: 'C1', users: 'UBOT0001' }));
    expect(err).toMatchObject({ data: { error: 'cant_invite_self' } });
  });
});
