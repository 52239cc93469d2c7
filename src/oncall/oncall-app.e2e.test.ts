/**
 * The on-call providers in the running application: PAGERDUTY_API_* pointed at the emulator, a Teams
 * 1:1 question answered with PagerDuty's on-call (matched by e-mail to the catalog User), and /healthz
 * reporting the provider as a component that degrades, never fails, when PagerDuty stops answering.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { component, SAMPLE_CATALOG, tempTree } from '../testing/fixtures.js';
import { type Harness, startHarness } from '../testing/harness.js';
import { startPagerDutyEmulator, type PagerDutyEmulator } from '../testing/pagerduty-emulator.js';
import { messageActivity, type TeamsPlace, type TeamsUser } from '../testing/teams-activities.js';
import { startTeamsEmulator, type TeamsEmulator } from '../testing/teams-emulator.js';
import { describeWithTemporal, startTemporal } from '../testing/temporal.js';

const descriptors = [
  component('settlement-api', { owner: 'team-payments' }, { title: 'Settlement API', annotations: { 'pagerduty.com/service-id': 'PSETTLE' } }),
  component('payout-api', { owner: 'team-payments' }, { title: 'Payout API', annotations: { 'pagerduty.com/service-id': 'PPAYOUT' } }),
].join('---\n');

describeWithTemporal('On-call providers in the running application', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let pd: PagerDutyEmulator;
  let teams: TeamsEmulator;
  let diego: TeamsUser;
  const chat: TeamsPlace = { id: 'a:1diego-oncall', type: 'personal' };

  beforeAll(async () => {
    env = await startTemporal();
    // A day-long shift that started an hour ago: the application asks about the real now.
    const start = new Date(Date.now() - 3_600_000).toISOString();
    pd = await startPagerDutyEmulator({
      account: {
        users: [{ id: 'PAMARA', name: 'Amara (PagerDuty)', email: 'amara.okafor@quillmere.example' }],
        schedules: [{ id: 'PDAY', name: 'Settlement primary', time_zone: 'Europe/Berlin', rotation: { userIds: ['PAMARA'], start, shiftHours: 24 } }],
        escalationPolicies: [{ id: 'PEP', name: 'Settlement', rules: [{ targets: [{ type: 'schedule_reference', id: 'PDAY' }] }] }],
        services: [
          { id: 'PSETTLE', name: 'Settlement API', escalationPolicyId: 'PEP' },
          { id: 'PPAYOUT', name: 'Payout API', escalationPolicyId: 'PEP' },
        ],
      },
    });
    teams = await startTeamsEmulator({ rate: false });
    const aad = '3c5e7a9b-1d2f-4a6c-8e0b-2d4f6a8c0e1f';
    diego = {
      id: teams.addUser({ aadObjectId: aad, name: 'Diego Alvarez', email: 'diego.alvarez@quillmere.example' }),
      aadObjectId: aad,
      name: 'Diego Alvarez',
    };
    teams.addConversation({ id: chat.id, type: 'personal', members: [diego.id] });
    const tree = tempTree('switchboard-oncall-');
    mkdirSync(tree.path('oncall'), { recursive: true });
    writeFileSync(tree.path('oncall/catalog-info.yaml'), descriptors);
    h = await startHarness({
      temporalAddress: env.connection.options.address,
      taskQueue: `oncall-${Date.now()}`,
      tree,
      teams,
      env: { SWITCHBOARD_CATALOG: `${SAMPLE_CATALOG},${tree.path('oncall')}`, PAGERDUTY_API_URL: pd.url, PAGERDUTY_API_TOKEN: pd.token },
    });
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await pd?.close();
    await teams?.close();
    await env?.teardown();
  });

  const ask = async (text: string) => {
    const from = teams.calls.length;
    await teams.post(`${h.baseUrl}/api/messages`, messageActivity(teams, diego, chat, text));
    const call = await teams.waitFor(
      (c) => teams.calls.indexOf(c) >= from && (c.op === 'send' || c.op === 'reply') && c.conversationId?.startsWith(chat.id) === true,
      10_000,
    );
    return JSON.stringify(call.body?.attachments ?? []);
  };
  const health = async () => (await (await fetch(`${h.baseUrl}/healthz`)).json()) as { status: string; components: Record<string, boolean> };

  it('answers a Teams question with PagerDuty’s on-call, as the catalog User, and where it came from', async () => {
    const card = await ask('who owns settlement-api');
    // The catalog User's name, not PagerDuty's, in the on-call line with its rotation and source.
    expect(card).toMatch(/Amara Okafor \(Settlement primary\) until [^"]{0,120} · PagerDuty/);
    expect(card).not.toContain('Amara (PagerDuty)');
    expect((await health()).components.oncall_pagerduty).toBe(true);
  });

  it('says PagerDuty did not answer when it is gone, and /healthz degrades but stays up', async () => {
    await pd.die('closed');
    const card = await ask('who owns payout-api');
    expect(card).toContain('unknown — PagerDuty did not answer');
    const res = await fetch(`${h.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'degraded', components: { oncall_pagerduty: false, catalog: true } });
  });
});
