/**
 * Microsoft Teams end to end, as people use it: Bot Framework activities signed with the emulator's key
 * into the running application, the Connector, token and OpenID endpoints emulated on loopback, a real
 * Temporal dev server, and Slack running beside Teams, so a request made in one is approved from the other.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatRef } from './threads.js';
import { type Harness, slackId, startHarness } from './testing/harness.js';
import {
  actionActivity,
  actionsOf,
  button,
  type CardAction,
  cardText,
  channelCreatedActivity,
  messageActivity,
  queryActivity,
  searchActivity,
  TEAMS_FIXTURES,
  teamsFixture,
  type TeamsPlace,
  type TeamsUser,
} from './testing/teams-activities.js';
import { startTeamsEmulator, type TeamsEmulator } from './testing/teams-emulator.js';
import { describeWithTemporal, startTemporal } from './testing/temporal.js';

const YUKI_AAD = '5f0c2b7e-3d1a-4c8e-9b6a-2e7d4f1a9c03'; // graph.microsoft.com/user-id in the sample catalog
const NOAH = slackId('noah-fischer'); // team-platform, on Slack only

/** Everything a card says, for matching: its JSON (texts, facts, button data). */
describeWithTemporal('Teams on a real Temporal server, beside Slack', () => {
  let temporal: TestWorkflowEnvironment;
  let teams: TeamsEmulator;
  let h: Harness;
  let botUrl: string;
  let diego: TeamsUser;
  let yuki: TeamsUser;
  let amara: TeamsUser;
  const diegoChat: TeamsPlace = { id: 'a:1diego-personal', type: 'personal' };
  const channel: TeamsPlace = { id: '19:general0a1b2c@thread.tacv2', type: 'channel', teamId: '19:general0a1b2c@thread.tacv2' };

  beforeAll(async () => {
    temporal = await startTemporal();
    teams = await startTeamsEmulator({ rate: false });
    const user = (name: string, email: string, aadObjectId = randomUUID()): TeamsUser => ({
      id: teams.addUser({ aadObjectId, name, email }),
      aadObjectId,
      name,
    });
    diego = user('Diego Alvarez', 'diego.alvarez@quillmere.example');
    yuki = user('Yuki Tanaka', 'yuki.tanaka@quillmere.example', YUKI_AAD);
    amara = user('Amara Okafor', 'amara.okafor@quillmere.example');
    teams.addConversation({ id: diegoChat.id, type: 'personal', members: [diego.id] });
    teams.addConversation({ id: channel.id, type: 'channel', name: 'General', members: [diego.id, yuki.id, amara.id] });
    h = await startHarness({ temporalAddress: temporal.address, taskQueue: `teams-${randomUUID()}`, teams });
    botUrl = `${h.baseUrl}/api/messages`;
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await teams?.close();
    await temporal?.teardown();
  });

  /** Calls before this index answer earlier messages: each `say` moves it, so a wait sees only what follows. */
  let cursor = 0;
  const say = (from: TeamsUser, place: TeamsPlace, text: string, mention?: boolean) => {
    cursor = teams.calls.length;
    return teams.post(botUrl, messageActivity(teams, from, place, text, mention));
  };
  const sentTo = (conversationId: string, needle: string | RegExp, timeoutMs = 10_000) =>
    teams.waitFor(
      (c) =>
        (c.op === 'send' || c.op === 'reply') &&
        c.status < 300 &&
        teams.calls.indexOf(c) >= cursor &&
        c.conversationId?.startsWith(conversationId) === true &&
        (typeof needle === 'string' ? cardText(c).includes(needle) : needle.test(cardText(c))),
      timeoutMs,
    );

  it('refuses forged, expired, wrong-audience, wrong-issuer and wrong-serviceurl tokens with 401, and no handler runs', async () => {
    const place: TeamsPlace = { id: 'a:1never-seen', type: 'personal' };
    const before = teams.calls.length;
    for (const forge of [
      { foreignKey: 'sameKid' as const },
      { foreignKey: 'unknownKid' as const },
      { expired: true },
      { notYetValid: true },
      { aud: randomUUID() },
      { iss: 'https://api.botframework.example' },
      { serviceUrl: 'https://smba.trafficmanager.net/amer/' },
      { serviceUrl: null },
      { alg: 'HS256' as const },
      { alg: 'none' as const },
    ]) {
      const res = await teams.post(botUrl, messageActivity(teams, diego, place, 'who owns ledger'), forge);
      expect(res.status, JSON.stringify(forge)).toBe(401);
    }
    const unsigned = await fetch(botUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(messageActivity(teams, diego, place, 'help')),
    });
    expect(unsigned.status).toBe(401);
    // Nothing ran: the conversation was never recorded, and the bot called Teams for nothing.
    expect(await h.app.state.conversation(formatRef({ platform: 'teams', conversation: place.id }))).toBeUndefined();
    expect(teams.calls.slice(before).filter((c) => c.op)).toEqual([]);
  });

  it('answers every recorded Teams payload (fixtures/external/teams), sent as Teams sent it, and stays up', async () => {
    const files = readdirSync(TEAMS_FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    // The recorded sender and team, as the emulator's tenant knows them.
    const recorded = teamsFixture('message_channel_at_mention') as { from: { id: string; name: string; aadObjectId: string }; conversation: { id: string } };
    const dave = teams.addUser({ id: recorded.from.id, aadObjectId: recorded.from.aadObjectId, name: recorded.from.name, email: 'dave@example.com' });
    teams.addConversation({ id: recorded.conversation.id.replace(/;messageid=.*$/, ''), type: 'channel', name: 'General', members: [dave] });
    const before = teams.calls.length;
    for (const file of files) {
      // Only what ties it to this run changes: the service URL its token is bound to, and the bot it was sent to (and mentions) and the tenant.
      const recordedActivity = teamsFixture(file.replace(/\.json$/, '')) as {
        recipient: { id: string };
        entities?: { mentioned?: { id: string } }[];
        conversation: Record<string, unknown>;
        channelData?: Record<string, unknown>;
      };
      const bot = recordedActivity.recipient.id;
      const entities = recordedActivity.entities?.map((e) => (e.mentioned?.id === bot ? { ...e, mentioned: { ...e.mentioned, id: teams.botId } } : e));
      const tenant = { id: teams.tenantId };
      const activity = {
        ...recordedActivity,
        ...(entities && { entities }),
        serviceUrl: teams.serviceUrl,
        recipient: { id: teams.botId, name: 'Switchboard' },
        conversation: { ...recordedActivity.conversation, tenantId: teams.tenantId },
        channelData: { ...recordedActivity.channelData, tenant },
      };
      const res = await teams.post(botUrl, activity);
      expect(res.status, file).toBe(200);
    }
    // The mention names nothing Switchboard knows ("show members"): Dave is answered with help in his 1:1 chat, not silence.
    await teams.waitFor(
      (c) => teams.calls.indexOf(c) >= before && c.op === 'send' && c.conversationId === teams.personalConversationId(dave) && c.status < 300,
      10_000,
    );
  });

  it('answers plain English and the short commands in the 1:1 chat, and acks before the reply goes out', async () => {
    const res = await say(diego, diegoChat, 'who owns payments-api?');
    expect(res.status).toBe(200);
    const answer = await sentTo(diegoChat.id, 'payments-api');
    expect(cardText(answer)).toContain('Payments');
    expect(answer.body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    for (const [text, needle] of [
      ['whoowns ledger', 'ledger'],
      ['runbook ledger', 'unbook'],
      ['deps auth 2', 'auth'],
      ['help', 'who owns'],
    ] as const) {
      await say(diego, diegoChat, text);
      await teams.waitFor((c) => c.op === 'send' && c.conversationId === diegoChat.id && cardText(c).toLowerCase().includes(needle.toLowerCase()));
    }
  });

  it('mentions the people Teams knows with <at> and an entity of their Entra id, and names the others', async () => {
    await say(diego, diegoChat, 'who owns notifications-api');
    const answer = await sentTo(diegoChat.id, 'notifications');
    const card = answer.body.attachments[0].content as { msteams: { entities: { text: string; mentioned: { id: string } }[] } };
    expect(card.msteams.entities).toContainEqual(
      expect.objectContaining({ text: '<at>Yuki Tanaka</at>', mentioned: expect.objectContaining({ id: YUKI_AAD }) }),
    );
    expect(cardText(answer)).toContain('<at>Yuki Tanaka</at>');
    expect(cardText(answer)).toContain('Noah Fischer');
    expect(cardText(answer)).not.toContain('<at>Noah Fischer</at>');
  });

  it('a private answer to a mention in a channel goes to the asker only, and "Share in channel" posts it there', async () => {
    await say(amara, channel, 'who owns ledger');
    const created = await teams.waitFor(
      (c) => c.op === 'createConversation' && [amara.id, amara.aadObjectId].some((id) => JSON.stringify(c.body).includes(id)),
    );
    const amaraChat = teams.personalConversationId(amara.aadObjectId);
    const answer = await sentTo(amaraChat, 'ledger');
    expect(created.status).toBeLessThan(300);
    // Nothing in the channel itself.
    expect(teams.calls.filter((c) => (c.op === 'send' || c.op === 'reply') && c.conversationId?.startsWith(channel.id))).toEqual([]);
    const share = button(answer.body, /^share\|/);
    const res = await teams.post(
      botUrl,
      actionActivity(teams, amara, { id: amaraChat, type: 'personal' }, share.verb as string, share.data as Record<string, unknown>),
    );
    expect(res.status).toBe(200);
    expect((res.body as { type: string }).type).toBe('application/vnd.microsoft.card.adaptive');
    const shared = await sentTo(channel.id, 'ledger');
    expect(actionsOf(shared.body).some((a) => /^share\|/.test(String(a.data?.sb)))).toBe(false);
  });

  it('"did you mean" refreshes the card in place with the chosen answer', async () => {
    await say(diego, diegoChat, 'who owns paymnts');
    const ambiguous = await sentTo(diegoChat.id, 'team-payments');
    const choice = button(ambiguous.body, /^whoowns\|group:default\/team-payments/);
    const res = await teams.post(botUrl, actionActivity(teams, diego, diegoChat, choice.verb as string, choice.data as Record<string, unknown>));
    const refreshed = res.body as { statusCode: number; type: string; value: { type: string; version: string } };
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(refreshed.value.type).toBe('AdaptiveCard');
    expect(JSON.stringify(refreshed.value)).toContain('Payments');
  });

  it('an incident channel gets one card per affected service, once, and a later message naming another service adds its card', async () => {
    const incident = { id: '19:incledger77@thread.tacv2', name: 'inc-ledger-down' };
    teams.addConversation({ id: incident.id, type: 'channel', name: incident.name, members: [diego.id] });
    const event = channelCreatedActivity(teams, diego, channel.teamId as string, incident);
    expect((await teams.post(botUrl, event)).status).toBe(200);
    const card = await sentTo(incident.id, 'ledger');
    expect(cardText(card)).toMatch(/Upstream/);
    // The same event again (Teams retries) posts nothing new.
    await teams.post(botUrl, { ...event, id: `${event.id}-again` });
    const msg = await say(diego, { id: incident.id, type: 'channel', teamId: channel.teamId }, 'auth is timing out too', false);
    expect(msg.status).toBe(200);
    await sentTo(incident.id, 'auth');
    const ledgerCards = teams.calls.filter((c) => c.op === 'send' && c.conversationId === incident.id && cardText(c).includes('component:default/ledger'));
    expect(ledgerCards).toHaveLength(1);
  });

  it('the message extension finds a service and offers its card to insert', async () => {
    const res = await teams.post(botUrl, queryActivity(teams, diego, channel, 'ledger'));
    const result = res.body as {
      composeExtension: { type: string; attachments: { contentType: string; content: unknown; preview: { content: { title: string } } }[] };
    };
    expect(result.composeExtension.type).toBe('result');
    expect(result.composeExtension.attachments[0]?.preview.content.title).toBe('ledger');
    expect(result.composeExtension.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
  });

  it('create-service from Teams: the approver is messaged in a new 1:1 chat, approves there, and the status card updates in place', async () => {
    const name = 'beans-teams';
    await say(diego, diegoChat, `create-service ${name} owner=team-payments system=payments`);
    await sentTo(diegoChat.id, `create-service/${name}`);
    // Yuki never wrote to the bot: a 1:1 chat is created through the Connector with tenant and AAD id.
    const opened = await teams.waitFor((c) => c.op === 'createConversation' && JSON.stringify(c.body).includes(YUKI_AAD), 10_000);
    expect(opened.status).toBeLessThan(300);
    expect(JSON.stringify(opened.body)).toContain(teams.tenantId);
    const ask = await sentTo(teams.personalConversationId(YUKI_AAD), `create-service/${name}`);
    const approve = button(ask.body, /^vote\|approve\|/);
    const res = await teams.post(
      botUrl,
      actionActivity(
        teams,
        yuki,
        { id: teams.personalConversationId(YUKI_AAD), type: 'personal' },
        approve.verb as string,
        approve.data as Record<string, unknown>,
      ),
    );
    expect((res.body as { type: string }).type).toBe('application/vnd.microsoft.card.adaptive');
    // The requester's status card is the same message, updated in place as the steps run, until done.
    const done = await teams.waitFor(
      (c) => c.op === 'update' && c.conversationId === diegoChat.id && cardText(c).includes('✅ Create a service') && cardText(c).includes(name),
      60_000,
    );
    const message = teams.activities(diegoChat.id).find((m) => m.id === done.activityId);
    expect(message?.updates).toBeGreaterThan(1);
    // The outcome follows, and Yuki's card says who decided.
    await sentTo(diegoChat.id, /is done/);
    await teams.waitFor((c) => c.op === 'update' && c.conversationId === teams.personalConversationId(YUKI_AAD) && cardText(c).includes('Yuki Tanaka'), 20_000);
  }, 90_000);

  it('create-service without its inputs opens the form as a card: pickers search the catalog, errors show under their field, the context cannot be changed', async () => {
    await say(diego, diegoChat, 'create-service');
    const sent = await sentTo(diegoChat.id, 'sb-form');
    const submit = actionsOf(sent.body).find((a) => a.verb === 'sb-form') as CardAction;
    const search = await teams.post(botUrl, searchActivity(teams, diego, diegoChat, 'create-service/owner', 'team-p'));
    const results = (search.body as { value: { results: { value: string }[] } }).value.results.map((r) => r.value);
    expect(results).toEqual(['team-payments', 'team-platform']);

    const click = (data: Record<string, unknown>) => teams.post(botUrl, actionActivity(teams, diego, diegoChat, 'sb-form', { ...submit.data, ...data }));
    const bad = (await click({ 'in:name': 'Beans API', 'in:owner': 'team-payments', 'in:system': 'payments' })).body as { type: string; value: unknown };
    expect(bad.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(bad.value)).toMatch(/not valid/);
    expect(JSON.stringify(bad.value)).toContain('Beans API');

    // A client that rewrites where the status goes is refused, and nothing starts.
    const sbForm = submit.data?.sbForm as { context: Record<string, unknown> };
    const moved = (
      await click({
        sbForm: { ...sbForm, context: { ...sbForm.context, where: 'teams:19%3Aelsewhere@thread.tacv2' } },
        'in:name': 'beans-moved',
        'in:owner': 'team-payments',
        'in:system': 'payments',
      })
    ).body as { type: string; value: string };
    expect(moved.type).toBe('application/vnd.microsoft.activity.message');
    expect(moved.value).toMatch(/changed/);

    const ok = (await click({ 'in:name': 'beans-form', 'in:owner': 'team-payments', 'in:system': 'payments' })).body as { value: unknown };
    expect(JSON.stringify(ok.value)).toContain('create-service/beans-form');
    await sentTo(diegoChat.id, 'create-service/beans-form');
  }, 30_000);

  it('a request made in Teams is approved from Slack, and both the Teams status and the approver cards agree', async () => {
    const name = 'beans-across';
    await say(diego, diegoChat, `create-service ${name} owner=team-payments system=payments`);
    await sentTo(diegoChat.id, `create-service/${name}`);
    // Noah has no Teams account the bot knows: he is asked in Slack.
    const dm = await h.emu.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === NOAH && JSON.stringify(c.args.blocks ?? []).includes(`create-service/${name}`),
      10_000,
    );
    const blocks = dm.args.blocks as { type: string; elements?: { text?: { text: string }; value?: string }[] }[];
    const value = blocks.flatMap((b) => b.elements ?? []).find((e) => e.text?.text === 'Approve')?.value as string;
    expect((await h.click(NOAH, value)).status).toBe(200);
    await teams.waitFor(
      (c) => c.op === 'update' && c.conversationId === diegoChat.id && cardText(c).includes(name) && cardText(c).includes('✅ Create a service'),
      60_000,
    );
    // Yuki's Teams card for the same request is edited to the outcome too.
    await teams.waitFor(
      (c) =>
        c.op === 'update' && c.conversationId === teams.personalConversationId(YUKI_AAD) && cardText(c).includes(name) && cardText(c).includes('Noah Fischer'),
      20_000,
    );
  }, 90_000);

  it('an approver who blocked the bot in Teams is asked where else Switchboard knows her (Slack)', async () => {
    const name = 'beans-blocked';
    teams.blockUser(YUKI_AAD);
    const before = teams.calls.length;
    await say(diego, diegoChat, `create-service ${name} owner=team-payments system=payments`);
    const yukiSlack = slackId('yuki-tanaka');
    await h.emu.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === yukiSlack && JSON.stringify(c.args.blocks ?? []).includes(`create-service/${name}`),
      20_000,
    );
    const refused = teams.calls.slice(before).find((c) => c.op === 'send' && c.conversationId === teams.personalConversationId(YUKI_AAD));
    expect(refused?.status).toBe(403);
  }, 30_000);
});
