/**
 * "Still yours?" end to end: the running application on a real Temporal server, signed Slack requests
 * and the Slack Web API emulator. The team's schedule runs a round that posts the ask to the team's
 * channel; Confirm is recorded, audited and shown on the ask and on /whoowns; a non-member is refused;
 * Not ours opens a team picker and its answer shows on the card as a claim. On the time-skipping
 * server, the one reminder goes when the wait is over.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NO_SETTINGS, type Settings } from '../settings/index.js';
import { attestationSettings } from '../settings/attestation.js';
import type { EmulatorCall } from '../testing/slack-emulator.js';
import { type Harness, slackId, startHarness } from '../testing/harness.js';
import { describeWithTemporal, describeWithTimeSkipping, startTemporal, startTimeSkipping } from '../testing/temporal.js';
import { openTruth } from '../state/truth.js';
import { roundName } from '../../workflows/attestation-round.js';
import { parseRef } from '../threads.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { git } from '../activities/git.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../testing/fixtures.js';
import { branchFor } from './propose-change.js';

/** The beans-api descriptor, in a repository whose remote is a bare repository on disk. */
const BEANS = `# Beans
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: beans-api
spec:
  type: service
  lifecycle: production
  owner: team-payments # since the move
`;

async function repositoryWithDescriptor(tree: TempTree): Promise<{ remote: string; checkout: string }> {
  const remote = tree.path('remote.git');
  mkdirSync(remote, { recursive: true });
  await git(remote, 'init', '--quiet', '--bare', '--initial-branch=main');
  const checkout = tree.path('beans');
  await git(tree.path('.'), 'clone', '--quiet', remote, checkout);
  writeFileSync(`${checkout}/catalog-info.yaml`, BEANS);
  await git(checkout, 'add', 'catalog-info.yaml');
  await git(checkout, 'commit', '--quiet', '-m', 'beans-api');
  await git(checkout, 'push', '--quiet', 'origin', 'HEAD:main');
  return { remote, checkout };
}

const AMARA = slackId('amara-okafor'); // team-payments
const DIEGO = slackId('diego-alvarez'); // team-storefront
const PAYMENTS = 'group:default/team-payments';
const SETTINGS: Settings = { ...NO_SETTINGS, attestation: attestationSettings({}) };

const text = (call: { args: Record<string, unknown> } | { body: Record<string, unknown> }) => {
  const m = 'args' in call ? call.args : call.body;
  return JSON.stringify(m.blocks ?? []) + String(m.text ?? '');
};
/** The value of the button with this label in the section about `ref` (the first after it). */
function buttonFor(call: EmulatorCall, ref: string | null, label: string): string {
  const blocks = (call.args.blocks as { type: string; text?: { text: string }; elements?: { text?: { text: string }; value?: string }[] }[]) ?? [];
  let seen = ref === null;
  for (const b of blocks) {
    if (b.type === 'section' && ref && b.text?.text.includes(ref)) seen = true;
    if (seen && b.type === 'actions') for (const e of b.elements ?? []) if (e.text?.text.startsWith(label) && e.value) return e.value;
  }
  throw new Error(`no ${label} button for ${ref} in ${text(call).slice(0, 400)}`);
}

/** Where the round's ask was posted, as the bot recorded it in the shared state. */
async function postedAt(h: Harness): Promise<{ channel: string; ts: string }> {
  const truth = openTruth(h.env.SWITCHBOARD_DB as string);
  try {
    const message = await until(async () => (await truth.ask(roundName(new Date(), 'quarterly'), PAYMENTS))?.messages[0]);
    const { conversation, message: ts } = parseRef(message);
    return { channel: conversation, ts: ts as string };
  } finally {
    truth.close();
  }
}

async function until<T>(get: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 50))) {
    const v = await get().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
  }
}

