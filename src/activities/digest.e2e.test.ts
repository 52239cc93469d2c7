/**
 * The weekly digest on a real Temporal dev server: the workflow's run posts once to each team's channel
 * through the Slack notifier and the Web API emulator, with the week's questions in it; a team without
 * a channel is skipped; a second run in the same week finds it posted. And postDigest itself, on the
 * SQLite file and on PostgreSQL: called twice for one team and week it posts once, and a post that
 * failed is released so the retry posts. (The digest on Teams: src/chat/teams/attestation.e2e.test.ts.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { webApi } from '@slack/bolt';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { createSlackNotifier } from '../chat/slack/notifier.js';
import { createPeopleResolver } from '../chat/slack/people.js';
import { openTruth } from '../state/truth.js';
import { component, group, tempTree, type TempTree } from '../testing/fixtures.js';
import { startSlackEmulator, type SlackEmulator } from '../testing/slack-emulator.js';
import { bundleWorkflows, describeWithTemporal, startTemporal } from '../testing/temporal.js';
import { createDigestActivities, isoWeek } from './digest.js';
import { openStateStore, type StateStore } from '../state/store.js';
import { freshDatabase, havePostgres } from '../testing/postgres.js';
import { WEEK_MS } from '../../workflows/digest-contract.js';
import { DIGEST_SCHEDULE_ID, keepDigestSchedule } from '../temporal/digest-schedule.js';
import { parseSettings } from '../settings/index.js';

describeWithTemporal('weekly digest', () => {
  let env: TestWorkflowEnvironment;
  let emu: SlackEmulator;
  let tree: TempTree;
  let catalog: Catalog;
  let truth: ReturnType<typeof openTruth>;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `digest-${Date.now()}`;

  beforeAll(async () => {
    tree = tempTree('switchboard-digest-');
    mkdirSync(tree.path('catalog'));
    writeFileSync(
      tree.path('catalog/org.yaml'),
      [
        group('payments', {}, { title: 'Payments', annotations: { 'switchboard.dev/slack-channel': 'C0PAYMENTS1' } }),
        group('platform', {}, { title: 'Platform' }),
        component('ledger', { owner: 'group:payments' }),
        component('fx', { owner: 'group:payments' }),
        component('infra', { owner: 'group:platform' }),
      ].join('---\n'),
    );
    catalog = openCatalog(tree.path('catalog.db'));
    const report = await catalog.ingest([tree.path('catalog')]);
    expect(report.problems).toEqual([]);
    truth = openTruth(tree.path('state.db'));
    // This week's questions, and one from last month that must not count.
    for (const at of [Date.now() - 60_000, Date.now() - 120_000])
      await truth.recordQuestion({ query: 'ledger', status: 'found', entityRef: 'component:default/ledger', platform: 'slack', at });
    await truth.recordQuestion({
      query: 'ledger',
      status: 'found',
      entityRef: 'component:default/ledger',
      platform: 'slack',
      at: Date.now() - 30 * 86_400_000,
    });
    emu = await startSlackEmulator({ channels: [{ id: 'C0PAYMENTS1', name: 'payments' }] });
    env = await startTemporal();
    const client = new webApi.WebClient('xoxb-digest', { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
    const activities = createDigestActivities({
      catalog,
      truth,
      notifiers: { slack: createSlackNotifier(client, createPeopleResolver(client)) },
      logger: pino({ level: 'silent' }),
    });
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleWorkflows(), activities });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await emu?.close();
    truth?.close();
    catalog?.close();
    tree?.cleanup();
  });

  it("posts once to each team's channel with what it owns and the week's questions, skipping a team without one", async () => {
    const results = await env.client.workflow.execute('weeklyDigest', { taskQueue, workflowId: `digest-${Date.now()}`, args: [] });
    expect(results).toEqual([
      { team: 'group:default/payments', posted: ['slack:C0PAYMENTS1'] },
      { team: 'group:default/platform', posted: [] },
    ]);
    const post = await emu.waitFor('chat.postMessage', (c) => c.args.channel === 'C0PAYMENTS1');
    const text = JSON.stringify(post.args.blocks);
    expect(text).toContain('Weekly digest: Payments');
    expect(text).toContain('component:default/ledger');
    expect(text).toContain('component:default/fx');
    expect(text).not.toContain('component:default/infra');
    expect(text).toContain('\\"ledger\\" ×2');
    expect(emu.callsTo('chat.postMessage')).toHaveLength(1);
  }, 60_000);

  it('runs from its Schedule at the configured day and time, and the schedule goes when the setting does', async () => {
    const settings = parseSettings('digest:\n  day: friday\n  time: "16:30"\n  timeZone: Europe/Berlin\n', '/etc/switchboard.yaml');
    expect(settings.digest).toEqual({ day: 'friday', hour: 16, minute: 30, timeZone: 'Europe/Berlin' });
    expect(await keepDigestSchedule(env.client, settings.digest, { taskQueue })).toEqual({ kept: true });
    const handle = env.client.schedule.getHandle(DIGEST_SCHEDULE_ID);
    const described = await handle.describe();
    expect(described.spec.calendars?.[0]).toMatchObject({ dayOfWeek: [{ start: 'FRIDAY', end: 'FRIDAY', step: 1 }], hour: [{ start: 16, end: 16, step: 1 }] });
    expect(described.spec.timezone).toBe('Europe/Berlin');
    const before = emu.callsTo('chat.postMessage').length;
    await handle.trigger();
    // The scheduled run, in the week the first run posted: it finds the post recorded and posts nothing.
    const started = await until(async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId);
    const rerun = await env.client.workflow.getHandle(started).result();
    expect(rerun).toEqual([
      { team: 'group:default/payments', posted: ['slack:C0PAYMENTS1'] },
      { team: 'group:default/platform', posted: [] },
    ]);
    expect(emu.callsTo('chat.postMessage')).toHaveLength(before);
    expect(await keepDigestSchedule(env.client, null, { taskQueue })).toEqual({ kept: false });
    await expect(handle.describe()).rejects.toThrow();
  }, 60_000);
});

async function until<T>(get: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 50))) {
    const v = await get().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
  }
}

const kinds = [
  { kind: 'sqlite', url: async () => undefined },
  { kind: 'postgres', url: (label: string) => freshDatabase(label) },
] as const;

describe.each(kinds)('postDigest on the $kind state store', ({ kind, url }) => {
  const skip = kind === 'postgres' && !havePostgres();
  let tree: TempTree;
  let catalog: Catalog;
  let store: StateStore;
  let emu: SlackEmulator;
  let activities: ReturnType<typeof createDigestActivities>;
  const since = Date.UTC(2026, 10, 30, 9) - WEEK_MS; // the run of Monday 30 November 2026, 09:00 UTC

  beforeAll(async () => {
    if (skip) return;
    tree = tempTree('switchboard-digest-once-');
    tree.write(
      'catalog/org.yaml',
      [
        group('payments', {}, { title: 'Payments', annotations: { 'switchboard.dev/slack-channel': 'C0PAYMENTS1' } }),
        group('ghosts', {}, { title: 'Ghosts', annotations: { 'switchboard.dev/slack-channel': 'G0NOWHERE99' } }),
        component('ledger', { owner: 'group:payments' }),
        component('haunt', { owner: 'group:ghosts' }),
      ].join('---\n'),
    );
    catalog = openCatalog(tree.path('catalog.db'));
    expect((await catalog.ingest([tree.path('catalog')])).problems).toEqual([]);
    store = await openStateStore({ url: await url('digest-once'), file: tree.path('state.db') });
    // G0NOWHERE99: a private channel the bot is not in, where chat.postMessage answers not_in_channel.
    emu = await startSlackEmulator({ channels: [{ id: 'C0PAYMENTS1', name: 'payments' }], privateChannels: ['G0NOWHERE99'] });
    const client = new webApi.WebClient('xoxb-digest', { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
    activities = createDigestActivities({
      catalog,
      truth: store.truth,
      notifiers: { slack: createSlackNotifier(client, createPeopleResolver(client)) },
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await emu?.close();
    await store?.close();
    catalog?.close();
    tree?.cleanup();
  });

  it.skipIf(skip)('posts once when called twice for the same team and week, and records where', async () => {
    const first = await activities.postDigest({ team: 'group:default/payments', since });
    const again = await activities.postDigest({ team: 'group:default/payments', since });
    expect(first).toEqual({ team: 'group:default/payments', posted: ['slack:C0PAYMENTS1'] });
    expect(again).toEqual(first);
    expect(emu.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0PAYMENTS1')).toHaveLength(1);
    const [post] = await store.truth.digestPosts('group:default/payments', '2026-W49');
    expect(post).toEqual({ channel: 'slack:C0PAYMENTS1', message: expect.stringMatching(/^slack:C0PAYMENTS1:\d+\.\d+$/) });
    // The next week's run posts again.
    await activities.postDigest({ team: 'group:default/payments', since: since + WEEK_MS });
    expect(emu.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0PAYMENTS1')).toHaveLength(2);
  });

  it.skipIf(skip)('fails when no channel took it, and releases the claim so the retry posts', async () => {
    await expect(activities.postDigest({ team: 'group:default/ghosts', since })).rejects.toThrow(
      /weekly digest of group:default\/ghosts reached none of its channels: slack:G0NOWHERE99: An API error occurred: \w+/,
    );
    expect(await store.truth.digestPosts('group:default/ghosts', '2026-W49')).toEqual([]);
    expect(await store.truth.claimDigestPost('group:default/ghosts', '2026-W49', 'slack:G0NOWHERE99')).toBe(true);
    expect(await store.truth.claimDigestPost('group:default/ghosts', '2026-W49', 'slack:G0NOWHERE99')).toBe(false);
  });
});

describe("the digest's week", () => {
  it('is the ISO week of the run in the time zone, across years and daylight saving', () => {
    expect(isoWeek(Date.UTC(2026, 10, 30, 9))).toBe('2026-W49');
    expect(isoWeek(Date.UTC(2027, 0, 1, 9))).toBe('2026-W53');
    expect(isoWeek(Date.UTC(2025, 11, 29, 9))).toBe('2026-W01');
    // Monday 00:30 in London, the day after the clocks went forward: still Sunday in UTC.
    const monday = Date.UTC(2026, 2, 29, 23, 30);
    expect(isoWeek(monday, 'Europe/London')).toBe('2026-W14');
    expect(isoWeek(monday)).toBe('2026-W13');
    expect(isoWeek(Date.UTC(2026, 2, 23, 0, 30), 'Europe/London')).toBe('2026-W13');
  });
});
