/**
 * Secrets end to end: plants a git remote password, the bot token, a webhook secret and a token typed
 * into a request, runs requests through signed Slack commands, the Slack emulator and a real Temporal
 * dev server, and greps every place a secret could surface: the Slack calls, the audit rows, the
 * workflow histories, the status query and the log lines. None may hold a planted secret.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actionStatusQuery } from '../workflows/contract.js';
import { createLogger } from './audit/logger.js';
import { tempTree, type TempTree } from './testing/fixtures.js';
import { type HookReceiver, type Harness, slackId, startHarness } from './testing/harness.js';
import type { EmulatorCall } from './testing/slack-emulator.js';
import { describeWithTemporal, startTemporal } from './testing/temporal.js';

const GIT_PASSWORD = 's3cret-git-7f3a9c';
const BOT_TOKEN = 'xoxb-planted-bot-token-5e8d2b';
const HOOK_SECRET = 'planted-hook-secret-91c4ae7d';
const FORM_TOKEN = 'ghp_plantedFormToken0123456789';
const PLANTED = { GIT_PASSWORD, BOT_TOKEN, HOOK_SECRET, FORM_TOKEN };

const DIEGO = slackId('diego-alvarez');
const NOAH = slackId('noah-fischer'); // team-platform
const AMARA = slackId('amara-okafor'); // team-payments, owns ledger

/** Pushes to SWITCHBOARD_GIT_REMOTE, a loopback git server that fails: git's error names the remote URL. */
const LEAKY_PUSH = `apiVersion: switchboard.dev/v1alpha1
kind: Action
metadata: { name: leaky-push, title: Push to a failing remote, description: The remote's password must not leak }
spec:
  command: /leaky-push
  usage: <name>
  key: "{{name}}"
  inputs:
    - { name: name, title: Name, type: string, required: true }
  approval: { approvers: [{ group: team-platform }] }
  steps:
    - { id: render, title: Render the template, run: render-template, with: { template: plain } }
    - { id: push, title: Push the repository, run: git-push }
`;

/** A receiver that echoes the webhook secret and the bot token back, in its output and then in a failure. */
const LEAKY_HOOK = `apiVersion: switchboard.dev/v1alpha1
kind: Action
metadata: { name: leaky-hook, title: Call an echoing receiver, description: Echoed secrets must not leak }
spec:
  command: /leaky-hook
  usage: <service>
  key: "{{service.name}}"
  inputs:
    - { name: service, title: Service, type: service, required: true }
    - { name: note, title: Note, type: string }
  approval: { approvers: [{ ownerOf: service }] }
  steps:
    - { id: echo, title: Call the receiver, run: webhook, with: { url: "https://infra.quillmere.example/hooks/echo", secretEnv: PROVISION_HOOK_SECRET, callback: false, pollUrl: "https://infra.quillmere.example/hooks/status", pollEvery: 1s, timeout: 1m } }
    - { id: fail, title: Call it to fail, run: webhook, with: { url: "https://infra.quillmere.example/hooks/fail", secretEnv: PROVISION_HOOK_SECRET, callback: false, pollUrl: "https://infra.quillmere.example/hooks/status", pollEvery: 1s, timeout: 1m } }
`;

const text = (call: EmulatorCall) => JSON.stringify(call.args.blocks ?? []) + String(call.args.text ?? '');
const buttonValue = (call: EmulatorCall, label: string): string => {
  for (const b of (call.args.blocks as { elements?: { text?: { text: string }; value?: string }[] }[]) ?? []) {
    for (const e of b.elements ?? []) if (e.text?.text === label && e.value) return e.value;
  }
  throw new Error(`no ${label} button in ${text(call).slice(0, 300)}`);
};

/** What a person reading the place would see: payload bytes (raw, or base64 in a fetched history) decoded as text. */
function readable(value: unknown): string {
  return JSON.stringify(value, (k, v: unknown) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
    if (k === 'data' && typeof v === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(v)) return Buffer.from(v, 'base64').toString('utf8');
    return v;
  });
}

function expectNoSecret(place: string, haystack: string) {
  for (const [name, secret] of Object.entries(PLANTED)) expect(haystack.includes(secret), `${name} found in ${place}`).toBe(false);
}

