/**
 * The Slack adapter end to end: real signed HTTP requests into Bolt's receiver mounted on Switchboard's
 * server, outbound calls to the Web API emulator on loopback, a real catalog and real SQLite state.
 */
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../catalog/index.js';
import { createConversation } from '../../conversation/index.js';
import { Metrics } from '../../http/metrics.js';
import { startHttpServer } from '../../http/server.js';
import { openState, type BotState } from '../../state/index.js';
import { EXTERNAL, SAMPLE_CATALOG, tempTree, type TempTree } from '../../testing/fixtures.js';
import { startSlackEmulator, type SlackEmulator } from '../../testing/slack-emulator.js';
import { blockActionsBody, eventBody, postSigned, signSlackRequest, slashCommandBody } from '../../testing/slack-signing.js';
import { startSocketModeServer } from '../../testing/slack-socket.js';
import { createSlackAdapter, type SlackAdapter } from './adapter.js';

const SECRET = 'test-signing-secret';
const logger = pino({ level: 'silent' });

let tree: TempTree;
let catalog: Catalog;
let emu: SlackEmulator;

beforeAll(async () => {
  tree = tempTree();
  catalog = openCatalog(tree.path('catalog.db'));
  const report = await catalog.ingest([SAMPLE_CATALOG, join(EXTERNAL, 'backstage/packages/catalog-model/examples')]);
  expect(report.entities.total).toBeGreaterThan(100);
  emu = await startSlackEmulator({
    users: [{ id: 'U0DIEGO', email: 'diego.alvarez@quillmere.example' }],
    channels: [
      { id: 'CINC1', name: 'inc-payments-api-errors', topic: 'card declines spiking; ledger lag' },
      { id: 'CGEN', name: 'general' },
    ],
  });
});

afterAll(async () => {
  await emu.close();
  catalog.close();
  tree.cleanup();
});

interface Bot {
  url: string;
  adapter: SlackAdapter;
  state: BotState;
  close(): Promise<void>;
}

async function startBot(stateFile = tree.path('state.db')): Promise<Bot> {
  const state = openState(stateFile);
  const conversation = createConversation({ catalog, now: () => new Date('2026-03-04T12:00:00Z') });
  const adapter = createSlackAdapter({ botToken: 'xoxb-test', signingSecret: SECRET, apiUrl: emu.url, conversation, state, logger, retries: 1 });
  const http = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: new Metrics(), logger, health: () => ({ status: 'ok' }), routes: adapter.routes });
  return {
    url: `http://127.0.0.1:${http.port}/slack/events`,
    adapter,
    state,
    async close() {
      await http.close();
      state.close();
    },
  };
}

const blocksText = (body: { blocks?: unknown[] }) => JSON.stringify(body.blocks ?? []);
/**
 * A sentinel: a mention in #general sent after the events under test, answered in its own thread. Once its
 * answer is in, the bot has handled what came before, so "nothing else happened" can be asserted without a
 * sleep. Returns the thread's ts, to leave the sentinel's own post out of what is counted.
 */
let sentinels = 0;
async function sentinel(url: string): Promise<string> {
  const ts = `1800.${++sentinels}`;
  await postSigned(url, SECRET, eventBody({ type: 'app_mention', user: 'U1', text: '<@UBOT0001> who owns petstore?', ts, channel: 'CGEN', event_ts: ts }));
  await emu.waitFor('chat.postMessage', (c) => c.args.channel === 'CGEN' && c.args.thread_ts === ts);
  return ts;
}
/** The same for slash commands: a later command, answered at its own response_url. */
async function commandSentinel(url: string, id: string): Promise<void> {
  await postSigned(url, SECRET, slashCommandBody({ command: '/whoowns', text: 'petstore', response_url: emu.responseUrl(id) }));
  await emu.waitForResponse((r) => r.id === id);
}

