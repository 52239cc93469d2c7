import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTeamsEmulator, type TeamsEmulator } from '../../testing/teams-emulator.js';
import { ConnectorError, createConnector, parseRetryAfter, type ConnectorOptions } from './connector.js';
import { createBotTokenSource } from './token.js';

let emu: TeamsEmulator;
let ada: string;
const ADA_AAD = '6b703ce3-6d14-4fe6-b90c-dc5f03657ae4';
const CHANNEL = '19:097e6717fd7245bdbeba6baa13840db8@thread.tacv2';
const text = (t: string) => ({ type: 'message', text: t });

/** A connector on the emulator's token endpoint; backoff shortened so retry tests take milliseconds. */
function connector(overrides: Partial<ConnectorOptions> = {}) {
  const tokens = createBotTokenSource({ loginEndpoint: emu.loginEndpoint, tenantId: emu.tenantId, appId: emu.appId, appPassword: emu.appPassword });
  return createConnector({ token: tokens.token, invalidateToken: tokens.invalidate, baseDelayMs: 5, ...overrides });
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ConnectorError,
  );
const callsTo = (op: string) => emu.calls.filter((c) => c.op === op);

beforeEach(async () => {
  emu = await startTeamsEmulator();
  ada = emu.addUser({ aadObjectId: ADA_AAD, name: 'Ada Lovelace', email: 'ada@example.com' });
  emu.addConversation({ id: CHANNEL, type: 'channel', name: 'payments', members: [ADA_AAD] });
});
afterEach(() => emu.close());

describe('Teams connector: operations', () => {
  it('sends an activity and returns its id', async () => {
    const { id } = await connector().send(emu.serviceUrl, CHANNEL, text('owner: team-payments'));
    expect(emu.activities(CHANNEL)).toEqual([expect.objectContaining({ id, activity: expect.objectContaining({ text: 'owner: team-payments' }) })]);
  });

  it('replies in the thread of an activity', async () => {
    const teams = connector();
    const root = await teams.send(emu.serviceUrl, CHANNEL, text('incident'));
    const reply = await teams.reply(emu.serviceUrl, CHANNEL, root.id, text('runbook: …'));
    expect(emu.activities(CHANNEL).find((m) => m.id === reply.id)?.replyToId).toBe(root.id);
  });

  it('updates a message in place', async () => {
    const teams = connector();
    const sent = await teams.send(emu.serviceUrl, CHANNEL, text('Deploying…'));
    expect(await teams.update(emu.serviceUrl, CHANNEL, sent.id, text('Deployed'))).toEqual({ id: sent.id });
    expect(emu.activities(CHANNEL)[0]).toMatchObject({ updates: 1, activity: { text: 'Deployed' } });
  });

  it('deletes a message', async () => {
    const teams = connector();
    const sent = await teams.send(emu.serviceUrl, CHANNEL, text('oops'));
    await teams.remove(emu.serviceUrl, CHANNEL, sent.id);
    expect(emu.activities(CHANNEL)).toEqual([]);
  });

  it('opens the 1:1 with a user by AAD object id and by 29: id, the same conversation both ways', async () => {
    const teams = connector();
    const byAad = await teams.createConversation(emu.serviceUrl, { tenantId: emu.tenantId, userId: ADA_AAD, botId: emu.botId });
    const by29 = await teams.createConversation(emu.serviceUrl, { tenantId: emu.tenantId, userId: ada, botId: emu.botId });
    expect(byAad.id).toBe(emu.personalConversationId(ADA_AAD));
    expect(by29).toEqual(byAad);
    expect(callsTo('createConversation')[0]!.body).toEqual({
      bot: { id: emu.botId },
      members: [{ id: ADA_AAD }],
      channelData: { tenant: { id: emu.tenantId } },
      isGroup: false,
    });
  });

  it('reads one member', async () => {
    expect(await connector().member(emu.serviceUrl, CHANNEL, ADA_AAD)).toMatchObject({
      id: ada,
      name: 'Ada Lovelace',
      aadObjectId: ADA_AAD,
      email: 'ada@example.com',
    });
  });

  it('reads every member page by page', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => emu.addUser({ aadObjectId: `aad-${i}`, name: `User ${i}`, email: `u${i}@example.com` }));
    emu.addConversation({ id: '19:big@thread.tacv2', type: 'channel', members: ids });
    const members = await connector({ membersPageSize: 50 }).members(emu.serviceUrl, '19:big@thread.tacv2');
    expect(members.map((m) => m.id)).toEqual(ids);
    expect(members[119]).toMatchObject({ aadObjectId: 'aad-119' });
    expect(callsTo('pagedMembers')).toHaveLength(3);
  });

  it('round-trips ids with colons and ;messageid= through encoded paths', async () => {
    const teams = connector();
    const root = await teams.send(emu.serviceUrl, CHANNEL, text('root'));
    const thread = `${CHANNEL};messageid=${root.id}`;
    const inThread = await teams.send(emu.serviceUrl, thread, text('in thread'));
    await teams.update(emu.serviceUrl, thread, inThread.id, text('edited'));
    const [, send, update] = emu.calls;
    expect(send).toMatchObject({ op: 'send', conversationId: thread });
    expect(send!.path).toContain(encodeURIComponent(thread));
    expect(update).toMatchObject({ op: 'update', conversationId: thread, activityId: inThread.id, status: 200 });
    expect(emu.activities(thread).map((m) => m.activity.text)).toEqual(['root', 'edited']);
  });

  it('addresses a 1:1 conversation id (a:1…) as Teams gave it', async () => {
    const teams = connector();
    const { id } = await teams.createConversation(emu.serviceUrl, { tenantId: emu.tenantId, userId: ADA_AAD, botId: emu.botId });
    await teams.send(emu.serviceUrl, id, text('Approve deploy?'));
    expect(emu.activities(id)).toHaveLength(1);
  });
});

