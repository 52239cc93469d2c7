/**
 * Votes sent straight to the Temporal server (anyone who can reach the frontend can send an Update)
 * count only with the bot's signature over this workflow's id: the validator refuses the rest, and a
 * refused Update leaves no trace in history.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ephemeralVoteSigner } from '../src/actions/vote-signing.js';
import { bundleWorkflows, describeWithTemporal, startTemporal } from '../src/testing/temporal.js';
import type { ApprovalPolicy } from './approval-rules.js';
import { approvalQuery, approvalRequest, voteUpdate } from './index.js';
import { VOTE_PROOF_MAX_AGE_MS } from './vote-proof.js';

const bot = ephemeralVoteSigner();
const attacker = ephemeralVoteSigner();
const ANN = 'user:default/ann';

async function refusal(update: Promise<unknown>): Promise<string> {
  try {
    await update;
  } catch (err) {
    return (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
  }
  return 'accepted';
}

describeWithTemporal('signed votes on a real Temporal server', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `signed-votes-${randomUUID()}`;
  const policy: ApprovalPolicy = {
    requester: 'user:default/rita',
    selfApproval: false,
    rules: [{ description: 'team-platform', required: 1, approvers: [ANN] }],
    voteKey: bot.publicKey,
  };
  const start = (p: ApprovalPolicy = policy) =>
    env.client.workflow.start(approvalRequest, { taskQueue, workflowId: `signed-${randomUUID()}`, args: [p, { expireAfterMs: 60_000 }] });
  /** Update events in the history: a refused Update must leave none. */
  const updateEvents = async (handle: WorkflowHandle) =>
    ((await handle.fetchHistory()).events ?? []).filter((e) =>
      Object.keys(e).some((k) => /^workflowExecutionUpdate/.test(k) && (e as Record<string, unknown>)[k]),
    ).length;

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

  it('refuses an unsigned vote sent straight to the server and leaves no trace in history', async () => {
    const handle = await start();
    expect(await refusal(handle.executeUpdate(voteUpdate, { args: [{ approver: ANN, decision: 'approve' }] }))).toMatch(/not signed by Switchboard/);
    expect(await handle.query(approvalQuery)).toMatchObject({ status: 'pending', votes: [] });
    expect(await updateEvents(handle)).toBe(0);
  });

  it('refuses a vote signed with another key', async () => {
    const handle = await start();
    expect(await refusal(handle.executeUpdate(voteUpdate, { args: [attacker.sign(handle.workflowId, { approver: ANN, decision: 'approve' })] }))).toMatch(
      /signature is not Switchboard’s/,
    );
    expect(await updateEvents(handle)).toBe(0);
  });

  it('refuses a bot-signed vote whose approver or decision was changed after signing', async () => {
    const handle = await start();
    const signed = bot.sign(handle.workflowId, { approver: 'user:default/eve', decision: 'reject', reason: 'no' });
    expect(await refusal(handle.executeUpdate(voteUpdate, { args: [{ ...signed, approver: ANN, decision: 'approve' }] }))).toMatch(
      /signature is not Switchboard’s/,
    );
  });

  it('refuses a bot-signed vote replayed against another request', async () => {
    const first = await start();
    const other = await start();
    const signed = bot.sign(first.workflowId, { approver: ANN, decision: 'approve' });
    expect(await refusal(other.executeUpdate(voteUpdate, { args: [signed] }))).toMatch(/signed for another request/);
    expect(await updateEvents(other)).toBe(0);
  });

  it('refuses a stale signature', async () => {
    const handle = await start();
    const old = bot.sign(handle.workflowId, { approver: ANN, decision: 'approve' }, Date.now() - VOTE_PROOF_MAX_AGE_MS - 60_000);
    expect(await refusal(handle.executeUpdate(voteUpdate, { args: [old] }))).toMatch(/stale/);
  });

  it('takes no vote at all on a request started without a vote key', async () => {
    const { voteKey: _dropped, ...keyless } = policy;
    const handle = await start(keyless);
    expect(await refusal(handle.executeUpdate(voteUpdate, { args: [{ approver: ANN, decision: 'approve' }] }))).toMatch(/no vote key/);
    expect(await refusal(handle.executeUpdate(voteUpdate, { args: [attacker.sign(handle.workflowId, { approver: ANN, decision: 'approve' })] }))).toMatch(
      /no vote key/,
    );
  });

  it('counts a vote the bot signed for this request', async () => {
    const handle = await start();
    expect(await handle.executeUpdate(voteUpdate, { args: [bot.sign(handle.workflowId, { approver: ANN, decision: 'approve' })] })).toEqual({
      status: 'approved',
    });
    const result = await handle.result();
    expect(result.status).toBe('approved');
    // The proof is not kept: the status shows the vote only.
    expect(result.votes).toEqual([{ approver: ANN, decision: 'approve' }]);
  });
});
