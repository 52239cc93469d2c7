/**
 * Self-service end to end, as people use it: signed Slack commands, clicks and modal submissions into
 * the running application, the Slack Web API emulator on loopback, a real Temporal dev server, real
 * git repositories, a real webhook receiver, and the catalog, audit log and deploy history on SQLite.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tempTree, type TempTree } from './testing/fixtures.js';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EmulatorCall } from './testing/slack-emulator.js';
import { type Harness, SIGNING_SECRET, slackId, startHarness } from './testing/harness.js';
import { eventBody, postSigned } from './testing/slack-signing.js';
import { describeWithTemporal, describeWithTimeSkipping, startTemporal, startTimeSkipping } from './testing/temporal.js';

const NOAH = slackId('noah-fischer'); // team-platform
const YUKI = slackId('yuki-tanaka'); // team-platform
const DIEGO = slackId('diego-alvarez'); // team-storefront
const AMARA = slackId('amara-okafor'); // team-payments
const JONAS = slackId('jonas-weber'); // team-payments

/** Polls a condition on real state (a query, not a sleep) until it holds, or fails after `timeoutMs`. */
async function waitUntil(holds: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  for (const until = Date.now() + timeoutMs; !(await holds()); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > until) throw new Error('condition not met in time');
  }
}

const text = (call: EmulatorCall) => JSON.stringify(call.args.blocks ?? []) + String(call.args.text ?? '');
const buttonValue = (call: EmulatorCall, label: string): string => {
  for (const b of (call.args.blocks as { type: string; elements?: { text?: { text: string }; value?: string }[] }[]) ?? []) {
    for (const e of b.elements ?? []) if (e.text?.text === label && e.value) return e.value;
  }
  throw new Error(`no ${label} button in ${text(call).slice(0, 300)}`);
};

/** An action whose template renders a descriptor the catalog refuses: the push succeeds, registration fails. */
const BROKEN = `apiVersion: switchboard.dev/v1alpha1
kind: Action
metadata: { name: create-broken, title: Create from a broken template, description: Pushes a repository whose descriptor does not ingest }
spec:
  command: /create-broken
  usage: <name>
  key: "{{name}}"
  inputs:
    - { name: name, title: Name, type: string, required: true }
  approval: { approvers: [{ group: team-platform }] }
  steps:
    - { id: render, title: Render the template, run: render-template, with: { template: broken } }
    - { id: push, title: Push the repository, run: git-push }
    - { id: register, title: Register in the catalog, run: register-catalog }
`;

/** Timers of hours, passed in moments on the time-skipping test server: a reminder, an escalation, expiry. */
const QUICK = `apiVersion: switchboard.dev/v1alpha1
kind: Action
metadata: { name: quick, title: A quick request, description: Expires in hours }
spec:
  command: /quick
  usage: <service>
  key: "{{service.name}}"
  inputs:
    - { name: service, title: Service, type: service, required: true }
  approval:
    approvers: [{ ownerOf: service }]
    remindAfter: 1h
    escalateAfter: 2h
    escalateTo: { group: team-platform }
    expireAfter: 4h
  steps:
    - { id: links, title: Post the links, run: post-links }
`;

/** A command step (inputs in its environment) and a webhook finished by polling. */
const TIDY = `apiVersion: switchboard.dev/v1alpha1
kind: Action
metadata: { name: tidy, title: Tidy a service, description: "Runs a command, then a job the infrastructure service reports by polling" }
spec:
  command: /tidy
  usage: <service>
  key: "{{service.name}}"
  inputs:
    - { name: service, title: Service, type: service, required: true }
    - { name: note, title: Note, type: string }
  approval: { approvers: [{ ownerOf: service }] }
  steps:
    - id: script
      title: Run the tidy script
      run: command
      with: { argv: [sh, -c, 'printf "%s|%s|%s" "$SWITCHBOARD_INPUT_SERVICE" "$TF_VAR_note" "\${PROVISION_HOOK_SECRET:-unset}" > "$OUT"; echo tidied'], timeout: 1m }
    - id: job
      title: Run the cleanup job
      run: webhook
      with: { url: "https://infra.quillmere.example/hooks/tidy", secretEnv: PROVISION_HOOK_SECRET, callback: false, pollUrl: "https://infra.quillmere.example/hooks/status", pollEvery: 1s, timeout: 1m }
`;