describe('Slack over HTTP', () => {
  let bot: Bot;
  beforeAll(async () => {
    bot = await startBot();
  });
  afterAll(() => bot.close());
  afterEach(() => emu.reset());

  it('acks a signed /whoowns petstore at once and answers privately with team-c', async () => {
    const responseUrl = emu.responseUrl('petstore');
    const started = performance.now();
    const res = await postSigned(bot.url, SECRET, slashCommandBody({ command: '/whoowns', text: 'petstore', response_url: responseUrl }));
    const ackMs = performance.now() - started;
    expect(res.status).toBe(200);
    expect(ackMs).toBeLessThan(3000);
    const answer = await emu.waitForResponse((r) => r.id === 'petstore');
    expect(answer.body.response_type).toBe('ephemeral');
    expect(blocksText(answer.body)).toContain('Team C');
    expect(blocksText(answer.body)).toContain('Share in channel');
  });

  it('mentions owners by Slack id, from the annotation or by e-mail lookup', async () => {
    await postSigned(bot.url, SECRET, slashCommandBody({ command: '/whoowns', text: 'checkout-web', response_url: emu.responseUrl('cw') }));
    const answer = await emu.waitForResponse((r) => r.id === 'cw');
    expect(blocksText(answer.body)).toContain('<@U0DIEGO>'); // looked up by e-mail
    expect(blocksText(answer.body)).toContain('<@U04MB7H3QWE>'); // from the annotation
    expect(emu.callsTo('users.lookupByEmail').map((c) => c.args.email)).toContain('diego.alvarez@quillmere.example');
  });

  it('offers "Did you mean" buttons that answer the chosen entity in place', async () => {
    await postSigned(bot.url, SECRET, slashCommandBody({ command: '/whoowns', text: 'paym', response_url: emu.responseUrl('amb') }));
    const question = await emu.waitForResponse((r) => r.id === 'amb');
    const buttons = (question.body.blocks as { type: string; elements?: { action_id: string; value: string; text: { text: string } }[] }[])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? []);
    const choice = buttons.find((b) => b.text.text.startsWith('payment-gateway'));
    expect(choice).toBeDefined();
    const click = blockActionsBody({
      type: 'block_actions',
      user: { id: 'U2147483697', username: 'steve', team_id: 'T0001' },
      team: { id: 'T0001', domain: 'example' },
      api_app_id: 'A0001',
      token: 'legacy',
      trigger_id: '1.2.3',
      response_url: emu.responseUrl('click'),
      container: { type: 'message', message_ts: '1.1', channel_id: 'C2147483705', is_ephemeral: true },
      channel: { id: 'C2147483705', name: 'test' },
      actions: [{ type: 'button', action_id: choice!.action_id, block_id: 'b', value: choice!.value, text: choice!.text, action_ts: '1.2' }],
    });
    expect((await postSigned(bot.url, SECRET, click)).status).toBe(200);
    const answer = await emu.waitForResponse((r) => r.id === 'click');
    expect(answer.body.replace_original).toBe(true);
    expect(blocksText(answer.body)).toContain('Payment Gateway');
  });

  it('shares a private answer in the channel when asked', async () => {
    const click = blockActionsBody({
      type: 'block_actions',
      user: { id: 'U2147483697' },
      team: { id: 'T0001' },
      api_app_id: 'A0001',
      token: 'legacy',
      trigger_id: '1.2.4',
      response_url: emu.responseUrl('share'),
      actions: [{ type: 'button', action_id: 'sb:0', block_id: 'b', value: 'share|component:default/payments-api', action_ts: '1.3' }],
    });
    await postSigned(bot.url, SECRET, click);
    const shared = await emu.waitForResponse((r) => r.id === 'share');
    expect(shared.body).toMatchObject({ response_type: 'in_channel', delete_original: true });
    expect(blocksText(shared.body)).not.toContain('Share in channel');
  });

  it('answers a mention in a thread', async () => {
    await postSigned(
      bot.url,
      SECRET,
      eventBody({ type: 'app_mention', user: 'U1', text: '<@UBOT0001> who owns payments-api?', ts: '1700.0001', channel: 'CGEN', event_ts: '1700.0001' }),
    );
    const post = await emu.waitFor('chat.postMessage', (c) => c.args.channel === 'CGEN');
    expect(post.args.thread_ts).toBe('1700.0001');
    expect(JSON.stringify(post.args.blocks)).toContain('Payments');
  });

  it('rejects a forged signature with 401 and runs nothing', async () => {
    const body = slashCommandBody({ command: '/whoowns', text: 'petstore', response_url: emu.responseUrl('forged') });
    const res = await postSigned(bot.url, 'not-the-secret', body);
    expect(res.status).toBe(401);
    await commandSentinel(bot.url, 'after-forged');
    expect(emu.responses.filter((r) => r.id === 'forged')).toEqual([]);
  });

  it('rejects a request signed more than five minutes ago with 401', async () => {
    const body = slashCommandBody({ command: '/whoowns', text: 'petstore', response_url: emu.responseUrl('stale') });
    const res = await postSigned(bot.url, SECRET, body, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(res.status).toBe(401);
    await commandSentinel(bot.url, 'after-stale');
    expect(emu.responses.filter((r) => r.id === 'stale')).toEqual([]);
  });

  it('rejects an unsigned request with 401', async () => {
    const res = await fetch(bot.url, {
      method: 'POST',
      body: slashCommandBody({ command: '/whoowns', text: 'x' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(401);
  });

  it('answers the url_verification challenge', async () => {
    const res = await postSigned(bot.url, SECRET, JSON.stringify({ token: 't', challenge: 'c-123', type: 'url_verification' }));
    expect(await res.text()).toContain('c-123');
  });
});

describe('incident channels', () => {
  afterEach(() => emu.reset());

  it('posts one card per affected service when an incident channel is created, and never twice', async () => {
    const bot = await startBot(tree.path('incident-state.db'));
    const created = { type: 'channel_created', channel: { id: 'CINC1', name: 'inc-payments-api-errors', created: 1700000000, creator: 'U1' } };
    const body = eventBody(created, { event_id: 'EvCREATED1' });
    expect((await postSigned(bot.url, SECRET, body)).status).toBe(200);
    await emu.waitFor('chat.postMessage', (c) => c.args.channel === 'CINC1' && JSON.stringify(c.args.blocks).includes('Ledger'));
    await sentinel(bot.url);
    const cards = () =>
      emu
        .callsTo('chat.postMessage')
        .filter((c) => c.args.channel === 'CINC1')
        .map((c) => c.args.text);
    // The name names payments-api, the topic names the ledger; each once.
    expect(cards()).toHaveLength(2);
    expect(emu.callsTo('conversations.join')).toHaveLength(1);

    // Slack retries the same event: dropped by its id.
    await postSigned(bot.url, SECRET, body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    // The bot's own join arrives as another event naming the same services: already posted.
    await postSigned(bot.url, SECRET, eventBody({ type: 'member_joined_channel', user: 'UBOT0001', channel: 'CINC1', channel_type: 'C', team: 'T0001' }));
    await sentinel(bot.url);
    expect(cards()).toHaveLength(2);
    await bot.close();

    // After a restart on the same state file, the retried event and the services stay answered.
    const restarted = await startBot(tree.path('incident-state.db'));
    await postSigned(restarted.url, SECRET, body, { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } });
    await postSigned(
      restarted.url,
      SECRET,
      eventBody({ type: 'message', user: 'U1', text: 'payments-api and the ledger are both red', ts: '1700.5', channel: 'CINC1', channel_type: 'channel' }),
    );
    await sentinel(restarted.url);
    expect(cards()).toHaveLength(2);

    // A message naming a new service adds its card.
    await postSigned(
      restarted.url,
      SECRET,
      eventBody({ type: 'message', user: 'U1', text: 'fraud-detection is timing out too', ts: '1700.6', channel: 'CINC1', channel_type: 'channel' }),
    );
    await emu.waitFor('chat.postMessage', (c) => c.args.channel === 'CINC1' && JSON.stringify(c.args.blocks).includes('Fraud'));
    expect(cards()).toHaveLength(3);
    await restarted.close();
  });

  it('ignores channels that are not incident channels', async () => {
    const bot = await startBot(tree.path('other-state.db'));
    await postSigned(bot.url, SECRET, eventBody({ type: 'channel_created', channel: { id: 'CGEN', name: 'general', created: 1, creator: 'U1' } }));
    const after = await sentinel(bot.url);
    expect(emu.callsTo('chat.postMessage').filter((c) => c.args.thread_ts !== after)).toEqual([]);
    await bot.close();
  });

  it('retries a rate-limited post after Retry-After', async () => {
    const bot = await startBot(tree.path('ratelimit-state.db'));
    emu.rateLimitNext('chat.postMessage', 1, 1);
    await postSigned(
      bot.url,
      SECRET,
      eventBody({ type: 'channel_created', channel: { id: 'CINC1', name: 'inc-payments-api-errors', created: 1, creator: 'U1' } }),
    );
    await emu.waitFor('chat.postMessage', (c) => !c.ratelimited && c.args.channel === 'CINC1', 10_000);
    expect(emu.callsTo('chat.postMessage')[0]?.ratelimited).toBe(true);
    // Both cards (the name names payments-api, the topic the ledger) are out before the bot closes.
    await emu.waitFor('chat.postMessage', (c) => !c.ratelimited && c.args.channel === 'CINC1' && JSON.stringify(c.args.blocks).includes('Ledger'), 10_000);
    await emu.waitFor('chat.postMessage', (c) => !c.ratelimited && c.args.channel === 'CINC1' && JSON.stringify(c.args.blocks).includes('Payments'), 10_000);
    await bot.close();
  });
});

describe('Slack over Socket Mode', () => {
  it('answers a slash command delivered over the socket, acking the envelope', async () => {
    const server = await startSocketModeServer();
    emu.setSocketUrl(server.url);
    const state = openState(tree.path('socket-state.db'));
    const conversation = createConversation({ catalog });
    const adapter = createSlackAdapter({ botToken: 'xoxb-test', appToken: 'xapp-test', apiUrl: emu.url, conversation, state, logger });
    expect(adapter.mode).toBe('socket');
    await adapter.start();
    await server.connected();
    const ack = await server.send({
      type: 'slash_commands',
      payload: Object.fromEntries(new URLSearchParams(slashCommandBody({ command: '/whoowns', text: 'petstore', response_url: emu.responseUrl('socket') }))),
    });
    expect(ack.envelope_id).toBeTruthy();
    const answer = await emu.waitForResponse((r) => r.id === 'socket');
    expect(blocksText(answer.body)).toContain('Team C');
    await adapter.stop();
    await server.close();
    state.close();
  });
});

it('signs like Slack: v0 HMAC of the timestamp and body', async () => {
  const h = signSlackRequest('secret', 'body', 1);
  expect(h['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
});