/** Any request answered 500: what a broken git server does. */
async function failingServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** The webhook receiver: /echo succeeds and echoes the secret; /fail fails, saying the secret and the bot token. */
async function echoingReceiver(): Promise<HookReceiver> {
  const calls: HookReceiver['calls'] = [];
  const server = createServer((req, res) => {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    req.resume();
    if (req.url?.startsWith('/hooks/echo'))
      return json({
        status: 'succeeded',
        message: `accepted with ${HOOK_SECRET}`,
        output: { echo: HOOK_SECRET, auth: `Bearer ${HOOK_SECRET}`, url: 'https://console.example/x' },
      });
    return json({ status: 'failed', message: `denied: secret ${HOOK_SECRET}, token ${BOT_TOKEN}` });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    mode: { kind: 'sync' },
    polls: new Map(),
    release: async () => undefined,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describeWithTemporal('no planted secret surfaces anywhere', () => {
  let temporal: TestWorkflowEnvironment;
  let h: Harness;
  let templates: TempTree;
  let git: { server: Server; port: number };
  const logLines: string[] = [];

  beforeAll(async () => {
    templates = tempTree('switchboard-secrets-templates-');
    templates.write('plain/README.md', '# {{name}}\n');
    git = await failingServer();
    temporal = await startTemporal();
    const logStream = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    h = await startHarness({
      temporalAddress: temporal.address,
      taskQueue: `e2e-secrets-${randomUUID()}`,
      templates: templates.dir,
      hooks: await echoingReceiver(),
      extraActions: { 'leaky-push.yaml': LEAKY_PUSH, 'leaky-hook.yaml': LEAKY_HOOK },
      env: { SWITCHBOARD_GIT_REMOTE: `http://bob:${GIT_PASSWORD}@127.0.0.1:${git.port}/repos`, SLACK_BOT_TOKEN: BOT_TOKEN, PROVISION_HOOK_SECRET: HOOK_SECRET },
      logger: createLogger({ level: 'debug' }, logStream),
    });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await temporal?.teardown();
    git?.server.close();
    templates?.cleanup();
  });

  const approveAndWait = async (requester: string, approver: string, command: string, args: string, id: string) => {
    expect((await h.command(requester, command, args)).status).toBe(200);
    const dm = await h.emu
      .waitFor('chat.postMessage', (c) => c.args.channel === approver && text(c).includes(id), 10_000)
      .catch((e) => {
        console.log('DEBUG', id, JSON.stringify(h.emu.calls.filter((c) => text(c).includes(id)).map((c) => [c.method, c.args.channel, text(c).slice(0, 600)])));
        console.log('DEBUG2', logLines.filter((l) => l.includes('action file')).join(''));
        throw e;
      });
    await h.click(approver, buttonValue(dm, 'Approve'));
    // git push is retried (1 + 2 + 4 + 8 s) before the step fails for good.
    return h.emu.waitFor('chat.postMessage', (c) => Boolean(c.args.thread_ts) && text(c).includes(id) && text(c).includes('failed'), 60_000);
  };

  it('a git remote password, a webhook secret, the bot token and a typed token stay out of every place', async () => {
    const pushId = 'leaky-push/teapot';
    const hookId = 'leaky-hook/ledger';
    const [pushOutcome, hookOutcome] = await Promise.all([
      approveAndWait(DIEGO, NOAH, '/leaky-push', 'teapot', pushId),
      approveAndWait(DIEGO, AMARA, '/leaky-hook', `ledger note="my token is ${FORM_TOKEN}"`, hookId),
    ]);

    // The failures are still told, with the credentials cut out.
    expect(text(pushOutcome)).toContain('git push failed');
    expect(text(hookOutcome)).toContain('denied: secret [redacted], token [redacted]');

    // Slack: the status messages, the outcomes and the DMs.
    const slack = h.emu.calls.filter((c) => text(c).includes(pushId) || text(c).includes(hookId));
    expect(slack.length).toBeGreaterThanOrEqual(6);
    // `token` is the bot's credential presented to Slack itself (auth.test), not content anyone reads.
    const shown = h.emu.calls.map(({ args: { token: _credential, ...args } }) => args);
    expectNoSecret('the Slack calls', readable(shown));

    // The audit rows.
    const rows = [...(await h.app.audit.list({ workflowId: pushId })), ...(await h.app.audit.list({ workflowId: hookId }))];
    expect(rows.map((r) => r.event)).toEqual(expect.arrayContaining(['requested', 'approved', 'step_failed', 'failed']));
    expectNoSecret('the audit rows', readable(rows));

    // Temporal: the histories (inputs, activity results and failures) and the status query (step outputs).
    for (const id of [pushId, hookId]) {
      const handle = temporal.client.workflow.getHandle(id);
      // The outcome is posted just before the workflow fails: its last events come after.
      await expect(handle.result()).rejects.toThrow();
      const history = readable(await handle.fetchHistory());
      // Decoded: the request's title is in its input payload only.
      expect(history).toContain(id === pushId ? 'Push to a failing remote' : 'Call an echoing receiver');
      expectNoSecret(`the history of ${id}`, history);
      const status = await handle.query(actionStatusQuery);
      expect(status.phase).toBe('failed');
      expectNoSecret(`the status of ${id}`, readable(status));
    }
    const hookHistory = readable(await temporal.client.workflow.getHandle(hookId).fetchHistory());
    expect(hookHistory).toContain('my token is [redacted]');

    // The log lines, at debug.
    expect(logLines.length).toBeGreaterThan(5);
    expectNoSecret('the logs', logLines.join(''));
  }, 120_000);
});
