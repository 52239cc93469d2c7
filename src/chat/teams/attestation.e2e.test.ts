/**
 * "Still yours?" and the weekly digest in Teams channels, end to end: the running application on a real
 * Temporal dev server, Bot Framework activities signed with the Teams emulator's key, its Connector on
 * loopback, and Slack beside it. A round posts the ask as an Adaptive Card to the team's Teams channel
 * (the operator's `teamsChannel`, or the Group's `switchboard.dev/teams-channel`) and to its Slack
 * channel; clicks are Action.Execute invokes answered with the refreshed card; a channel the bot was
 * never added to is logged and the other still gets the ask, once; a team without a channel is asked in
 * its members' DMs; the digest reaches Teams channels too.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { roundName } from '../../../workflows/attestation-round.js';
import type { AttestationRoundResult } from '../../../workflows/attestation-contract.js';
import type { DigestPostResult } from '../../../workflows/digest-contract.js';
import { parseSettings } from '../../settings/index.js';
import { openTruth } from '../../state/truth.js';
import { DIGEST_SCHEDULE_ID } from '../../temporal/digest-schedule.js';
import { SAMPLE_CATALOG, component, group, tempTree } from '../../testing/fixtures.js';
import { type Harness, slackId, startHarness } from '../../testing/harness.js';
import {
  actionActivity,
  actionsOf,
  button,
  type CardAction,
  cardText,
  messageActivity,
  type TeamsPlace,
  type TeamsUser,
} from '../../testing/teams-activities.js';
import { startTeamsEmulator, type TeamsCall, type TeamsEmulator } from '../../testing/teams-emulator.js';
import { describeWithTemporal, startTemporal } from '../../testing/temporal.js';
import { formatRef, parseRef } from '../../threads.js';

const PAYMENTS = 'group:default/team-payments';
const STOREFRONT = 'group:default/team-storefront';
const ROASTERY = 'group:default/team-roastery'; // its Teams channel is its Group's annotation
const QUIET = 'group:default/team-quiet'; // no channel anywhere
const PAYMENTS_CHANNEL: TeamsPlace = { id: '19:paymentscatalog0a1b2c@thread.tacv2', type: 'channel', teamId: '19:quillmere0general1@thread.tacv2' };
const STOREFRONT_CHANNEL: TeamsPlace = { id: '19:storefront7c8d9e@thread.tacv2', type: 'channel', teamId: '19:quillmere0general1@thread.tacv2' };
const ROASTERY_CHANNEL: TeamsPlace = { id: '19:roastery3f4a5b@thread.skype', type: 'channel', teamId: '19:quillmere0general1@thread.tacv2' };

const SETTINGS = parseSettings(
  [
    'attestation:',
    '  teams:',
    `    team-payments: { teamsChannel: "${PAYMENTS_CHANNEL.id}" }`,
    `    team-storefront: { teamsChannel: "${STOREFRONT_CHANNEL.id}" }`,
    'digest: {}',
    '',
  ].join('\n'),
  '/etc/switchboard.yaml',
);

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
const escaped = (ref: string) => ref.replace(/[/.]/g, '\\$&');
type Invoked = { statusCode: number; type: string; value: unknown };

async function until<T>(get: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 50))) {
    const v = await Promise.resolve(get()).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
  }
}

describeWithTemporal('"Still yours?" and the digest in Teams channels, on a real Temporal server', () => {
  let temporal: TestWorkflowEnvironment;
  let teams: TeamsEmulator;
  let h: Harness;
  let botUrl: string;
  let amara: TeamsUser;
  let diego: TeamsUser;
  let ask: TeamsCall;
  const amaraChat: TeamsPlace = { id: 'a:1amara-personal', type: 'personal' };
  const round = roundName(new Date(), 'quarterly');
  const logs: { level: number; msg: string; err?: { message?: string }; channel?: string; team?: string }[] = [];

  const withTruth = async <T>(read: (truth: ReturnType<typeof openTruth>) => Promise<T>): Promise<T> => {
    const truth = openTruth(h.env.SWITCHBOARD_DB as string);
    try {
      return await read(truth);
    } finally {
      truth.close();
    }
  };
  const sentTo = (place: TeamsPlace, needle: string, op: 'send' | 'reply' = 'send', timeoutMs = 30_000) =>
    teams.waitFor((c) => c.op === op && c.status < 300 && c.conversationId === place.id && cardText(c).includes(needle), timeoutMs);
  const click = async (who: TeamsUser, action: CardAction, extra: Record<string, unknown> = {}) => {
    const res = await teams.post(botUrl, actionActivity(teams, who, PAYMENTS_CHANNEL, action.verb as string, { ...action.data, ...extra }, askId()));
    expect(res.status).toBe(200);
    return res.body as Invoked;
  };
  let askMessage = '';
  const askId = () => parseRef(askMessage).message as string;
  /** The bot added to a channel: Teams sends installationUpdate (add) from there, and the bot remembers it. */
  const addBot = async (place: TeamsPlace) => {
    const res = await teams.post(botUrl, { ...messageActivity(teams, amara, place, '', false), type: 'installationUpdate', action: 'add', text: undefined });
    expect(res.status).toBe(200);
    await until(async () => h.app.state.conversation(formatRef({ platform: 'teams', conversation: place.id })));
  };
  const trigger = async (team: string) => {
    const schedule = temporal.client.schedule.getHandle(`attestation/${team}`);
    await until(async () => (await schedule.describe()).scheduleId);
    await schedule.trigger();
  };
  const runRound = (team: string, remindAfterMs: number) =>
    temporal.client.workflow.start('attestationRound', {
      taskQueue: h.env.TEMPORAL_TASK_QUEUE as string,
      workflowId: `attestation/${team}/${randomUUID()}`,
      args: [{ team, period: 'quarterly', remindAfterMs }],
    });

  beforeAll(async () => {
    temporal = await startTemporal();
    teams = await startTeamsEmulator({ rate: false });
    const user = (name: string, email: string): TeamsUser => {
      const aadObjectId = randomUUID();
      return { id: teams.addUser({ aadObjectId, name, email }), aadObjectId, name };
    };
    amara = user('Amara Okafor', 'amara.okafor@quillmere.example'); // team-payments, team-roastery
    diego = user('Diego Alvarez', 'diego.alvarez@quillmere.example'); // team-storefront
    teams.addConversation({ id: amaraChat.id, type: 'personal', members: [amara.id] });
    for (const place of [PAYMENTS_CHANNEL, STOREFRONT_CHANNEL, ROASTERY_CHANNEL])
      teams.addConversation({ id: place.id, type: 'channel', name: place.id, members: [amara.id, diego.id] });

    const tree = tempTree('switchboard-teams-attest-');
    tree.write(
      'extra/teams.yaml',
      [
        group(
          'team-roastery',
          { profile: { displayName: 'Roastery' }, members: ['amara-okafor'] },
          { title: 'Roastery', annotations: { 'switchboard.dev/teams-channel': ROASTERY_CHANNEL.id } },
        ),
        group('team-quiet', { profile: { displayName: 'Quiet' }, members: ['jonas-weber', 'sofia-marchetti'] }, { title: 'Quiet' }),
        component('roaster', { owner: 'group:team-roastery' }),
        component('grinder', { owner: 'group:team-quiet' }),
      ].join('---\n'),
    );
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line) as (typeof logs)[number]) });
    h = await startHarness({
      temporalAddress: temporal.address,
      taskQueue: `teams-attest-${randomUUID()}`,
      teams,
      settings: SETTINGS,
      tree,
      logger,
      env: { SWITCHBOARD_CATALOG: `${SAMPLE_CATALOG},${tree.path('extra')}` },
    });
    botUrl = `${h.baseUrl}/api/messages`;
    await addBot(PAYMENTS_CHANNEL);
    await addBot(ROASTERY_CHANNEL);
    await trigger(PAYMENTS);
    ask = await sentTo(PAYMENTS_CHANNEL, 'Still yours?');
    askMessage = await until(async () => withTruth(async (t) => (await t.ask(round, PAYMENTS))?.messages.find((m) => m.startsWith('teams:'))));
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await teams?.close();
    await temporal?.teardown();
  });

  it("posts the ask to the team's Teams channel as an Adaptive Card, and to its Slack channel as well", async () => {
    expect(ask.body.attachments[0].contentType).toBe(ADAPTIVE);
    expect(cardText(ask)).toContain('component:default/payments-api');
    expect(cardText(ask)).toContain('component:default/ledger');
    expect(button(ask.body, /^attest\|confirm\|.*\|component:default\/ledger$/).verb).toBeTruthy();
    expect(button(ask.body, /^attest\|disown\|.*\|component:default\/ledger$/).verb).toBeTruthy();
    await h.emu.waitFor('chat.postMessage', (c) => c.args.channel === '#team-payments' && JSON.stringify(c.args.blocks ?? []).includes('Still yours?'), 20_000);
    const messages = await until(async () =>
      withTruth(async (t) => ((await t.ask(round, PAYMENTS))?.messages.length === 2 ? (await t.ask(round, PAYMENTS))?.messages : undefined)),
    );
    expect(messages.map((m) => m.split(':')[0]).sort()).toEqual(['slack', 'teams']);
    expect(parseRef(askMessage)).toEqual({ platform: 'teams', conversation: PAYMENTS_CHANNEL.id, message: expect.any(String) });
    expect(teams.activities(PAYMENTS_CHANNEL.id).map((m) => m.id)).toContain(askId());
  });

  it('refuses a click from someone outside the owning team, to them only, and records nothing', async () => {
    const res = await click(diego, button(ask.body, /^attest\|confirm\|.*\|component:default\/ledger$/));
    expect(res.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(res.value)).toContain('Only members of Payments');
    expect(await withTruth((t) => t.attestations(['component:default/ledger']))).toEqual(new Map());
  });

  it("records a member's Confirm with who, and answers the invoke with the ask refreshed in place", async () => {
    const res = await click(amara, button(ask.body, /^attest\|confirm\|.*\|component:default\/payments-api$/));
    expect(res).toMatchObject({ statusCode: 200, type: ADAPTIVE, value: { type: 'AdaptiveCard' } });
    expect(JSON.stringify(res.value)).toContain('confirmed by Amara Okafor');
    // The refreshed card has no buttons left for what was answered, and keeps them for the rest.
    expect(() => button(res.value, /^attest\|confirm\|.*\|component:default\/payments-api$/)).toThrow();
    button(res.value, /^attest\|confirm\|.*\|component:default\/ledger$/);
    const answer = (await withTruth((t) => t.attestations(['component:default/payments-api']))).get('component:default/payments-api');
    expect(answer).toMatchObject({ verdict: 'confirmed', byRef: 'user:default/amara-okafor', ownerRef: PAYMENTS });
    const audited = (await h.app.audit.list()).filter((r) => r.action === 'attest' && r.target === 'component:default/payments-api');
    expect(audited.map((r) => [r.event, r.actor])).toEqual([['attested', 'user:default/amara-okafor']]);
    // The Slack copy of the same ask is edited to match; the Teams card was refreshed by the invoke answer, not edited again.
    const slackCopy = await withTruth(async (t) => (await t.ask(round, PAYMENTS))?.messages.find((m) => m.startsWith('slack:')));
    const edited = await h.emu.waitFor(
      'chat.update',
      (c) => c.args.ts === parseRef(slackCopy as string).message && JSON.stringify(c.args.blocks ?? []).includes('confirmed by Amara Okafor'),
      20_000,
    );
    expect(edited.args.channel).toBe(parseRef(slackCopy as string).conversation);
    expect(teams.calls.filter((c) => c.op === 'update' && c.activityId === askId())).toEqual([]);
  });

  it('asks which team on Not ours, and shows the claim on the card and on "who owns"', async () => {
    const picker = await click(amara, button(ask.body, /^attest\|disown\|.*\|component:default\/ledger$/));
    expect(picker.type).toBe(ADAPTIVE);
    expect(JSON.stringify(picker.value)).toContain('Input.ChoiceSet');
    expect(JSON.stringify(picker.value)).toContain('group:default/team-platform');
    expect(JSON.stringify(picker.value)).not.toContain(`"value":"${PAYMENTS}"`);
    const propose = button(picker.value, /^attest\|disown\|.*\|component:default\/ledger$/);
    const res = await click(amara, propose, { owner: 'group:default/team-platform' });
    expect(JSON.stringify(res.value)).toMatch(/not ours, said Amara Okafor; proposed owner: Platform/);
    expect((await withTruth((t) => t.attestations(['component:default/ledger']))).get('component:default/ledger')).toMatchObject({
      verdict: 'disowned',
      proposedOwner: 'group:default/team-platform',
    });
    const before = teams.calls.length;
    await teams.post(botUrl, messageActivity(teams, amara, amaraChat, 'who owns ledger'));
    const card = await teams.waitFor(
      (c) => teams.calls.indexOf(c) >= before && c.op === 'send' && c.conversationId === amaraChat.id && cardText(c).includes('says this is not theirs'),
      20_000,
    );
    expect(cardText(card)).toMatch(/Payments says this is not theirs; proposed owner: .*Platform/);
  });

  it('refreshes the Teams card in place when the ask is answered from its Slack copy', async () => {
    const slackCopy = parseRef((await withTruth(async (t) => (await t.ask(round, PAYMENTS))?.messages.find((m) => m.startsWith('slack:'))))!);
    const posted = h.emu
      .callsTo('chat.postMessage')
      .find((c) => c.args.channel === '#team-payments' && JSON.stringify(c.args.blocks ?? []).includes('Still yours?'));
    const values = JSON.stringify(posted?.args.blocks ?? []).match(/attest\|confirm\|[^"]*\|component:default\/payments-sdk/g);
    expect(values).toHaveLength(1);
    const before = teams.calls.length;
    expect((await h.click(slackId('amara-okafor'), values![0]!, { channel: slackCopy.conversation, ts: slackCopy.message! })).status).toBe(200);
    const sdkConfirm = /^attest\|confirm\|.*\|component:default\/payments-sdk$/;
    const answered = (c: TeamsCall) => actionsOf(c.body).every((a) => !sdkConfirm.test(String(a.data?.sb ?? '')));
    const updated = await teams.waitFor(
      (c) => teams.calls.indexOf(c) >= before && c.op === 'update' && c.status < 300 && c.activityId === askId() && answered(c),
      20_000,
    );
    expect(updated.conversationId).toBe(PAYMENTS_CHANNEL.id);
    expect(cardText(updated)).toContain('confirmed by Amara Okafor');
  });

  it('Confirm all, clicked once, records every entity of the ask still unanswered', async () => {
    const asked = await withTruth(async (t) => (await t.ask(round, PAYMENTS))!);
    const before = await withTruth((t) => t.attestations(asked.entities));
    const open = asked.entities.filter((ref) => !before.has(ref) || before.get(ref)!.at < asked.askedAt);
    expect(open.length).toBeGreaterThanOrEqual(2);
    const res = await click(amara, button(ask.body, new RegExp(`^attest\\|confirm-all\\|${escaped(round)}\\|${escaped(PAYMENTS)}\\|$`)));
    expect(res.type).toBe(ADAPTIVE);
    expect(JSON.stringify(res.value)).toContain('Every entity is answered');
    const after = await withTruth((t) => t.attestations(asked.entities));
    for (const ref of open) expect(after.get(ref), ref).toMatchObject({ verdict: 'confirmed', byRef: 'user:default/amara-okafor', ownerRef: PAYMENTS });
    // What was answered before keeps its answer.
    expect(after.get('component:default/ledger')?.verdict).toBe('disowned');
    const confirmedByAll = (await h.app.audit.list()).filter((r) => r.action === 'attest' && r.event === 'attested' && open.includes(r.target as string));
    expect(confirmedByAll).toHaveLength(open.length);
  });

  it("posts to the Teams channel its Group's switchboard.dev/teams-channel names, where no setting does", async () => {
    await trigger(ROASTERY);
    const roastery = await sentTo(ROASTERY_CHANNEL, 'component:default/roaster');
    expect(roastery.body.attachments[0].contentType).toBe(ADAPTIVE);
    expect(cardText(roastery)).toContain('Still yours?');
  });

  it('logs a Teams channel the bot was never added to, still asks in Slack, re-posts nowhere on a rerun, and reminds in the Teams thread once added', async () => {
    await trigger(STOREFRONT);
    await h.emu.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === '#team-storefront' && JSON.stringify(c.args.blocks ?? []).includes('Still yours?'),
      30_000,
    );
    const failed = (n: number) =>
      until(() => {
        const found = logs.filter(
          (l) => l.channel === formatRef({ platform: 'teams', conversation: STOREFRONT_CHANNEL.id }) && /could not post the "Still yours\?" ask/.test(l.msg),
        );
        return found.length >= n ? found : undefined;
      }, 30_000);
    const [logged] = await failed(1);
    expect(logged?.level).toBe(50);
    expect(logged?.err?.message).toMatch(/no service URL for the Teams conversation 19:storefront7c8d9e@thread\.tacv2: the bot must be added there first/);
    const slackAsks = () =>
      h.emu
        .callsTo('chat.postMessage')
        .filter((c) => c.args.channel === '#team-storefront' && !c.args.thread_ts && JSON.stringify(c.args.blocks ?? []).includes('Still yours?'));
    expect(slackAsks()).toHaveLength(1);

    // The same round again, the bot still not there: the Teams channel is tried again, Slack is not posted twice.
    const again = await runRound(STOREFRONT, 7 * 86_400_000);
    await failed(2);
    await again.terminate('seen what it does');
    expect(slackAsks()).toHaveLength(1);

    // Added now: the round posts to the Teams channel only, and its one reminder replies in each thread.
    await addBot(STOREFRONT_CHANNEL);
    const result = (await (await runRound(STOREFRONT, 1)).result()) as AttestationRoundResult;
    expect(result.ask.asked).toBe(false);
    expect(result.ask.messages.map((m) => m.split(':')[0])).toEqual(['slack', 'teams']);
    expect(result.reminder).toMatchObject({ reminded: true });
    const posted = await sentTo(STOREFRONT_CHANNEL, 'Still yours?');
    expect(slackAsks()).toHaveLength(1);
    const reminder = await sentTo(STOREFRONT_CHANNEL, 'Reminder: still yours?', 'reply');
    const postedId = parseRef(result.ask.messages[1] as string).message;
    expect(reminder.activityId).toBe(postedId);
    const thread = teams.activities(STOREFRONT_CHANNEL.id).filter((m) => m.replyToId === postedId);
    expect(thread).toHaveLength(1);
    expect(teams.calls.filter((c) => c.op === 'send' && c.conversationId === STOREFRONT_CHANNEL.id && cardText(c).includes('Still yours?'))).toEqual([posted]);
  }, 90_000);

  it("asks a team without any channel in its members' DMs, one each", async () => {
    await trigger(QUIET);
    const messages = await until(
      async () => withTruth(async (t) => ((await t.ask(round, QUIET))?.messages.length === 2 ? (await t.ask(round, QUIET))?.messages : undefined)),
      30_000,
    );
    expect(messages.every((m) => m.startsWith('slack:D'))).toBe(true);
    // Posted to each member's user id: Slack delivers it into the app's DM with them.
    const dms = h.emu.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks ?? []).includes('component:default/grinder'));
    expect(dms.map((c) => c.args.channel).sort()).toEqual([slackId('jonas-weber'), slackId('sofia-marchetti')].sort());
  });

  it("posts the weekly digest to the teams' Teams channels, once a week", async () => {
    const schedule = temporal.client.schedule.getHandle(DIGEST_SCHEDULE_ID);
    await until(async () => (await schedule.describe()).scheduleId);
    await schedule.trigger();
    const payments = await sentTo(PAYMENTS_CHANNEL, 'Weekly digest: Payments', 'send', 60_000);
    expect(payments.body.attachments[0].contentType).toBe(ADAPTIVE);
    await sentTo(ROASTERY_CHANNEL, 'Weekly digest: Roastery', 'send', 60_000);
    const first = await until(async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId);
    const results = (await temporal.client.workflow.getHandle(first).result()) as DigestPostResult[];
    expect(
      results
        .find((r) => r.team === PAYMENTS)
        ?.posted.slice()
        .sort(),
    ).toEqual(['slack:#team-payments', formatRef({ platform: 'teams', conversation: PAYMENTS_CHANNEL.id })]);
    await schedule.trigger();
    const second = await until(async () => (await schedule.describe()).info.recentActions[1]?.action.workflow.workflowId);
    await temporal.client.workflow.getHandle(second).result();
    const digests = teams.calls.filter((c) => c.op === 'send' && c.conversationId === PAYMENTS_CHANNEL.id && cardText(c).includes('Weekly digest'));
    expect(digests).toHaveLength(1);
  }, 120_000);
});
