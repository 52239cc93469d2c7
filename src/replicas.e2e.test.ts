/**
 * Switchboard past one machine: two `switchboard bot` and two `switchboard worker` processes, each
 * with its own data folder (its own catalog file), sharing one PostgreSQL (SWITCHBOARD_STATE_URL) and
 * one Temporal dev server, as replicas behind a load balancer would. What sharing the state must keep
 * true: a Slack event and its retries, whichever replica they land on, are answered once; an incident
 * channel gets its card once; a worker SIGKILLed mid-request leaves its step to the other worker, which
 * does not do the side effect again; and the audit trail is one chain that verifies.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseAuditKey, resolveAuditKey } from './audit/key.js';
import { openCatalog } from './catalog/index.js';
import { catalogFileFor } from './data-files.js';
import { openStateStore, type StateStore } from './state/store.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from './testing/fixtures.js';
import { freePort, HOOK_SECRET, SIGNING_SECRET, slackId, slackUsers, startHookReceiver, writeActions, type HookReceiver } from './testing/harness.js';
import { freshDatabase, havePostgres } from './testing/postgres.js';
import { exited, HOOKED_ACTION, type Replica, startProcess } from './testing/processes.js';
import { startSlackEmulator, type SlackEmulator } from './testing/slack-emulator.js';
import { blockActionsBody, eventBody, postSigned, slashCommandBody } from './testing/slack-signing.js';
import { describeWithTemporal, startTemporal } from './testing/temporal.js';

const TEMPLATES = fileURLToPath(new URL('../manifests/templates/', import.meta.url));

/** Polls real state (a query, never a sleep) until `holds`, or fails naming `what`. */
async function until(what: string, holds: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await holds()); await new Promise((r) => setTimeout(r, 25))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describeWithTemporal('replicas on one PostgreSQL and one Temporal', () => {
  let temporal: TestWorkflowEnvironment;
  let tree: TempTree;
  let emu: SlackEmulator;
  let hooks: HookReceiver;
  let store: StateStore;
  let shared: Record<string, string>;
  const bots: Replica[] = [];
  const workers: Replica[] = [];
  const children = () => [...bots, ...workers].map((r) => r.child);

  beforeAll(async () => {
    if (!havePostgres()) throw new Error('PostgreSQL is needed for the replica test (install the postgresql package)');
    tree = tempTree('switchboard-replicas-');
    temporal = await startTemporal();
    hooks = await startHookReceiver();
    emu = await startSlackEmulator({
      users: slackUsers(),
      channels: [
        { id: 'CGENERAL', name: 'general' },
        { id: 'CINCPAY', name: 'inc-payments-api-errors', topic: 'payments-api 500s' },
      ],
    });
    const auditKey = randomBytes(32).toString('hex');
    const stateUrl = await freshDatabase('replicas_e2e');
    const ports = [await freePort(), await freePort()];
    shared = {
      SWITCHBOARD_STATE_URL: stateUrl,
      SWITCHBOARD_AUDIT_KEY: auditKey,
      SWITCHBOARD_VOTE_KEY: randomBytes(32).toString('hex'),
      SWITCHBOARD_CATALOG: SAMPLE_CATALOG,
      SWITCHBOARD_ACTIONS: writeActions(tree, hooks.url, { 'create-hooked.yaml': HOOKED_ACTION }),
      SWITCHBOARD_TEMPLATES: TEMPLATES,
      // The git server every worker pushes to.
      SWITCHBOARD_GIT_REMOTE: tree.path('remotes'),
      // Webhook receivers call back through the load balancer; here, the first bot.
      SWITCHBOARD_PUBLIC_URL: `http://127.0.0.1:${ports[0]}`,
      SLACK_BOT_TOKEN: 'xoxb-replicas',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: emu.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `replicas-${randomUUID()}`,
      PROVISION_HOOK_SECRET: HOOK_SECRET,
      DEPLOY_HOOK_SECRET: HOOK_SECRET,
      // Short, so the test sees a registered service reach every replica's catalog.
      SWITCHBOARD_REFRESH: '1s',
    };
    // Each replica its own data folder: its own catalog file, nothing of the state.
    const own = (name: string, port: number) => ({ ...shared, SWITCHBOARD_DB: tree.path(`${name}/switchboard.db`), PORT: String(port) });
    const slackReady = /"platform":"slack"/;
    const [b1, b2, w1] = await Promise.all([
      startProcess('bot-1', 'bot', own('bot-1', ports[0]!), slackReady),
      startProcess('bot-2', 'bot', own('bot-2', ports[1]!), slackReady),
      startProcess('worker-1', 'worker', own('worker-1', await freePort()), /worker running/),
    ]);
    bots.push(b1, b2);
    workers.push(w1);
    store = await openStateStore({
      url: stateUrl,
      file: tree.path('test/unused.db'),
      auditKey: resolveAuditKey({ configured: parseAuditKey(auditKey), dbFile: tree.path('test/unused.db'), create: false }),
      sealAudit: false,
    });
  }, 240_000);

  afterAll(async () => {
    for (const c of children()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children().map(exited));
    await store?.close();
    await emu?.close();
    await hooks?.close();
    await temporal?.teardown();
    tree?.cleanup();
  });

  /** An event answered by `bot` (a later mention there): everything sent to it before is handled. */
  let sentinels = 0;
  async function sentinel(bot: Replica): Promise<void> {
    const ts = `1800.${++sentinels}`;
    await postSigned(
      `${bot.url}/slack/events`,
      SIGNING_SECRET,
      eventBody({ type: 'app_mention', user: slackId('noah-fischer'), text: '<@UBOT0001> who owns petstore?', ts, channel: 'CGENERAL', event_ts: ts }),
    );
    await emu.waitFor('chat.postMessage', (c) => c.args.channel === 'CGENERAL' && c.args.thread_ts === ts, 20_000);
  }

  it('answers a Slack event once, though it and its retries land on alternating replicas', async () => {
    const ts = '1700.0001';
    const body = eventBody(
      { type: 'app_mention', user: slackId('noah-fischer'), text: '<@UBOT0001> who owns payments-api?', ts, channel: 'CGENERAL', event_ts: ts },
      { event_id: 'EvREPLICA1' },
    );
    const deliveries = [0, 1, 0, 1].map((i, n) =>
      postSigned(
        `${bots[i]!.url}/slack/events`,
        SIGNING_SECRET,
        body,
        n ? { headers: { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' } } : {},
      ),
    );
    for (const res of await Promise.all(deliveries)) expect(res.status).toBe(200);
    // The answer first (it reads on-call and attestations, so it may come after a quicker one), then a
    // later event on each replica: any second answer would have been posted by then.
    await emu.waitFor('chat.postMessage', (c) => c.args.channel === 'CGENERAL' && c.args.thread_ts === ts, 20_000);
    await Promise.all(bots.map(sentinel));
    const answers = emu.callsTo('chat.postMessage').filter((c) => c.args.channel === 'CGENERAL' && c.args.thread_ts === ts);
    expect(answers).toHaveLength(1);
    expect(JSON.stringify(answers[0]?.args.blocks)).toContain('Payments');
  });

  it('posts an incident channel’s card once when both replicas hear of the channel', async () => {
    const created = eventBody({ type: 'channel_created', channel: { id: 'CINCPAY', name: 'inc-payments-api-errors', created: 1700000000, creator: 'U1' } });
    const joined = eventBody({ type: 'member_joined_channel', user: 'UBOT0001', channel: 'CINCPAY', channel_type: 'C', team: 'T0001' });
    await Promise.all([
      postSigned(`${bots[0]!.url}/slack/events`, SIGNING_SECRET, created),
      postSigned(`${bots[1]!.url}/slack/events`, SIGNING_SECRET, joined),
    ]);
    await Promise.all(bots.map(sentinel));
    await until('the incident card', async () => (await store.state.incidentsFor('component:default/payments-api', 60_000)).includes('slack:CINCPAY'));
    const cards = emu.callsTo('chat.postMessage').filter((c) => c.args.channel === 'CINCPAY' && JSON.stringify(c.args.blocks ?? '').includes('payments-api'));
    expect(cards).toHaveLength(1);
  });

  it('finishes a request whose worker was SIGKILLed mid-step on the other worker, each side effect once, in one audit chain', async () => {
    hooks.mode = { kind: 'hold' };
    const id = 'create-hooked/kettle';
    // Asked on one bot replica, approved on the other: the vote is signed with the key they share.
    const asked = await postSigned(
      `${bots[0]!.url}/slack/events`,
      SIGNING_SECRET,
      slashCommandBody({
        command: '/create-hooked',
        text: 'kettle owner=team-payments system=payments',
        user_id: slackId('diego-alvarez'),
        channel_id: 'CGENERAL',
        channel_name: 'general',
        trigger_id: emu.trigger(slackId('diego-alvarez')),
        response_url: emu.responseUrl('replicas-create'),
      }),
    );
    expect(asked.status).toBe(200);
    const dm = await emu.waitFor('chat.postMessage', (c) => c.args.channel === slackId('yuki-tanaka') && JSON.stringify(c.args.blocks).includes(id), 30_000);
    const approve = JSON.stringify(dm.args.blocks).match(/"value":"(vote\|approve\|[^"]+)"/)?.[1] as string;
    const voted = await postSigned(
      `${bots[1]!.url}/slack/events`,
      SIGNING_SECRET,
      blockActionsBody({
        type: 'block_actions',
        user: { id: slackId('yuki-tanaka'), username: 'yuki', name: 'yuki', team_id: 'T0001' },
        api_app_id: 'A0001',
        token: 'legacy',
        team: { id: 'T0001', domain: 'example' },
        container: { type: 'message', message_ts: '1.000001', channel_id: 'DUNKNOWN', is_ephemeral: false },
        trigger_id: emu.trigger(slackId('yuki-tanaka')),
        channel: { id: 'DUNKNOWN', name: 'directmessage' },
        message: { type: 'message', ts: '1.000001', text: 'request' },
        response_url: emu.responseUrl('replicas-vote'),
        actions: [
          { type: 'button', action_id: 'sb:0', block_id: 'b0', value: approve, text: { type: 'plain_text', text: 'x' }, action_ts: `${Date.now() / 1000}` },
        ],
      }),
    );
    expect(voted.status).toBe(200);

    // worker-1 called the hook and journaled it in PostgreSQL: the receiver holds the callback.
    await until('the hook call', () => hooks.calls.some((c) => c.body.id === `${id}/hook`));
    const { runId } = await temporal.client.workflow.getHandle(id).describe();
    await until('the journaled hook step', async () => (await store.state.stepResult(`${id}/${runId}/hook`)) !== undefined);

    // A second worker joins; the first dies without a goodbye.
    workers.push(
      await startProcess(
        'worker-2',
        'worker',
        { ...shared, SWITCHBOARD_DB: tree.path('worker-2/switchboard.db'), PORT: String(await freePort()) },
        /worker running/,
      ),
    );
    workers[0]!.child.kill('SIGKILL');
    await exited(workers[0]!.child);

    // The callback is taken by worker-2 (bot-1 answers 503 until a worker can take it); the last step runs there.
    const released = hooks.release();
    await released;
    await emu
      .waitFor(
        'chat.postMessage',
        (c) => Boolean(c.args.thread_ts) && JSON.stringify(c.args.blocks ?? '').includes(id) && JSON.stringify(c.args.blocks ?? '').includes('is done'),
        90_000,
      )
      .catch(async (err: Error) => {
        const audit = (await store.audit.list({ workflowId: id })).map((r) => `${r.event} ${JSON.stringify(r.detail)}`);
        const logs = [...bots, ...workers].map((r) => `--- ${r.name}\n${r.log().slice(-4000)}`);
        throw new Error(`${err.message}\naudit:\n${audit.join('\n')}\n${logs.join('\n')}`);
      });

    expect(hooks.calls.filter((c) => c.body.id === `${id}/hook`)).toHaveLength(1);
    const commits = execFileSync('git', ['--git-dir', tree.path('remotes/kettle.git'), 'rev-list', '--count', 'main'], { encoding: 'utf8' });
    expect(commits.trim()).toBe('1');
    const rows = await store.audit.list({ workflowId: id });
    expect(rows.filter((r) => r.event === 'step_started').map((r) => (r.detail as { step: string }).step)).toEqual(['render', 'push', 'hook', 'register']);
    expect(rows.map((r) => r.event)).toContain('completed');
    // Rows from both bots and both workers, one chain.
    const verdict = await store.audit.verify();
    expect(verdict.problems).toEqual([]);
    expect(verdict).toMatchObject({ ok: true, keyed: { from: 1 } });
    expect(verdict.rows).toBeGreaterThanOrEqual(rows.length);

    // Registered on worker-2; every bot's own catalog has it after its next refresh.
    for (const bot of ['bot-1', 'bot-2']) {
      const catalog = openCatalog(catalogFileFor(tree.path(`${bot}/switchboard.db`)));
      try {
        await until(`kettle in ${bot}'s catalog`, () => catalog.whoOwns('kettle').status === 'found');
      } finally {
        catalog.close();
      }
    }
  }, 240_000);
});
