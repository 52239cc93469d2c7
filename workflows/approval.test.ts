/** The approval on a real Temporal dev server (votes as Updates, refusals by the validator) and its timers on the time-skipping test server. */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralVoteSigner } from '../src/actions/vote-signing.js';
import { bundleWorkflows, describeWithTemporal, describeWithTimeSkipping, startTemporal, startTimeSkipping } from '../src/testing/temporal.js';
import { approvalQuery, approvalRequest, voteUpdate } from './index.js';
import type { ApprovalPolicy, Vote } from './approval-rules.js';

// Votes carry the bot's signature (workflows/vote-proof.ts); these tests sign as the bot does.
const signer = ephemeralVoteSigner();
const policy: ApprovalPolicy = {
  requester: 'user:default/rita',
  selfApproval: false,
  rules: [{ description: 'team-platform (2 of 3)', required: 2, approvers: ['user:default/ann', 'user:default/bob', 'user:default/rita'] }],
  voteKey: signer.publicKey,
};

/** The validator's message: the client wraps it in WorkflowUpdateFailedError. */
async function refusal(update: Promise<unknown>): Promise<string> {
  try {
    await update;
  } catch (err) {
    return (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
  }
  return 'accepted';
}

describeWithTemporal('approvals on a real Temporal server', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `approvals-${randomUUID()}`;

  beforeAll(async () => {
    env = await startTemporal();
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleWorkflows() });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  const start = (timers: Parameters<typeof approvalRequest>[1], p = policy) =>
    env.client.workflow.start(approvalRequest, { taskQueue, workflowId: `approval-${randomUUID()}`, args: [p, timers] });
  const vote = (handle: WorkflowHandle, v: Vote) => handle.executeUpdate(voteUpdate, { args: [signer.sign(handle.workflowId, v)] });

  it('is approved by N of M approvers, refusing the requester, outsiders and repeat votes', async () => {
    const handle = await start({ expireAfterMs: 60_000 });
    expect(await refusal(vote(handle, { approver: 'user:default/rita', decision: 'approve' }))).toMatch(/own request/);
    expect(await refusal(vote(handle, { approver: 'user:default/eve', decision: 'approve' }))).toMatch(/not one of the approvers/);
    expect(await vote(handle, { approver: 'user:default/ann', decision: 'approve' })).toEqual({ status: 'pending' });
    expect(await refusal(vote(handle, { approver: 'user:default/ann', decision: 'approve' }))).toMatch(/already approved/);
    expect(await vote(handle, { approver: 'user:default/bob', decision: 'approve' })).toEqual({ status: 'approved' });
    const result = await handle.result();
    expect(result.status).toBe('approved');
    expect(result.votes.map((v) => v.approver)).toEqual(['user:default/ann', 'user:default/bob']);
  });

  it('is rejected by one rejection with a reason', async () => {
    const handle = await start({ expireAfterMs: 60_000 });
    expect(await refusal(vote(handle, { approver: 'user:default/ann', decision: 'reject' }))).toMatch(/needs a reason/);
    await vote(handle, { approver: 'user:default/ann', decision: 'reject', reason: 'name clashes with billing' });
    expect((await handle.result()).status).toBe('rejected');
  });
});

// Timers on the time-skipping test server: hours pass in milliseconds, and nothing depends on how fast real
// timers fire. Votes are Updates, during which time does not skip, so no vote waits for a timer here.
describeWithTimeSkipping('approval timers on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `approval-timers-${randomUUID()}`;
  const HOUR = 60 * 60_000;

  beforeAll(async () => {
    env = await startTimeSkipping();
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleWorkflows() });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  const start = (timers: Parameters<typeof approvalRequest>[1], p = policy) =>
    env.client.workflow.start(approvalRequest, { taskQueue, workflowId: `approval-${randomUUID()}`, args: [p, timers] });
  // Signed at the server's clock, which runs ahead of the real one once time has been skipped.
  const vote = async (handle: WorkflowHandle, v: Vote) =>
    handle.executeUpdate(voteUpdate, { args: [signer.sign(handle.workflowId, v, await env.currentTimeMs())] });

  it('reminds, then expires when nobody decides', async () => {
    const handle = await start({ remindAfterMs: HOUR, expireAfterMs: 24 * HOUR });
    await env.sleep(2 * HOUR);
    expect(await handle.query(approvalQuery)).toMatchObject({ status: 'pending', reminded: true });
    expect((await handle.result()).status).toBe('expired');
  });

  it('lets the backup group vote only after escalation', async () => {
    const handle = await start(
      { escalateAfterMs: 4 * HOUR, escalateTo: { description: 'sre', required: 1, approvers: ['user:default/sam'] }, expireAfterMs: 48 * HOUR },
      {
        ...policy,
        rules: [{ ...policy.rules[0]!, required: 1 }],
      },
    );
    expect(await refusal(vote(handle, { approver: 'user:default/sam', decision: 'approve' }))).toMatch(/not one of the approvers/);
    await env.sleep(5 * HOUR);
    expect(await handle.query(approvalQuery)).toMatchObject({ escalated: true });
    await vote(handle, { approver: 'user:default/sam', decision: 'approve' });
    expect((await handle.result()).status).toBe('approved');
  });
});

describe('the workflow bundle', () => {
  it('builds from workflows/ with no Node built-in or I/O module', async () => {
    // bundleWorkflowCode fails on a Node built-in imported (directly or not) by workflow code.
    const bundle = await bundleWorkflows();
    expect(bundle.code).toContain('approvalRequest');
  }, 60_000);
});
