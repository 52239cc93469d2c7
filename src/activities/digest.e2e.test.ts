/**
 * The weekly digest on a real Temporal dev server: the workflow's run posts once to each team's channel
 * through the Slack notifier and the Web API emulator, with the week's questions in it; a team without
 * a channel is skipped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { webApi } from '@slack/bolt';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { createSlackNotifier } from '../chat/slack/notifier.js';
import { createPeopleResolver } from '../chat/slack/people.js';
import { openTruth } from '../state/truth.js';
import { component, group, tempTree, type TempTree } from '../testing/fixtures.js';
import { startSlackEmulator, type SlackEmulator } from '../testing/slack-emulator.js';
import { bundleWorkflows, describeWithTemporal, startTemporal } from '../testing/temporal.js';
import { createDigestActivities } from './digest.js';
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
      { team: 'group:default/payments', posted: 'slack:C0PAYMENTS1' },
      { team: 'group:default/platform', posted: null },
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
    await emu.waitFor('chat.postMessage', (c) => c.args.channel === 'C0PAYMENTS1' && emu.callsTo('chat.postMessage').indexOf(c) >= before, 20_000);
    expect(await keepDigestSchedule(env.client, null, { taskQueue })).toEqual({ kept: false });
    await expect(handle.describe()).rejects.toThrow();
  }, 60_000);
});