describe('Teams connector: retries', () => {
  it('waits out a 429 Retry-After before trying again', async () => {
    emu.failNext('/activities', 429, { code: 'Throttled', retryAfter: 1 });
    await connector().send(emu.serviceUrl, CHANNEL, text('hi'));
    const [throttled, sent] = callsTo('send');
    expect([throttled!.status, sent!.status]).toEqual([429, 201]);
    // Timers may fire a millisecond early; the floor is the second Retry-After asked for.
    expect(sent!.at - throttled!.at).toBeGreaterThanOrEqual(995);
  });

  it('gets through the emulator’s own per-conversation throttling', async () => {
    const teams = connector();
    for (let i = 0; i < 9; i++) await teams.send(emu.serviceUrl, CHANNEL, text(`line ${i}`));
    expect(emu.activities(CHANNEL)).toHaveLength(9);
    expect(callsTo('send').filter((c) => c.status === 429).length).toBeGreaterThan(0);
  });

  for (const [status, code] of [
    [412, 'PreconditionFailed'],
    [502, 'ServiceError'],
    [504, 'GatewayTimeout'],
  ] as const) {
    it(`retries ${status} with backoff`, async () => {
      emu.failNext('/activities', status, { code });
      await connector().send(emu.serviceUrl, CHANNEL, text('hi'));
      expect(callsTo('send').map((c) => c.status)).toEqual([status, 201]);
    });
  }

  it('gives up after `retries` retries with the last error', async () => {
    emu.failNext('/activities', 502, { code: 'ServiceError', times: 5 });
    const err = await failure(connector({ retries: 2 }).send(emu.serviceUrl, CHANNEL, text('hi')));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ status: 502, code: 'ServiceError' });
    expect(callsTo('send')).toHaveLength(3);
  });

  it('does not wait out a Retry-After above maxRetryAfterMs: it throws it for the caller to schedule', async () => {
    emu.failNext('/activities', 429, { code: 'Throttled', retryAfter: 120 });
    const err = await failure(connector().send(emu.serviceUrl, CHANNEL, text('hi')));
    expect(err).toMatchObject({ status: 429, code: 'Throttled', retryAfterMs: 120_000 });
    expect(callsTo('send')).toHaveLength(1);
  });

  it('fetches a fresh token once when the Connector answers 401', async () => {
    const teams = connector();
    await teams.send(emu.serviceUrl, CHANNEL, text('first'));
    emu.expireTokens();
    await teams.send(emu.serviceUrl, CHANNEL, text('second'));
    expect(callsTo('send').map((c) => c.status)).toEqual([201, 401, 201]);
    expect(emu.tokenRequests).toBe(2);
  });

  it('does not retry a second 401', async () => {
    const err = await failure(createConnector({ token: async () => 'not-a-token', baseDelayMs: 5 }).send(emu.serviceUrl, CHANNEL, text('hi')));
    expect(err).toMatchObject({ status: 401 });
    expect(callsTo('send')).toHaveLength(2);
  });

  it('logs each retry without the token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'warn' }, sink);
    let issued = '';
    const tokens = createBotTokenSource({ loginEndpoint: emu.loginEndpoint, tenantId: emu.tenantId, appId: emu.appId, appPassword: emu.appPassword });
    const token = async () => (issued = await tokens.token());
    emu.failNext('/activities', 502, { code: 'ServiceError' });
    await createConnector({ token, logger, baseDelayMs: 5 }).send(emu.serviceUrl, CHANNEL, text('hi'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, status: 502, code: 'ServiceError', attempt: 1, msg: 'Teams connector call retried' });
    expect(lines[0]).not.toContain(issued);
  });
});