describeWithTemporal('"Still yours?" on Slack, on a real Temporal server', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let ask: EmulatorCall;

  beforeAll(async () => {
    env = await startTemporal();
    const tree = tempTree('switchboard-attest-');
    const repo = await repositoryWithDescriptor(tree);
    remote = repo.remote;
    h = await startHarness({
      temporalAddress: env.connection.options.address,
      taskQueue: `attest-${randomUUID()}`,
      settings: SETTINGS,
      tree,
      env: { SWITCHBOARD_CATALOG: `${SAMPLE_CATALOG},${repo.checkout}` },
    });
    // The schedule is kept once the worker is up; trigger it as its quarter would.
    const schedule = env.client.schedule.getHandle(`attestation/${PAYMENTS}`);
    await until(async () => (await schedule.describe()).scheduleId);
    await schedule.trigger();
    ask = await h.emu.waitFor('chat.postMessage', (c) => c.args.channel === '#team-payments' && text(c).includes('Still yours?'), 30_000);
    where = await postedAt(h);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await env?.teardown();
  });

  let where: { channel: string; ts: string };
  let remote: string;
  const at = () => where;

  it('posts the list of what the team owns to its channel, with Confirm and Not ours for each', () => {
    expect(text(ask)).toContain('component:default/payments-api');
    expect(text(ask)).toContain('component:default/ledger');
    expect(buttonFor(ask, 'component:default/payments-api', 'Not ours')).toMatch(/^attest\|disown\|/);
  });

  it('refuses a click from someone outside the owning team, privately, and records nothing', async () => {
    await h.click(DIEGO, buttonFor(ask, 'component:default/ledger', 'Confirm'), at());
    const refusal = await h.emu.waitForResponse((r) => text(r).includes('Only members of Payments'));
    expect(refusal.body.response_type).toBe('ephemeral');
    expect((await h.app.audit.list()).some((r) => r.action === 'attest' && r.event === 'attested')).toBe(false);
  });

  it('records Confirm with who and when, audits it, edits the ask in place and shows it on /whoowns', async () => {
    await h.click(AMARA, buttonFor(ask, 'component:default/payments-api', 'Confirm'), at());
    const edited = await h.emu.waitFor('chat.update', (c) => c.args.ts === at().ts && text(c).includes('confirmed by Amara Okafor'));
    expect(edited.args.channel).toBe(at().channel);
    const rows = (await h.app.audit.list()).filter((r) => r.action === 'attest' && r.target === 'component:default/payments-api');
    expect(rows.map((r) => [r.event, r.actor])).toEqual([['attested', 'user:default/amara-okafor']]);
    await h.command(AMARA, '/whoowns', 'payments-api');
    const card = await h.emu.waitForResponse((r) => text(r).includes('Verified'));
    expect(text(card)).toContain('Verified just now by Amara Okafor');
  });

  it('asks which team owns it on Not ours, and shows the claim on the card', async () => {
    const earlier = new Set(h.emu.callsTo('views.open'));
    await h.click(AMARA, buttonFor(ask, 'component:default/ledger', 'Not ours'), at());
    const opened = await h.emu.waitFor('views.open', (c) => !earlier.has(c) && (c.args.view as { callback_id?: string }).callback_id === 'sb:attest-owner');
    const view = opened.args.view as Record<string, unknown>;
    expect(JSON.stringify(view)).toContain('group:default/team-platform');
    expect(JSON.stringify(view)).not.toContain(`"value":"${PAYMENTS}"`);
    const stored = [...h.emu.views.values()].filter((v) => v.private_metadata === view.private_metadata).at(-1);
    expect((await h.submit(AMARA, { ...view, id: stored?.id }, { owner: 'group:default/team-platform' })).status).toBe(200);
    await h.emu.waitFor('chat.update', (c) => c.args.ts === at().ts && text(c).includes('not ours, said Amara Okafor'));
    await h.command(AMARA, '/whoowns', 'ledger');
    const card = await h.emu.waitForResponse((r) => text(r).includes('says this is not theirs'));
    expect(text(card)).toMatch(/Payments says this is not theirs; proposed owner: .*Platform/);
  });

  it('pushes a branch changing only spec.owner on Not ours, where the descriptor is in a repository', async () => {
    const earlier = new Set(h.emu.callsTo('views.open'));
    await h.click(AMARA, buttonFor(ask, 'component:default/beans-api', 'Not ours'), at());
    const opened = await h.emu.waitFor('views.open', (c) => !earlier.has(c) && (c.args.view as { callback_id?: string }).callback_id === 'sb:attest-owner');
    const view = opened.args.view as Record<string, unknown>;
    const stored = [...h.emu.views.values()].filter((v) => v.private_metadata === view.private_metadata).at(-1);
    await h.submit(AMARA, { ...view, id: stored?.id }, { owner: 'group:default/team-platform' });
    const branch = branchFor('component:default/beans-api', 'group:default/team-platform');
    // The ask, edited once the branch is pushed: the answer and where the change went.
    await h.emu.waitFor('chat.update', (c) => c.args.ts === at().ts && text(c).includes(`${branch}`));
    const pushed = await until(async () => git(remote, 'show', `refs/heads/${branch}:catalog-info.yaml`));
    // git show prints the file as committed (git() trims its last newline).
    expect(pushed).toBe(BEANS.replace('owner: team-payments # since the move', 'owner: group:default/team-platform # since the move').trimEnd());
    expect(await git(remote, 'show', 'refs/heads/main:catalog-info.yaml')).toBe(BEANS.trimEnd());
    await h.command(AMARA, '/whoowns', 'beans-api');
    const card = await h.emu.waitForResponse((r) => text(r).includes('pending change'));
    expect(text(card)).toContain(branch);
  });
});

describeWithTimeSkipping('"Still yours?" reminder on the time-skipping server', () => {
  let temporal: TestWorkflowEnvironment;
  let h: Harness;

  beforeAll(async () => {
    temporal = await startTimeSkipping();
    h = await startHarness({ temporalAddress: temporal.address, taskQueue: `attest-timers-${randomUUID()}` });
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await temporal?.teardown();
  });

  it('reminds once, in the ask’s thread, when the wait is over', async () => {
    const taskQueue = h.env.TEMPORAL_TASK_QUEUE as string;
    const week = 7 * 86_400_000;
    // Time skips only while a client awaits a result.
    const result = await temporal.client.workflow.execute('attestationRound', {
      taskQueue,
      workflowId: `attestation/${PAYMENTS}/${randomUUID()}`,
      args: [{ team: PAYMENTS, period: 'quarterly', remindAfterMs: week }],
    });
    const asked = h.emu.callsTo('chat.postMessage').filter((c) => c.args.channel === '#team-payments' && !c.args.thread_ts && text(c).includes('Still yours?'));
    expect(asked).toHaveLength(1);
    const reminders = h.emu.callsTo('chat.postMessage').filter((c) => text(c).includes('Reminder: still yours?'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.args.thread_ts).toBe((await postedAt(h)).ts);
    expect(result).toMatchObject({ reminder: { reminded: true } });
    // Recorded as reminded: a retried or repeated run of the round finds it so and stays quiet.
    const truth = openTruth(h.env.SWITCHBOARD_DB as string);
    try {
      expect((await truth.ask(roundName(new Date(), 'quarterly'), PAYMENTS))?.remindedAt).toEqual(expect.any(Number));
      expect(await truth.markReminded(roundName(new Date(), 'quarterly'), PAYMENTS)).toBe(false);
    } finally {
      truth.close();
    }
  });
});
