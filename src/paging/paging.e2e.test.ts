/**
 * Paging the on-call from the card, end to end: signed Slack requests into the running application
 * (button → views.open → view_submission), the PagerDuty and Opsgenie emulators on loopback reached
 * through PAGERDUTY_EVENTS_URL / PAGERDUTY_API_URL / OPSGENIE_API_URL, and the audit chain on SQLite.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { component, SAMPLE_CATALOG, tempTree } from '../testing/fixtures.js';
import { type Harness, slackId, startHarness } from '../testing/harness.js';
import { startOpsgenieEmulator, type OpsgenieEmulator } from '../testing/opsgenie-emulator.js';
import { startPagerDutyEmulator, type PagerDutyEmulator } from '../testing/pagerduty-emulator.js';
import type { EmulatorCall } from '../testing/slack-emulator.js';
import { actionActivity, messageActivity, type TeamsPlace, type TeamsUser } from '../testing/teams-activities.js';
import { startTeamsEmulator, type TeamsCall, type TeamsEmulator } from '../testing/teams-emulator.js';
import { describeWithTemporal, startTemporal } from '../testing/temporal.js';

const AMARA = slackId('amara-okafor');
const JONAS = slackId('jonas-weber');
const KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const BY_ID_KEY = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

const descriptors = [
  component('ledger-writer', { owner: 'team-payments' }, { title: 'Ledger Writer', annotations: { 'pagerduty.com/integration-key': KEY } }),
  component('refund-api', { owner: 'team-payments' }, { title: 'Refund API', annotations: { 'pagerduty.com/service-id': 'PREFUND' } }),
  component('fraud-scorer', { owner: 'team-payments' }, { title: 'Fraud Scorer', annotations: { 'opsgenie.com/team': 'payments' } }),
  component('card-vault', { owner: 'team-payments' }, { title: 'Card Vault', annotations: { 'pagerduty.com/integration-key': KEY } }),
  component('quiet-batch', { owner: 'team-payments' }, { title: 'Quiet Batch' }),
  component('bad-key', { owner: 'team-payments' }, { annotations: { 'pagerduty.com/integration-key': 'https://evil.example/x' } }),
].join('---\n');

const blocks = (call: { args: Record<string, unknown> } | { body: { blocks?: unknown } }) =>
  JSON.stringify('args' in call ? (call.args.blocks ?? []) : (call.body.blocks ?? [])) + ('args' in call ? String(call.args.text ?? '') : '');

describeWithTemporal('Paging the on-call from a card', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let pd: PagerDutyEmulator;
  let og: OpsgenieEmulator;
  let teams: TeamsEmulator;
  let amaraTeams: TeamsUser;
  const amaraChat: TeamsPlace = { id: 'a:1amara-personal', type: 'personal' };

  beforeAll(async () => {
    env = await startTemporal();
    pd = await startPagerDutyEmulator({
      account: {
        escalationPolicies: [{ id: 'PEP1', name: 'Payments', rules: [] }],
        services: [
          { id: 'PLEDGER', name: 'Ledger Writer', escalationPolicyId: 'PEP1', integrations: [{ id: 'PI1', integration_key: KEY }] },
          { id: 'PREFUND', name: 'Refund API', escalationPolicyId: 'PEP1', integrations: [{ id: 'PI2', integration_key: BY_ID_KEY }] },
        ],
      },
    });
    og = await startOpsgenieEmulator();
    teams = await startTeamsEmulator({ rate: false });
    const aad = '7a1c3e5f-2b4d-4f6a-8c0e-1d3f5a7b9c2e';
    amaraTeams = {
      id: teams.addUser({ aadObjectId: aad, name: 'Amara Okafor', email: 'amara.okafor@quillmere.example' }),
      aadObjectId: aad,
      name: 'Amara Okafor',
    };
    teams.addConversation({ id: amaraChat.id, type: 'personal', members: [amaraTeams.id] });
    const tree = tempTree('switchboard-paging-');
    mkdirSync(tree.path('paging'), { recursive: true });
    writeFileSync(tree.path('paging/catalog-info.yaml'), descriptors);
    h = await startHarness({
      temporalAddress: env.connection.options.address,
      taskQueue: `paging-${Date.now()}`,
      tree,
      teams,
      env: {
        SWITCHBOARD_CATALOG: `${SAMPLE_CATALOG},${tree.path('paging')}`,
        PAGERDUTY_EVENTS_URL: pd.url,
        PAGERDUTY_API_URL: pd.url,
        PAGERDUTY_API_TOKEN: pd.token,
        OPSGENIE_API_URL: og.url,
        OPSGENIE_API_KEY: og.apiKey,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await pd?.close();
    await og?.close();
    await teams?.close();
    await env?.teardown();
  });
  afterEach(() => h.emu.reset());

  /** `/whoowns <name>` in #general, answered at its response_url; the Page button's value. */
  async function pageButton(user: string, name: string): Promise<string> {
    await h.command(user, '/whoowns', name);
    const answer = await h.emu.waitForResponse((r) => blocks(r).includes(name) || blocks(r).includes('Page'));
    for (const b of (answer.body.blocks as { elements?: { text?: { text: string }; value?: string }[] }[]) ?? []) {
      for (const e of b.elements ?? []) if (e.text?.text === 'Page the on-call' && e.value) return e.value;
    }
    throw new Error(`no Page button on the card of ${name}: ${blocks(answer).slice(0, 400)}`);
  }

  /** Clicks Page on the card in #general and returns the modal Slack opened. */
  async function openModal(user: string, name: string): Promise<Record<string, unknown>> {
    const value = await pageButton(user, name);
    const earlier = new Set(h.emu.callsTo('views.open'));
    await h.click(user, value, { channel: 'CGENERAL', ts: '1700000000.000100' });
    const opened: EmulatorCall = await h.emu.waitFor(
      'views.open',
      (c) => !earlier.has(c) && (c.args.view as { callback_id?: string }).callback_id === 'sb:page',
    );
    const view = opened.args.view as Record<string, unknown>;
    // The view Slack made for this open: the newest with this metadata (every open gets its own id).
    const stored = [...h.emu.views.values()].filter((v) => v.private_metadata === view.private_metadata).at(-1);
    return { ...view, id: stored?.id };
  }

  it('pages PagerDuty once with the reason and the asker, confirms privately, and audits it', async () => {
    const modal = await openModal(AMARA, 'ledger-writer');
    const res = await h.submit(AMARA, modal, { reason: 'ledger lag over 5 minutes, see the payments dashboard' });
    expect(res.status).toBe(200);
    const event = await pd.waitForEvent((e) => e.routing_key === KEY);
    expect(event.event_action).toBe('trigger');
    expect(event.payload?.summary).toContain('Ledger Writer');
    expect(event.payload?.summary).toContain('ledger lag over 5 minutes');
    expect(event.payload?.source).toBe('switchboard');
    expect(event.payload?.severity).toBe('critical');
    expect(event.payload?.custom_details).toMatchObject({
      reason: 'ledger lag over 5 minutes, see the payments dashboard',
      askerId: 'user:default/amara-okafor',
    });
    const confirmed = await h.emu.waitFor('chat.postEphemeral', (c) => c.args.user === AMARA && blocks(c).includes('Paged the on-call'));
    expect(confirmed.args.channel).toBe('CGENERAL');
    expect(blocks(confirmed)).toContain(event.dedup_key);
    expect(blocks(confirmed)).not.toContain(KEY);

    const rows = (await h.app.audit.list()).filter((r) => r.action === 'page' && r.target === 'component:default/ledger-writer');
    expect(rows.map((r) => r.event)).toEqual(['page_requested', 'paged']);
    expect(rows[1]!.actor).toBe('user:default/amara-okafor');
    expect(JSON.stringify(rows)).not.toContain(KEY);
    expect((await h.app.audit.verify()).ok).toBe(true);
  });

  it('pages once when the same modal is submitted twice (a retry, a double click)', async () => {
    const modal = await openModal(JONAS, 'refund-api');
    await h.submit(JONAS, modal, { reason: 'refunds failing with 502' });
    await h.submit(JONAS, modal, { reason: 'refunds failing with 502' });
    // Both answers in: both submissions have been handled.
    await h.emu.waitFor('chat.postEphemeral', (c) => c.args.user === JONAS && blocks(c).includes('already sent'));
    await h.emu.waitFor('chat.postEphemeral', (c) => c.args.user === JONAS && blocks(c).includes('Paged the on-call'));
    const events = pd.events.filter((e) => e.routing_key === BY_ID_KEY);
    expect(events).toHaveLength(1);
    // Only a service id in the descriptor: the routing key came from the service's integration (REST),
    // and the asker is told which PagerDuty service that is.
    expect(pd.requests.some((r) => r.path === '/services/PREFUND')).toBe(true);
    const confirmed = h.emu.callsTo('chat.postEphemeral').find((c) => c.args.user === JONAS && blocks(c).includes('Paged the on-call'));
    expect(blocks(confirmed!)).toContain('PagerDuty service Refund API');
  });

  it('refuses a submission without a reason in the modal, and pages nobody', async () => {
    const modal = await openModal(AMARA, 'fraud-scorer');
    const before = og.alerts.length;
    const res = await h.submit(AMARA, modal, { reason: '   ' });
    const body = (await res.json()) as { response_action?: string; errors?: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors?.reason).toMatch(/why you page/);
    expect(og.alerts.length).toBe(before);
  });

  it('creates an Opsgenie alert for the team, de-duplicated by alias, with a note naming the asker', async () => {
    const modal = await openModal(AMARA, 'fraud-scorer');
    await h.submit(AMARA, modal, { reason: 'scores all zero since 10:02' });
    const alert = await og.waitForAlert((a) => a.message.includes('Fraud Scorer'));
    expect(alert.responders).toEqual([{ type: 'team', name: 'payments' }]);
    expect(alert.alias).toMatch(/^switchboard-/);
    expect(alert.note).toContain('Amara Okafor');
    expect(alert.message).toContain('scores all zero');
    await h.emu.waitFor('chat.postEphemeral', (c) => c.args.user === AMARA && blocks(c).includes('through Opsgenie'));
    const rows = (await h.app.audit.list()).filter((r) => r.target === 'component:default/fraud-scorer');
    expect(rows.map((r) => r.event)).toEqual(['page_requested', 'paged']);
  });

  it('a provider error (429, 500) is a clear private error, and no audit row claims the page', async () => {
    for (const status of [429, 500]) {
      pd.fail(status, { pathPrefix: '/v2/enqueue' });
      const user = status === 429 ? slackId('noah-fischer') : slackId('yuki-tanaka');
      const modal = await openModal(user, 'ledger-writer');
      await h.submit(user, modal, { reason: `test page ${status}` });
      const told = await h.emu.waitFor('chat.postEphemeral', (c) => c.args.user === user && blocks(c).includes('did not go out'));
      expect(blocks(told)).toContain(`(${status})`);
    }
    const rows = (await h.app.audit.list()).filter((r) => r.action === 'page' && JSON.stringify(r.inputs).includes('test page'));
    expect(rows.map((r) => r.event)).toEqual(['page_requested', 'page_failed', 'page_requested', 'page_failed']);
    expect((await h.app.audit.verify()).ok).toBe(true);
  });

  it('refuses a second page of the same service by the same person within the window', async () => {
    const user = slackId('hannah-lee');
    const first = await openModal(user, 'ledger-writer');
    await h.submit(user, first, { reason: 'first page' });
    await h.emu.waitFor('chat.postEphemeral', (c) => c.args.user === user && blocks(c).includes('Paged the on-call'));
    const second = await openModal(user, 'ledger-writer');
    await h.submit(user, second, { reason: 'second page' });
    await h.emu.waitFor('chat.postEphemeral', (c) => c.args.user === user && blocks(c).includes('in the last 5 minutes'));
    expect(pd.events.filter((e) => JSON.stringify(e.payload).includes('second page'))).toHaveLength(0);
  });

  it('offers no Page button where nothing is named, and says what is wrong with a bad annotation', async () => {
    await h.command(AMARA, '/whoowns', 'quiet-batch');
    const quiet = await h.emu.waitForResponse((r) => blocks(r).includes('Quiet Batch'));
    expect(blocks(quiet)).not.toContain('Page the on-call');
    await h.command(AMARA, '/whoowns', 'bad-key');
    const bad = await h.emu.waitForResponse((r) => blocks(r).includes('bad-key'));
    expect(blocks(bad)).not.toContain('Page the on-call');
    expect(blocks(bad)).toContain('is not a PagerDuty integration key');
    expect(blocks(bad)).not.toContain('evil.example');
  });

  it('pages from Teams: the card asks for the reason in place, and Page now pages PagerDuty once', async () => {
    const botUrl = `${h.baseUrl}/api/messages`;
    const cursor = teams.calls.length;
    // Refund API: Amara has not paged it yet in this file (one page per person per service per window).
    await teams.post(botUrl, messageActivity(teams, amaraTeams, amaraChat, 'who owns refund-api'));
    const card = await teams.waitFor(
      (c: TeamsCall) =>
        c.op === 'send' && teams.calls.indexOf(c) >= cursor && c.conversationId === amaraChat.id && JSON.stringify(c.body).includes('Refund API'),
    );
    const page = findExecute(card.body, /^page\|/);
    // The reason input is required where the button is: a ShowCard with Input.Text isRequired.
    expect(JSON.stringify(card.body)).toMatch(/"id":"reason"[^}]*"isRequired":true/);
    const empty = await teams.post(botUrl, actionActivity(teams, amaraTeams, amaraChat, page.verb, { ...page.data, reason: ' ' }));
    expect(JSON.stringify(empty.body)).toContain('Say why you page');
    const before = pd.events.length;
    const activity = actionActivity(teams, amaraTeams, amaraChat, page.verb, { ...page.data, reason: 'teams: ledger stuck' });
    const res = await teams.post(botUrl, activity);
    expect(JSON.stringify(res.body)).toContain('Paged the on-call');
    // Teams retrying the same invoke (same activity id) pages nobody again.
    const again = await teams.post(botUrl, activity);
    expect(JSON.stringify(again.body)).toContain('already sent');
    const sent = pd.events.slice(before).filter((e) => JSON.stringify(e.payload).includes('teams: ledger stuck'));
    expect(sent).toHaveLength(1);
  });

  it('a provider error on a Teams page is said on the card, and the Page button stays', async () => {
    const botUrl = `${h.baseUrl}/api/messages`;
    const cursor = teams.calls.length;
    await teams.post(botUrl, messageActivity(teams, amaraTeams, amaraChat, 'who owns card-vault'));
    const card = await teams.waitFor(
      (c: TeamsCall) =>
        c.op === 'send' && teams.calls.indexOf(c) >= cursor && c.conversationId === amaraChat.id && JSON.stringify(c.body).includes('Card Vault'),
    );
    const page = findExecute(card.body, /^page\|/);
    pd.fail(500, { pathPrefix: '/v2/enqueue' });
    const res = await teams.post(botUrl, actionActivity(teams, amaraTeams, amaraChat, page.verb, { ...page.data, reason: 'vault 500s' }));
    // A message answer, not a refreshed card: the card keeps its Page button for a second try.
    expect(res.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(JSON.stringify(res.body)).toMatch(/did not go out: PagerDuty had an error \(500\)/);
    const rows = (await h.app.audit.list()).filter((r) => r.target === 'component:default/card-vault').map((r) => r.event);
    expect(rows).toEqual(['page_requested', 'page_failed']);
  });
});

type Execute = { type: string; verb: string; data: Record<string, unknown> };
/** The Action.Execute whose `sb` matches, wherever it sits in a card (ShowCards included). */
function findExecute(node: unknown, pattern: RegExp): Execute {
  const stack = [node];
  while (stack.length) {
    const n = stack.pop();
    if (Array.isArray(n)) stack.push(...n);
    else if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (o.type === 'Action.Execute' && typeof (o.data as { sb?: unknown })?.sb === 'string' && pattern.test((o.data as { sb: string }).sb))
        return o as Execute;
      stack.push(...Object.values(o));
    }
  }
  throw new Error(`no button ${pattern} in ${JSON.stringify(node).slice(0, 400)}`);
}
