/**
 * The @oncall user group follows a handoff, on a real Temporal dev server: the schedule
 * (keepOnCallGroupSchedules) is triggered, the workflow syncs the group to who is on call (a catalog
 * Schedule with an override ending seconds from now), sleeps until that handoff and syncs again. The
 * test waits on the Slack emulator's recorded usergroups.users.update calls, never on a timer.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { slackWebClient } from '../chat/slack/web-client.js';
import { group, tempTree, yamlDoc, type TempTree } from '../testing/fixtures.js';
import { startSlackEmulator, type SlackEmulator } from '../testing/slack-emulator.js';
import { bundleWorkflows, describeWithTemporal, startTemporal } from '../testing/temporal.js';
import { keepOnCallGroupSchedules, ONCALL_GROUP_SCHEDULE_PREFIX } from '../temporal/oncall-group-schedules.js';
import { createOnCallGroupActivities } from './oncall-groups.js';
import { startHarness, slackUsers } from '../testing/harness.js';
import { parseSettings } from '../settings/index.js';

const user = (name: string, slackId: string) =>
  yamlDoc({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, annotations: { 'switchboard.dev/slack-user-id': slackId } },
    spec: { profile: { displayName: name, email: `${name}@example.test` }, memberOf: ['team-ledger'] },
  });

describeWithTemporal('@oncall user groups follow the handoff', () => {
  let env: TestWorkflowEnvironment;
  let emu: SlackEmulator;
  let tree: TempTree;
  let catalog: Catalog;
  let worker: Worker;
  let running: Promise<void>;
  let activities: ReturnType<typeof createOnCallGroupActivities>;
  const taskQueue = `oncall-groups-${Date.now()}`;
  // Bob covers an override that ends a few seconds after the test starts; then the rotation (Alice) is back.
  const handoff = new Date(Math.ceil((Date.now() + 6_000) / 1000) * 1000);

  beforeAll(async () => {
    tree = tempTree('switchboard-oncall-groups-');
    mkdirSync(tree.path('catalog'));
    const schedule = yamlDoc({
      apiVersion: 'switchboard.dev/v1alpha1',
      kind: 'Schedule',
      metadata: { name: 'ledger' },
      spec: {
        owner: 'team-ledger',
        timeZone: 'UTC',
        rotations: [{ name: 'primary', start: '2026-01-05T09:00', every: '1w', participants: ['alice'] }],
        overrides: [{ user: 'bob', start: new Date(Date.now() - 60_000).toISOString(), end: handoff.toISOString() }],
      },
    });
    writeFileSync(
      tree.path('catalog/org.yaml'),
      [group('team-ledger', {}, { title: 'Ledger' }), user('alice', 'U0ALICE'), user('bob', 'U0BOB'), schedule].join('---\n'),
    );
    catalog = openCatalog(tree.path('catalog.db'));
    const report = await catalog.ingest([tree.path('catalog')]);
    expect(report.problems).toEqual([]);
    emu = await startSlackEmulator({
      users: [
        { id: 'U0ALICE', email: 'alice@example.test' },
        { id: 'U0BOB', email: 'bob@example.test' },
      ],
    });
    env = await startTemporal();
    activities = createOnCallGroupActivities({
      onCallFor: async (team, at) => ({ onCall: catalog.whoOwns(team, at).onCall, unknown: [] }),
      teamName: (team) => catalog.whoOwns(team).entity?.title ?? team,
      slack: await slackWebClient('xoxb-oncall', emu.url),
    });
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleWorkflows(), activities });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await emu?.close();
    catalog?.close();
    tree?.cleanup();
  });

  it('makes the group, puts the override’s person in it, and the rotation’s at the handoff', async () => {
    const { kept } = await keepOnCallGroupSchedules(env.client, [{ team: 'group:default/team-ledger', handle: 'ledger-oncall' }], {
      taskQueue,
      everyMinutes: 60,
    });
    expect(kept).toEqual([`${ONCALL_GROUP_SCHEDULE_PREFIX}group:default/team-ledger`]);
    await env.client.schedule.getHandle(kept[0]!).trigger();

    const first = await emu.waitFor('usergroups.users.update', () => true, 15_000);
    expect(first.args.users).toBe('U0BOB');
    const made = emu.callsTo('usergroups.create')[0];
    expect(made?.args).toMatchObject({ handle: 'ledger-oncall', name: 'Ledger on call' });

    const second = await emu.waitFor('usergroups.users.update', (c) => c.args.users === 'U0ALICE', 20_000);
    expect(second.at).toBeGreaterThanOrEqual(handoff.getTime());
    expect([...emu.usergroups.values()].map((g) => [g.handle, g.users])).toEqual([['ledger-oncall', ['U0ALICE']]]);
    // One group, made once: the second sync found it by handle.
    expect(emu.callsTo('usergroups.create')).toHaveLength(1);
  }, 60_000);

  it('enables the group again when someone disabled it in Slack, and says so', async () => {
    const group = [...emu.usergroups.values()].find((g) => g.handle === 'ledger-oncall');
    expect(group).toBeDefined();
    const res = await fetch(`${emu.url}usergroups.disable`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-oncall', 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ usergroup: group!.id }),
    });
    expect(await res.json()).toMatchObject({ ok: true });
    const sync = await activities.syncOnCallGroup({ team: 'group:default/team-ledger', handle: 'ledger-oncall' });
    expect(sync.usergroupId).toBe(group!.id);
    expect(sync.notes.join('\n')).toContain('@ledger-oncall had been disabled in Slack and was enabled again');
    expect(group!.date_delete).toBe(0);
    expect(emu.callsTo('usergroups.create')).toHaveLength(1);
  });

  it('drops the schedule of a team whose setting was removed', async () => {
    const { kept, dropped } = await keepOnCallGroupSchedules(env.client, [], { taskQueue, everyMinutes: 60 });
    expect(kept).toEqual([]);
    expect(dropped).toEqual([`${ONCALL_GROUP_SCHEDULE_PREFIX}group:default/team-ledger`]);
  });
  it('the running app keeps the schedule oncall.userGroups asks for, and its run fills the group from the catalog', async () => {
    const settings = parseSettings('oncall:\n  userGroups:\n    team-payments: payments-oncall\n', '/etc/switchboard.yaml');
    const h = await startHarness({ temporalAddress: env.connection.options.address, taskQueue: `${taskQueue}-app`, settings });
    try {
      const id = `${ONCALL_GROUP_SCHEDULE_PREFIX}group:default/team-payments`;
      // Kept at start once the worker runs: wait for the schedule itself (a query of the server).
      const describe = async () =>
        env.client.schedule
          .getHandle(id)
          .describe()
          .catch(() => null);
      for (const until = Date.now() + 15_000; !(await describe()); await new Promise((r) => setTimeout(r, 100))) {
        if (Date.now() > until) throw new Error(`no schedule ${id}`);
      }
      await env.client.schedule.getHandle(id).trigger();
      const update = await h.emu.waitFor('usergroups.users.update', () => true, 15_000);
      const onCall = h.app.catalog.whoOwns('group:default/team-payments').onCall.map((o) => o.email);
      const ids = slackUsers()
        .filter((u) => onCall.includes(u.email))
        .map((u) => u.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(String(update.args.users).split(',').sort()).toEqual(ids.sort());
      expect(h.emu.callsTo('usergroups.create')[0]?.args).toMatchObject({ handle: 'payments-oncall' });
    } finally {
      await h.stop();
      await env.client.schedule
        .getHandle(`${ONCALL_GROUP_SCHEDULE_PREFIX}group:default/team-payments`)
        .delete()
        .catch(() => undefined);
    }
  }, 90_000);
});