describeWithTemporal('self-service through Slack on a real Temporal server', () => {
  let temporal: TestWorkflowEnvironment;
  let h: Harness;
  let templates: TempTree;

  beforeAll(async () => {
    templates = tempTree('switchboard-templates-');
    cpSync(fileURLToPath(new URL('../manifests/templates/', import.meta.url)), templates.dir, { recursive: true });
    mkdirSync(templates.path('broken'));
    writeFileSync(
      templates.path('broken/catalog-info.yaml'),
      'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: "{{name}} has spaces"\nspec: {}\n',
    );
    temporal = await startTemporal();
    h = await startHarness({
      temporalAddress: temporal.address,
      taskQueue: `e2e-${randomUUID()}`,
      templates: templates.dir,
      extraActions: { 'create-broken.yaml': BROKEN, 'tidy.yaml': TIDY.replace('"$OUT"', `"${templates.path('tidy.out')}"`) },
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await temporal?.teardown();
    templates?.cleanup();
  });

  /** A counter from /metrics (0 when it has no sample yet). */
  const counter = async (name: string, labels: string) => {
    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    const line = metrics.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  /** The DM a person got about a request (chat.postMessage to their user id). */
  const dmTo = (user: string, workflowId: string) => h.emu.waitFor('chat.postMessage', (c) => c.args.channel === user && text(c).includes(workflowId), 10_000);
  const threadReply = (workflowId: string, needle: string) =>
    h.emu.waitFor('chat.postMessage', (c) => Boolean(c.args.thread_ts) && text(c).includes(workflowId) && text(c).includes(needle), 20_000);

  it('/create-service opens a form, the platform team approves in a DM, and the repository and catalog entry appear', async () => {
    const startedBefore = await counter('switchboard_selfservice_requests_total', 'action="create-service",outcome="started"');
    const res = await h.command(DIEGO, '/create-service', '');
    expect(res.status).toBe(200);
    const opened = await h.emu.waitFor('views.open');
    const view = opened.args.view as Record<string, unknown>;
    expect(view.callback_id).toBe('sb:form');
    // Pickers offer catalog entities as the person types.
    const suggested = (await (await h.suggest(DIEGO, view, 'owner', 'team-p')).json()) as { options: { value: string }[] };
    expect(suggested.options.map((o) => o.value)).toEqual(['team-payments', 'team-platform']);
    const systems = (await (await h.suggest(DIEGO, view, 'system', '')).json()) as { options: { value: string }[] };
    expect(systems.options.map((o) => o.value)).toContain('payments');

    // A bad name is refused in the form, next to its field; nothing starts.
    const bad = await h.submit(DIEGO, view, { name: 'Beans API', owner: 'team-payments', system: 'payments' });
    const errors = (await bad.json()) as { response_action: string; errors: Record<string, string> };
    expect(errors.response_action).toBe('errors');
    expect(errors.errors.name).toMatch(/not valid/);
    const taken = await h.submit(DIEGO, view, { name: 'payments-api', owner: 'team-payments', system: 'payments' });
    expect(((await taken.json()) as { errors: Record<string, string> }).errors.name).toMatch(/already in the catalog/);

    const ok = await h.submit(DIEGO, view, { name: 'beans-api', owner: 'team-payments', system: 'payments', tier: 'tier-2', createChannel: true });
    expect(ok.status).toBe(200);
    const id = 'create-service/beans-api';
    const [noahDm, yukiDm] = await Promise.all([dmTo(NOAH, id), dmTo(YUKI, id)]);
    expect(text(noahDm)).toContain('Approve');
    const status = await h.emu.waitFor('chat.postMessage', (c) => c.args.channel === 'CGENERAL' && text(c).includes(id));
    expect(text(status)).toContain('waiting for approval');

    // A second submit of the same request starts nothing new.
    const again = await h.submit(DIEGO, view, { name: 'beans-api', owner: 'team-payments', system: 'payments', tier: 'tier-2' });
    expect(again.status).toBe(200);
    await h.emu.waitFor('chat.postEphemeral', (c) => c.args.user === DIEGO && text(c).includes('already running'));

    // Someone outside team-platform is refused, privately, and the refusal is audited.
    await h.click(AMARA, buttonValue(noahDm, 'Approve'), { channel: AMARA, ts: '1.1' });
    const refusal = await h.emu.waitForResponse((r) => JSON.stringify(r.body).includes('not one of the approvers'), 10_000);
    expect(refusal.body.response_type).toBe('ephemeral');
    await h.click(DIEGO, buttonValue(noahDm, 'Approve'), { channel: DIEGO, ts: '1.1' });
    await h.emu.waitForResponse((r) => JSON.stringify(r.body).includes('cannot approve your own request'), 10_000);

    await h.click(NOAH, buttonValue(noahDm, 'Approve'), { channel: String(noahDm.args.channel), ts: '1.2' });
    const done = await threadReply(id, 'is done');
    expect(done.args.channel).toBe('CGENERAL');
    const log = execFileSync('git', ['--git-dir', h.tree.path('remotes/beans-api.git'), 'log', '--format=%s', 'main'], { encoding: 'utf8' });
    expect(log).toMatch(/Create beans-api/);
    const answer = h.app.catalog.whoOwns('beans-api');
    expect(answer.status).toBe('found');
    expect(answer.owner?.ref).toBe('group:default/team-payments');
    // The optional channel step: created, with the requester and the owning team invited.
    const channel = h.emu.channelByName('beans-api');
    expect(channel).toBeDefined();
    expect([...(channel?.members ?? [])]).toEqual(expect.arrayContaining([DIEGO, AMARA, JONAS]));
    expect(text(done)).toContain('#beans-api');

    // The status message was edited in place to the end, and both DMs now say who decided.
    const edits = h.emu.callsTo('chat.update').filter((c) => c.args.channel === 'CGENERAL' && text(c).includes(id));
    expect(edits.length).toBeGreaterThanOrEqual(3);
    expect(text(edits.at(-1) as EmulatorCall)).toContain('✅ Render the template');
    const closed = h.emu.callsTo('chat.update').filter((c) => text(c).includes('Approved by') && !String(c.args.channel).startsWith('C'));
    expect(closed.length).toBe(2);
    expect(yukiDm).toBeDefined();

    const events = (await h.app.audit.list({ workflowId: id })).map((r) => r.event);
    expect(events.slice(0, 3)).toEqual(['requested', 'refused', 'refused']);
    expect(events).toContain('approved');
    expect(events.at(-1)).toBe('completed');
    expect((await h.app.audit.verify()).ok).toBe(true);
    // One request started, though it was submitted twice.
    expect(await counter('switchboard_selfservice_requests_total', 'action="create-service",outcome="started"')).toBe(startedBefore + 1);
  });

  it('refuses a requester approving their own request, and a repeat vote, with an ephemeral message', async () => {
    const refusedBefore = await counter('switchboard_selfservice_votes_total', 'action="provision",outcome="refused"');
    const res = await h.command(NOAH, '/provision', 'redis for payments-api tier=production');
    expect(res.status).toBe(200);
    const id = 'provision/payments-api/redis/production';
    const amaraDm = await dmTo(AMARA, id);
    // Noah asked; team-platform's other member is asked, he is not.
    await dmTo(YUKI, id);
    expect(h.emu.callsTo('chat.postMessage').some((c) => c.args.channel === NOAH && text(c).includes(id))).toBe(false);

    await h.click(NOAH, buttonValue(amaraDm, 'Approve'));
    await h.emu.waitForResponse((r) => JSON.stringify(r.body).includes('cannot approve your own request'), 10_000);
    await h.click(AMARA, buttonValue(amaraDm, 'Approve'));
    await h.emu.waitForResponse((r) => JSON.stringify(r.body).includes('still needs more approvals'), 10_000);
    // A double click is the same vote (one Update id): answered again, recorded once.
    const before = h.emu.responses.length;
    await h.click(AMARA, buttonValue(amaraDm, 'Approve'));
    await h.emu.waitForResponse(
      (r) => h.emu.responses.indexOf(r) >= before && r.id.startsWith(`click-${AMARA}`) && JSON.stringify(r.body).includes('still needs more approvals'),
      10_000,
    );
    // Changing one's mind is a repeat vote: refused in the reason modal.
    await h.click(AMARA, buttonValue(amaraDm, 'Reject'));
    const modal = await h.emu.waitFor('views.open', (c) => (c.args.view as { private_metadata?: string }).private_metadata === id);
    const refused2 = await h.submit(AMARA, modal.args.view as Record<string, unknown>, { reason: 'second thoughts' });
    expect(((await refused2.json()) as { errors: Record<string, string> }).errors.reason).toMatch(/already approved/);
    // The refused votes are counted for /metrics.
    expect(await counter('switchboard_selfservice_votes_total', 'action="provision",outcome="refused"')).toBeGreaterThan(refusedBefore);
    // Another owner's approval adds nothing the owners' rule still needs; the platform rule is pending.
    await h.click(JONAS, buttonValue(amaraDm, 'Approve'));
    await h.emu.waitForResponse((r) => r.id.startsWith(`click-${JONAS}`) && JSON.stringify(r.body).includes('still needs more approvals'), 10_000);

    // N-of-M: production needs the platform team too.
    const yukiDm = await dmTo(YUKI, id);
    await h.click(YUKI, buttonValue(yukiDm, 'Approve'));
    await threadReply(id, 'is done');
    const call = h.hooks.calls.find((c) => c.body.id === `${id}/provision`);
    expect(call?.signatureOk).toBe(true);
    expect(call?.body.inputs.type).toBe('redis');
    expect(h.hooks.calls.filter((c) => c.body.id === `${id}/provision`)).toHaveLength(1);

    const deps = h.app.catalog.deps('payments-api', 1);
    expect(deps.dependsOn.map((d) => d.ref)).toContain('resource:default/payments-api-redis-production');
    const votes = (await h.app.audit.list({ workflowId: id })).filter((r) => r.event === 'approved').map((r) => r.actor);
    expect(votes.sort()).toEqual(['user:default/amara-okafor', 'user:default/jonas-weber', 'user:default/yuki-tanaka']);
    const refused = (await h.app.audit.list({ workflowId: id })).filter((r) => r.event === 'refused');
    expect(refused.length).toBeGreaterThanOrEqual(2);
  });

  it('a rejection asks for a reason in a modal, ends the request, and tells everyone who decided', async () => {
    await h.command(DIEGO, '/provision', 'bucket for checkout-web tier=development');
    const id = 'provision/checkout-web/bucket/development';
    const owners = await h.emu.waitFor('chat.postMessage', (c) => String(c.args.channel).startsWith('U') && text(c).includes(id), 10_000);
    const approver = String(owners.args.channel);
    await h.click(approver, buttonValue(owners, 'Reject'));
    const modal = await h.emu.waitFor('views.open', (c) => (c.args.view as { private_metadata?: string }).private_metadata === id);
    expect((modal.args.view as { callback_id: string }).callback_id).toBe('sb:reject');
    const view = modal.args.view as Record<string, unknown>;
    const empty = await h.submit(approver, view, { reason: '' });
    expect(((await empty.json()) as { errors: Record<string, string> }).errors.reason).toMatch(/needs a reason/);
    const res = await h.submit(approver, view, { reason: 'use the shared bucket' });
    expect(res.status).toBe(200);
    const reply = await threadReply(id, 'Rejected by');
    expect(text(reply)).toContain('use the shared bucket');
    expect((await h.app.audit.list({ workflowId: id })).map((r) => r.event)).toContain('rejected');
  });

  it('/rollback goes to the previous successful deploy after the owning team approves', async () => {
    const deploy = (version: string, status = 'succeeded') =>
      fetch(`${h.baseUrl}/api/deployments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.env.SWITCHBOARD_DEPLOY_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ service: 'ledger', version, status }),
      });
    expect((await deploy('2.3.0')).status).toBe(201);
    expect((await deploy('2.4.0')).status).toBe(201);
    await h.command(DIEGO, '/rollback', 'ledger');
    const id = 'rollback/ledger';
    const dm = await dmTo(AMARA, id);
    expect(text(dm)).toContain('2.3.0');
    await h.click(AMARA, buttonValue(dm, 'Approve'));
    await threadReply(id, 'is done');
    const call = h.hooks.calls.find((c) => c.body.id === `${id}/deploy`);
    expect(call?.body.inputs.version).toBe('2.3.0');
  });

  /**
   * One /rollback of the ledger run to its end: the request, the owner's approval, the outcome, the workflow
   * closed. Waits first for any earlier run of it to close (the outcome is posted just before it closes).
   */
  async function rollbackLedger(args: string): Promise<EmulatorCall> {
    const id = 'rollback/ledger';
    await temporal.client.workflow
      .getHandle(id)
      .result()
      .catch(() => undefined);
    const seen = new Set(h.emu.callsTo('chat.postMessage'));
    await h.command(DIEGO, '/rollback', args);
    const dm = await h.emu.waitFor('chat.postMessage', (c) => !seen.has(c) && c.args.channel === AMARA && text(c).includes(id), 10_000);
    await h.click(AMARA, buttonValue(dm, 'Approve'));
    const done = await h.emu.waitFor(
      'chat.postMessage',
      (c) => !seen.has(c) && Boolean(c.args.thread_ts) && text(c).includes(id) && text(c).includes('is done'),
      20_000,
    );
    await temporal.client.workflow.getHandle(id).result();
    return done;
  }

  it('a second rollback of the same service is a new run whose steps run again', async () => {
    const id = 'rollback/ledger';
    // Its own first run (not the one the test above left), so this test stands alone.
    const firstDone = await rollbackLedger('ledger to 2.3.0');
    const before = h.hooks.calls.filter((c) => c.body.id === `${id}/deploy`).length;
    const earlier = new Set(h.emu.callsTo('chat.postMessage'));
    await h.command(DIEGO, '/rollback', 'ledger to 2.2.0');
    const dm = await h.emu.waitFor('chat.postMessage', (c) => c.args.channel === AMARA && text(c).includes(id) && text(c).includes('2.2.0'), 10_000);
    await h.click(AMARA, buttonValue(dm, 'Approve'));
    await h.emu.waitFor(
      'chat.postMessage',
      (c) => c !== firstDone && !earlier.has(c) && Boolean(c.args.thread_ts) && text(c).includes(id) && text(c).includes('is done'),
      20_000,
    );
    const deploys = h.hooks.calls.filter((c) => c.body.id === `${id}/deploy`);
    expect(deploys).toHaveLength(before + 1);
    expect(deploys.at(-1)?.body.inputs.version).toBe('2.2.0');
    // A receiver that dedupes by idempotency key sees new work, not a repeat of the last rollback.
    expect(deploys.at(-1)?.body.run).not.toBe(deploys.at(-2)?.body.run);
  });

  it('break-glass lets the on-call roll back alone during an open incident, flagged in the audit; others are refused', async () => {
    const onCall = h.app.catalog.whoOwns('payments-api').onCall[0];
    expect(onCall).toBeDefined();
    const oncallId = slackId((onCall?.user ?? '').replace('user:default/', ''));
    const incident = { id: 'CINCPAY', name: 'inc-payments-api-errors' };
    // The incident is the card Switchboard posts for payments-api when it joins the channel, not the channel's name.
    await postSigned(
      h.slackUrl,
      SIGNING_SECRET,
      eventBody({ type: 'member_joined_channel', user: 'UBOT0001', channel: incident.id, channel_type: 'C', team: 'T0001' }),
    );
    await waitUntil(async () => (await h.app.state.incidentsFor('component:default/payments-api', 60_000)).includes(`slack:${incident.id}`));
    const someoneElse = oncallId === DIEGO ? NOAH : DIEGO;
    await h.command(someoneElse, '/rollback', 'payments-api to 1.2.3 --break-glass', incident);
    await h.emu.waitForResponse((r) => JSON.stringify(r.body).includes('Break-glass refused'), 10_000);

    await h.command(oncallId, '/rollback', 'payments-api to 1.2.3 --break-glass', incident);
    const id = 'rollback/payments-api';
    await threadReply(id, 'is done');
    const rows = await h.app.audit.list({ workflowId: id });
    expect(rows.map((r) => r.event)).toContain('break_glass');
    expect(rows.find((r) => r.event === 'break_glass')?.actor).toBe(onCall?.user);
  });

  it('a webhook that reports a failure fails the request with the receiver’s message', async () => {
    h.hooks.mode = { kind: 'fail' };
    try {
      // provision's bucket step is a command (terraform, absent here): it fails, nothing to undo.
      await h.command(DIEGO, '/provision', 'postgres for ledger tier=staging');
      const id = 'provision/ledger/postgres/staging';
      const dm = await dmTo(AMARA, id);
      await h.click(AMARA, buttonValue(dm, 'Approve'));
      const reply = await threadReply(id, 'failed');
      expect(text(reply)).toContain('quota exceeded');
      expect((await h.app.audit.list({ workflowId: id })).map((r) => r.event)).toContain('step_failed');
    } finally {
      h.hooks.mode = { kind: 'callback', delayMs: 50 };
    }
  });

  it('a failed registration deletes the repository it pushed, and the outcome says it was undone', async () => {
    await h.command(DIEGO, '/create-broken', 'teapot');
    const id = 'create-broken/teapot';
    const dm = await dmTo(NOAH, id);
    await h.click(NOAH, buttonValue(dm, 'Approve'));
    const reply = await threadReply(id, 'failed');
    expect(text(reply)).toContain('Undone: Push the repository');
    expect(existsSync(h.tree.path('remotes/teapot.git'))).toBe(false);
    const events = (await h.app.audit.list({ workflowId: id })).map((r) => r.event);
    expect(events).toEqual(expect.arrayContaining(['step_succeeded', 'step_failed', 'compensated', 'failed']));
    expect(h.app.catalog.whoOwns('teapot').status).toBe('not_found');
  });

  it('runs a command with the inputs in its environment (and no secrets), then a webhook finished by polling', async () => {
    // The receiver accepts the job (202, running); with no callback URL the worker polls until it is done.
    await h.command(DIEGO, '/tidy', 'ledger note="spring clean"');
    const id = 'tidy/ledger';
    const dm = await dmTo(AMARA, id);
    await h.click(AMARA, buttonValue(dm, 'Approve'));
    const reply = await threadReply(id, 'is done');
    expect(text(reply)).toContain('tidy');
    expect(readFileSync(templates.path('tidy.out'), 'utf8')).toBe('component:default/ledger|spring clean|unset');
    // Polled by its idempotency key, `<request id>/<step>@<run id>`.
    const polled = [...h.hooks.polls].find(([key]) => key.startsWith(`${id}/job@`));
    expect(polled?.[1]).toBeGreaterThanOrEqual(2);
    expect(h.hooks.calls.find((c) => c.body.id === `${id}/job`)?.body.callbackUrl).toBeUndefined();
  });

  it('puts the status in a DM to the requester when it cannot post in the channel of the command', async () => {
    await h.command(DIEGO, '/provision', 'redis for orders tier=development', { id: 'GPRIVATE', name: 'secret-project' });
    const id = 'provision/orders/redis/development';
    const status = await h.emu.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === DIEGO && text(c).includes(id) && text(c).includes('waiting for approval'),
      10_000,
    );
    expect(status).toBeDefined();
    expect(h.emu.callsTo('chat.postMessage').some((c) => c.args.channel === 'GPRIVATE' && !c.ratelimited && text(c).includes(id))).toBe(true);
  });

  it('/switchboard status answers from the workflow query', async () => {
    // Its own request, waiting for approval: the query answers with the planned steps.
    await h.command(DIEGO, '/create-service', 'status-check owner=team-payments system=payments');
    const id = 'create-service/status-check';
    await dmTo(NOAH, id);
    const res = await h.command(DIEGO, '/switchboard', `status ${id}`);
    expect(res.status).toBe(200);
    const answer = await h.emu.waitForResponse((r) => JSON.stringify(r.body).includes(id) && JSON.stringify(r.body).includes('waiting for approval'), 10_000);
    expect(JSON.stringify(answer.body)).toContain('Render the template');
    expect(existsSync(h.tree.path('remotes/status-check.git'))).toBe(false);
  });
});

// The timers on the time-skipping test server: hours pass in moments, and nothing races a real clock.
describeWithTimeSkipping('approval timers through Slack on the time-skipping test server', () => {
  let temporal: TestWorkflowEnvironment;
  let h: Harness;

  beforeAll(async () => {
    temporal = await startTimeSkipping();
    h = await startHarness({ temporalAddress: temporal.address, taskQueue: `e2e-timers-${randomUUID()}`, extraActions: { 'quick.yaml': QUICK } });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await temporal?.teardown();
  });

  const dmTo = (user: string, workflowId: string) => h.emu.waitFor('chat.postMessage', (c) => c.args.channel === user && text(c).includes(workflowId), 10_000);
  const threadReply = (workflowId: string, needle: string) =>
    h.emu.waitFor('chat.postMessage', (c) => Boolean(c.args.thread_ts) && text(c).includes(workflowId) && text(c).includes(needle), 20_000);

  it('reminds the approvers, escalates to the backup group, then expires and tells the requester', async () => {
    await h.command(DIEGO, '/quick', 'ledger');
    const id = 'quick/ledger';
    await dmTo(AMARA, id);
    // Time skips only while a client of the test server awaits a result: await the workflow's, meanwhile.
    const closedRun = temporal.client.workflow
      .getHandle(id)
      .result()
      .catch(() => undefined);
    const reminder = await h.emu.waitFor('chat.postMessage', (c) => c.args.channel === AMARA && text(c).includes(id) && text(c).includes('Reminder'), 10_000);
    expect(reminder).toBeDefined();
    const escalated = await h.emu.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === NOAH && text(c).includes(id) && text(c).includes('Escalated to you'),
      10_000,
    );
    expect(text(escalated)).toContain('Approve');
    const reply = await threadReply(id, 'Expired');
    expect(reply.args.channel).toBe('CGENERAL');
    await h.emu.waitFor('chat.update', (c) => !String(c.args.channel).startsWith('C') && text(c).includes(id) && text(c).includes('⌛'), 10_000);
    // Every DM about it, the reminders and the escalation's included, now says how it ended.
    const asked = h.emu.callsTo('chat.postMessage').filter((c) => !String(c.args.channel).startsWith('C') && text(c).includes(id)).length;
    const closedCount = () =>
      h.emu.callsTo('chat.update').filter((c) => !String(c.args.channel).startsWith('C') && text(c).includes(id) && text(c).includes('⌛')).length;
    // The workflow updates the DMs before it closes: once it has closed, every update is in.
    await closedRun;
    const closed = closedCount();
    expect(closed).toBe(asked);
    const events = (await h.app.audit.list({ workflowId: id })).map((r) => r.event);
    expect(events).toEqual(['requested', 'reminded', 'escalated', 'expired']);
  });
});
