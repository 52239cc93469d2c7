/**
 * Webhook callbacks against a real Temporal dev server: a callback is taken only while its step waits
 * for one, and only once. The attacker here is a webhook receiver (or anyone holding a step's secret):
 * it can sign, so the signature alone cannot stop it from finishing a step it was never asked to run.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actionStatusQuery } from '../../workflows/contract.js';
import type { EmulatorCall } from '../testing/slack-emulator.js';
import { HOOK_SECRET, type Harness, type HookCall, slackId, startHarness } from '../testing/harness.js';
import { describeWithTemporal, startTemporal } from '../testing/temporal.js';
import { signCallback } from './callback-signature.js';

const DIEGO = slackId('diego-alvarez'); // team-storefront, the requester
const AMARA = slackId('amara-okafor'); // team-payments, owns ledger

/** Two webhook steps, each finished by a callback, with the same secret (as actions often share one). */
const TWO_HOOKS = `apiVersion: switchboard.dev/v1alpha1
kind: Action
metadata: { name: two-hooks, title: Two jobs, description: Two jobs the infrastructure service finishes by callback }
spec:
  command: /two-hooks
  usage: <service>
  key: "{{service.name}}"
  inputs:
    - { name: service, title: Service, type: service, required: true }
  approval: { approvers: [{ ownerOf: service }] }
  steps:
    - { id: first, title: First job, run: webhook, with: { url: "https://infra.quillmere.example/hooks/first", secretEnv: PROVISION_HOOK_SECRET, timeout: 1m } }
    - { id: second, title: Second job, run: webhook, with: { url: "https://infra.quillmere.example/hooks/second", secretEnv: PROVISION_HOOK_SECRET, timeout: 1m } }
`;

const text = (call: EmulatorCall) => JSON.stringify(call.args.blocks ?? []) + String(call.args.text ?? '');
const approveValue = (dm: EmulatorCall) =>
  (dm.args.blocks as { elements?: { text?: { text: string }; value?: string }[] }[]).flatMap((b) => b.elements ?? []).find((e) => e.text?.text === 'Approve')
    ?.value as string;

describeWithTemporal('webhook callbacks on a real Temporal server', () => {
  let temporal: TestWorkflowEnvironment;
  let h: Harness;

  beforeAll(async () => {
    temporal = await startTemporal();
    h = await startHarness({ temporalAddress: temporal.address, taskQueue: `callbacks-${randomUUID()}`, extraActions: { 'two-hooks.yaml': TWO_HOOKS } });
    // The receiver accepts each job and never calls back by itself: the test speaks for it.
    h.hooks.mode = { kind: 'hold' };
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
    await temporal?.teardown();
  });

  const callbackUrl = (workflowId: string, step: string) => `${h.baseUrl}/api/callbacks/${encodeURIComponent(workflowId)}/${encodeURIComponent(step)}`;
  /** A signed callback request, ready to send (and to send again). */
  const signed = (
    workflowId: string,
    step: string,
    status: 'succeeded' | 'failed' = 'succeeded',
    message = `${step} done`,
    url = callbackUrl(workflowId, step),
  ) => {
    const body = JSON.stringify({ status, message, output: { [step]: true } });
    return { url, body, headers: { 'content-type': 'application/json', ...signCallback(HOOK_SECRET, url, body) } };
  };
  const send = async (req: { url: string; body: string; headers: Record<string, string> }) => {
    const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body });
    return { status: res.status, body: (await res.json()) as { error?: string; message?: string } };
  };
  /** The receiver's copy of the call for `<workflow id>/<step>`, once the step has made it. */
  const callFor = async (id: string): Promise<HookCall> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const call = h.hooks.calls.find((c) => c.body.id === id);
      if (call) return call;
      if (Date.now() > deadline) throw new Error(`the receiver got no call for ${id}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const stepStates = async (workflowId: string) =>
    Object.fromEntries((await temporal.client.workflow.getHandle(workflowId).query(actionStatusQuery)).steps.map((s) => [s.id, s.state]));
  /** Requests /two-hooks for `service`, has its owner approve, and returns once the first step runs. */
  const untilFirstRuns = async (service: string) => {
    const id = `two-hooks/${service}`;
    const posted = h.emu.callsTo('chat.postMessage').length;
    await h.command(DIEGO, '/two-hooks', service);
    const dm = await h.emu.waitFor(
      'chat.postMessage',
      (c) => h.emu.callsTo('chat.postMessage').indexOf(c) >= posted && String(c.args.channel).startsWith('U') && text(c).includes(id),
      10_000,
    );
    await h.click(String(dm.args.channel), approveValue(dm));
    const deadline = Date.now() + 15_000;
    while ((await stepStates(id)).first !== 'running') {
      if (Date.now() > deadline) throw new Error(`${id}: the first step did not start`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return id;
  };

  it('refuses a callback sent before the step started, or for a later step, and takes each step’s own callback once', async () => {
    await h.command(DIEGO, '/two-hooks', 'ledger');
    const id = 'two-hooks/ledger';
    const dm = await h.emu.waitFor('chat.postMessage', (c) => c.args.channel === AMARA && text(c).includes(id), 10_000);

    // Early: the request still waits for approval.
    const early = await send(signed(id, 'first', 'succeeded', 'sent early'));
    expect(early).toMatchObject({ status: 409, body: { error: 'not_waiting' } });

    await h.click(AMARA, approveValue(dm));
    const first = await callFor(`${id}/first`);
    // The URL handed out names this run, and the signature covers it.
    const [path, query] = String(first.body.callbackUrl).split('?');
    expect(path).toBe(callbackUrl(id, 'first'));
    expect(query).toMatch(/^run=[0-9a-f-]{36}$/);

    // A later step, while the first one waits.
    const ahead = await send(signed(id, 'second', 'succeeded', 'sent ahead'));
    expect(ahead).toMatchObject({ status: 409, body: { error: 'not_waiting' } });

    const done = signed(id, 'first', 'succeeded', 'first done', first.body.callbackUrl);
    expect(await send(done)).toEqual({ status: 202, body: { ok: true } });
    // The same signed request again, well within the 5 minutes: single use.
    expect((await send(done)).status).toBe(409);

    await callFor(`${id}/second`);
    // The refused early callback for `second` did not finish it: it waits for its own.
    expect(await stepStates(id)).toEqual({ first: 'done', second: 'running' });
    expect((await send(signed(id, 'second'))).status).toBe(202);
    await h.emu.waitFor('chat.postMessage', (c) => Boolean(c.args.thread_ts) && text(c).includes(id) && text(c).includes('is done'), 20_000);
    // After the end, nothing waits.
    expect((await send(signed(id, 'second', 'failed'))).status).toBe(409);
  }, 60_000);

  it('refuses a callback captured from an earlier run of the same request id, within its 5 minutes', async () => {
    // Request ids are business keys: the next rollback of a service has the id of the last one.
    const id = await untilFirstRuns('payments-api');
    const captured = signed(id, 'first', 'failed', 'first failed', (await callFor(`${id}/first`)).body.callbackUrl);
    expect((await send(captured)).status).toBe(202);
    await h.emu.waitFor('chat.postMessage', (c) => Boolean(c.args.thread_ts) && text(c).includes(id) && text(c).includes('failed'), 20_000);

    await untilFirstRuns('payments-api');
    expect(await send(captured)).toMatchObject({ status: 409, body: { error: 'replayed' } });
    expect((await stepStates(id)).first).toBe('running');
  }, 60_000);
});