describe('Teams connector: errors that are final', () => {
  it('surfaces a blocked user as ConnectorError MessageWritesBlocked, not retried', async () => {
    const teams = connector();
    const { id } = await teams.createConversation(emu.serviceUrl, { tenantId: emu.tenantId, userId: ADA_AAD, botId: emu.botId });
    emu.blockUser(ADA_AAD);
    const err = await failure(teams.send(emu.serviceUrl, id, text('Approve?')));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ status: 403, code: 'MessageWritesBlocked' });
    expect(callsTo('send')).toHaveLength(1);
  });

  it('surfaces 413 MessageSizeTooBig without retrying', async () => {
    await emu.close();
    emu = await startTeamsEmulator({ maxMessageBytes: 2000 });
    emu.addConversation({ id: CHANNEL, type: 'channel', members: [] });
    const err = await failure(connector().send(emu.serviceUrl, CHANNEL, text('x'.repeat(2000))));
    expect(err).toMatchObject({ status: 413, code: 'MessageSizeTooBig' });
    expect(callsTo('send')).toHaveLength(1);
  });

  it('surfaces an unknown conversation as ConversationNotFound', async () => {
    const err = await failure(connector().send(emu.serviceUrl, '19:gone@thread.tacv2', text('hi')));
    expect(err).toMatchObject({ status: 404, code: 'ConversationNotFound' });
  });

  it('refuses a serviceUrl that is not an http(s) base URL before sending anything', async () => {
    const teams = connector();
    for (const bad of ['ftp://smba.example/teams/', 'not a url', `${emu.serviceUrl}?x=1`]) {
      expect(await failure(teams.send(bad, CHANNEL, text('hi')))).toMatchObject({ code: 'BadServiceUrl', status: 0 });
    }
    expect(emu.tokenRequests).toBe(0);
  });

  it('times out a Connector that does not answer, and does not send again', async () => {
    let requests = 0;
    const silent: Server = createServer(() => void (requests += 1));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/teams/`;
      const err = await failure(createConnector({ token: async () => 't', timeoutMs: 100 }).send(url, CHANNEL, text('hi')));
      expect(err).toMatchObject({ status: 0, code: 'Timeout' });
      expect(requests).toBe(1);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds', () => {
    expect(parseRetryAfter('2')).toBe(2000);
  });

  it('reads an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
