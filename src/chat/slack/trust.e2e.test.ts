/**
 * Issue 8 end to end through the Slack emulator: a hostile descriptor cannot make an incident card
 * speak for the bot, and a listener that fails after ack() tells the person what went wrong.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../catalog/index.js';
import { createConversation } from '../../conversation/index.js';
import { Metrics } from '../../http/metrics.js';
import { startHttpServer } from '../../http/server.js';
import { openState } from '../../state/index.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../../testing/fixtures.js';
import { liveMarkup } from '../../testing/hostile-catalog.js';
import { writeHostileCatalog } from '../../testing/hostile-catalog.js';
import { startSlackEmulator, type SlackEmulator } from '../../testing/slack-emulator.js';
import { blockActionsBody, eventBody, postSigned, slashCommandBody } from '../../testing/slack-signing.js';
import { createSlackAdapter } from './adapter.js';

const SECRET = 'trust-secret';
const logger = pino({ level: 'silent' });

let tree: TempTree;
let emu: SlackEmulator;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  tree = tempTree();
  emu = await startSlackEmulator({
    channels: [
      { id: 'CEVIL1', name: 'inc-evil-api-down' },
      { id: 'CINC2', name: 'inc-payments-api-errors' },
      { id: 'CGEN', name: 'general' },
    ],
  });
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await emu.close();
  tree.cleanup();
});

afterEach(() => emu.reset());

/** A bot on its own state file, answering from `catalog`; returns its events URL. */
async function startBot(catalog: Catalog, name: string): Promise<string> {
  const state = openState(tree.path(`${name}-state.db`));
  const adapter = createSlackAdapter({
    botToken: 'xoxb-test',
    signingSecret: SECRET,
    apiUrl: emu.url,
    conversation: createConversation({ catalog }),
    state,
    logger,
    retries: 0,
  });
  const http = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: new Metrics(), logger, health: () => ({ status: 'ok' }), routes: adapter.routes });
  closers.push(
    () => http.close(),
    () => state.close(),
  );
  return `http://127.0.0.1:${http.port}/slack/events`;
}

const click = (value: string, responseId: string, extra: Record<string, unknown> = {}) =>
  blockActionsBody({
    type: 'block_actions',
    user: { id: 'U2147483697' },
    team: { id: 'T0001' },
    api_app_id: 'A0001',
    token: 'legacy',
    trigger_id: '1.2.3',
    response_url: emu.responseUrl(responseId),
    container: { type: 'message', message_ts: '1.1', channel_id: 'CGEN', is_ephemeral: true },
    channel: { id: 'CGEN', name: 'general' },
    actions: [{ type: 'button', action_id: 'sb:0', block_id: 'b', value, text: { type: 'plain_text', text: 'Dependencies' }, action_ts: '1.2' }],
    ...extra,
  });

const textOf = (body: { text?: string; blocks?: unknown[] }) => `${body.text ?? ''} ${JSON.stringify(body.blocks ?? [])}`;

describe('an incident card from a hostile descriptor', () => {
  it('posts blocks and text with no live mention, channel link or made-up link', async () => {
    const catalog = openCatalog(tree.path('hostile.db'));
    closers.push(() => catalog.close());
    await catalog.ingest([writeHostileCatalog(tree)]);
    const url = await startBot(catalog, 'hostile');
    await postSigned(url, SECRET, eventBody({ type: 'channel_created', channel: { id: 'CEVIL1', name: 'inc-evil-api-down', created: 1, creator: 'U1' } }));
    const post = await emu.waitFor('chat.postMessage', (c) => c.args.channel === 'CEVIL1');
    expect(JSON.stringify(post.args.blocks)).toContain('Evil API');
    expect(liveMarkup({ text: post.args.text, blocks: post.args.blocks as unknown[] })).toEqual([]);
  });
});

describe('a listener that fails after ack()', () => {
  let url: string;
  beforeAll(async () => {
    // A catalog whose database is gone: every lookup throws, as a corrupt or deleted file would.
    const broken = openCatalog(tree.path('broken.db'));
    await broken.ingest([SAMPLE_CATALOG]);
    broken.close();
    url = await startBot(broken, 'broken');
  });

  it('answers a slash command privately with what went wrong', async () => {
    await postSigned(url, SECRET, slashCommandBody({ command: '/whoowns', text: 'petstore', response_url: emu.responseUrl('cmd') }));
    const answer = await emu.waitForResponse((r) => r.id === 'cmd');
    expect(answer.body.response_type).toBe('ephemeral');
    expect(textOf(answer.body)).toContain('could not answer /whoowns petstore: The database connection is not open');
  });

  it('answers a button click privately, leaving the message clicked in place', async () => {
    await postSigned(url, SECRET, click('deps|component:default/payments-api|1', 'btn'));
    const answer = await emu.waitForResponse((r) => r.id === 'btn');
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(textOf(answer.body)).toContain('could not answer the button “Dependencies”');
  });

  it('answers a mention in its thread', async () => {
    await postSigned(
      url,
      SECRET,
      eventBody({ type: 'app_mention', user: 'U1', text: '<@UBOT0001> who owns payments-api?', ts: '1700.0001', channel: 'CGEN', event_ts: '1700.0001' }),
    );
    const post = await emu.waitFor('chat.postMessage', (c) => c.args.channel === 'CGEN');
    expect(post.args.thread_ts).toBe('1700.0001');
    expect(textOf(post.args)).toContain('could not answer your mention');
  });

  it('tells the creator of an incident channel, privately, that its cards could not be posted', async () => {
    await postSigned(
      url,
      SECRET,
      eventBody({ type: 'channel_created', channel: { id: 'CINC2', name: 'inc-payments-api-errors', created: 1, creator: 'U0CREATOR' } }),
    );
    const told = await emu.waitFor('chat.postEphemeral', (c) => c.args.channel === 'CINC2');
    expect(told.args.user).toBe('U0CREATOR');
    expect(textOf(told.args)).toContain('could not answer the new channel #inc-payments-api-errors');
  });

  it('answers a Reject click whose modal Slack refused to open (a Web API error)', async () => {
    // The trigger id was never minted by the emulator: views.open answers invalid_trigger_id.
    await postSigned(url, SECRET, click('vote|reject|create-service/beans-api', 'reject', { message: { type: 'message', ts: '1.1', text: 'request' } }));
    const answer = await emu.waitForResponse((r) => r.id === 'reject');
    expect(emu.callsTo('views.open')).toHaveLength(1);
    expect(textOf(answer.body)).toContain('invalid_trigger_id');
  });

  it('keeps the reject modal open with the reason when the vote is not counted', async () => {
    const res = await postSigned(
      url,
      SECRET,
      blockActionsBody({
        type: 'view_submission',
        team: { id: 'T0001' },
        user: { id: 'U2147483697' },
        api_app_id: 'A0001',
        token: 'legacy',
        trigger_id: '1.2.5',
        view: {
          id: 'V1',
          type: 'modal',
          callback_id: 'sb:reject',
          private_metadata: 'create-service/beans-api',
          blocks: [{ type: 'input', block_id: 'reason' }],
          state: { values: { reason: { value: { type: 'plain_text_input', value: 'not now' } } } },
          hash: 'h',
        },
      }),
    );
    expect(await res.json()).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringContaining('unavailable') } });
  });
});
