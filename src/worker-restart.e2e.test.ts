/**
 * The worker killed mid-request (SIGKILL, no goodbye) and started again: the request finishes, and no
 * step runs twice. The bot and the worker are separate processes here, as `switchboard bot` and
 * `switchboard worker` deploy them, sharing the SQLite file and a real Temporal dev server.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, slackId, startHarness } from './testing/harness.js';
import { exited, HOOKED_ACTION, startProcess } from './testing/processes.js';
import { describeWithTemporal, startTemporal } from './testing/temporal.js';

/** `switchboard worker` in a process of its own, sharing the harness's environment (its SQLite file, Temporal). */
const startWorker = async (env: Record<string, string>): Promise<ChildProcess> =>
  (await startProcess('worker', 'worker', { ...env, PORT: '0' }, /worker running/)).child;

describeWithTemporal('a worker killed mid-request', () => {
  let temporal: TestWorkflowEnvironment;
  let h: Harness;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    temporal = await startTemporal();
    h = await startHarness({
      temporalAddress: temporal.address,
      taskQueue: `restart-${randomUUID()}`,
      mode: 'bot',
      extraActions: { 'create-hooked.yaml': HOOKED_ACTION },
    });
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await h?.stop();
    await temporal?.teardown();
  });

  it('finishes the request after a restart, with every step done once', async () => {
    const first = await startWorker(h.env);
    children.push(first);
    h.hooks.mode = { kind: 'hold' };
    const id = 'create-hooked/kettle';
    const res = await h.command(slackId('diego-alvarez'), '/create-hooked', 'kettle owner=team-payments system=payments');
    expect(res.status).toBe(200);
    const dm = await h.emu.waitFor('chat.postMessage', (c) => c.args.channel === slackId('yuki-tanaka') && JSON.stringify(c.args.blocks).includes(id), 15_000);
    const approve = JSON.stringify(dm.args.blocks).match(/"value":"(vote\|approve\|[^"]+)"/)?.[1] as string;
    await h.click(slackId('yuki-tanaka'), approve);

    // The hook has the request (its receiver holds the callback): the worker dies now.
    const deadline = Date.now() + 20_000;
    while (!h.hooks.calls.some((c) => c.body.id === `${id}/hook`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(
      h.hooks.calls.some((c) => c.body.id === `${id}/hook`),
      JSON.stringify((await h.app.audit.list({ workflowId: id })).map((r) => [r.event, r.detail])),
    ).toBe(true);
    // ...and once its accepting the request is journaled: a kill before that (the hook has the call, the
    // worker not yet its answer) would rightly call it again with the same idempotency key.
    const { runId } = await temporal.client.workflow.getHandle(id).describe();
    while ((await h.app.state.stepResult(`${id}/${runId}/hook`)) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await h.app.state.stepResult(`${id}/${runId}/hook`)).toBeDefined();
    first.kill('SIGKILL');
    await exited(first);

    // The receiver finishes while no worker runs: no worker can accept the callback, so the bot answers
    // 503 and the receiver sends it again until the restarted worker takes it.
    const released = h.hooks.release();
    const second = await startWorker(h.env);
    children.push(second);
    await released;
    await h.emu.waitFor(
      'chat.postMessage',
      (c) => Boolean(c.args.thread_ts) && JSON.stringify(c.args.blocks ?? '').includes(id) && JSON.stringify(c.args.blocks ?? '').includes('is done'),
      60_000,
    );

    expect(h.hooks.calls.filter((c) => c.body.id === `${id}/hook`)).toHaveLength(1);
    const commits = execFileSync('git', ['--git-dir', h.tree.path('remotes/kettle.git'), 'rev-list', '--count', 'main'], { encoding: 'utf8' });
    expect(commits.trim()).toBe('1');
    expect(h.app.catalog.whoOwns('kettle').status).toBe('found');
    const started = (await h.app.audit.list({ workflowId: id })).filter((r) => r.event === 'step_started').map((r) => (r.detail as { step: string }).step);
    expect(started).toEqual(['render', 'push', 'hook', 'register']);
    expect((await h.app.audit.verify()).ok).toBe(true);
    second.kill('SIGTERM');
    await exited(second);
  }, 180_000);
});
