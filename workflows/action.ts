/**
 * One self-service request, start to end: ask the approvers (DMs with buttons), wait for the decision
 * (N-of-M, reminder, escalation, expiry), then run the planned steps one by one, editing the status
 * message in the requester's thread as each starts and ends. Every request, decision, step and outcome
 * is audited before its side effect. A failed step undoes the steps done before it, in reverse, and
 * the status says what was undone.
 *
 * The plan (steps with their `with` already filled in, approvers already resolved from the catalog) is
 * made by the launcher when the request is made, so this code only follows it and stays deterministic.
 */
import { ApplicationFailure, condition, log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { audited, chat, executor, takesCallback } from './activities.js';
import { awaitApproval } from './approval.js';
import {
  type ActionRequest,
  type ActionStatus,
  actionStatusQuery,
  type ApprovalStatus,
  CALLBACK_UPDATE_PATCH,
  type PlannedExecutor,
  type PlannedStep,
  type StepCallback,
  stepCallbackSignal,
  stepCallbackUpdate,
  type StepContext,
  type StepStatus,
} from './contract.js';
import { failureMessage } from './failure.js';
import { type AskAnswer, canStillBeMet, describeUnreached, dmRefs, REACH_PATCH, unreached } from './reach.js';

/** The engine every self-service workflow type runs. */
export async function runAction(request: ActionRequest): Promise<ActionStatus> {
  const { workflowId } = workflowInfo();
  const status: ActionStatus = {
    workflowId,
    action: request.action,
    title: request.title,
    summary: request.summary,
    requester: request.requester,
    target: request.target,
    shownInputs: request.shownInputs,
    phase: 'awaiting-approval',
    approval: null,
    approvalRules: request.policy.rules.map((r) => `${r.required} of ${r.description}`),
    approvers: request.approvers,
    ...(request.breakGlass && { breakGlass: request.breakGlass }),
    steps: request.steps.map((s) => ({ id: s.id, title: s.title, state: 'pending' })),
    links: [],
    startedAt: Date.now(),
    updatedAt: Date.now(),
  };
  const callbacks = new Map<string, StepCallback>();
  /**
   * The running step that takes a callback. Set when the step starts, not when its webhook answered:
   * a fast receiver may call back before the worker has read its 202 (docs/actions-format.md).
   */
  let awaitingCallback: string | undefined;
  setHandler(actionStatusQuery, () => status);
  if (patched(CALLBACK_UPDATE_PATCH)) {
    setHandler(
      stepCallbackUpdate,
      (cb) => {
        callbacks.set(cb.step, cb);
        return { step: cb.step };
      },
      {
        validator: (cb) => {
          if (awaitingCallback !== cb.step || callbacks.has(cb.step)) throw new Error(`step ${cb.step} is not waiting for a callback`);
        },
      },
    );
  } else {
    setHandler(stepCallbackSignal, (cb) => {
      if (!callbacks.has(cb.step)) callbacks.set(cb.step, cb);
    });
  }

  const audit = (event: string, detail: Record<string, unknown> = {}, actor = 'system') =>
    audited.appendAudit({
      actor,
      action: request.action,
      event: event as never,
      target: request.target,
      inputs: request.values,
      detail,
      thread: status.statusMessage ?? request.thread,
      workflowId,
    });
  const show = async () => {
    status.updatedAt = Date.now();
    if (!status.statusMessage) return;
    try {
      await chat.editStatus(status.statusMessage, status);
    } catch (err) {
      log.warn('could not edit the status message', { error: (err as Error).message });
    }
  };

  /** Reminder and escalation DMs: edited to the outcome with the first ones. */
  const later: string[] = [];
  /** Set when the request ended without a decision being possible: votes are refused with it. */
  let closed: string | null = null;
  // The vote handler must exist before the first await: a click can arrive with the first task.
  const decided = request.breakGlass
    ? null
    : awaitApproval(request.policy, request.timers, {
        closed: () => closed,
        remind: async (pending) => {
          await audit('reminded', { pending });
          later.push(
            ...dmRefs(
              await chat
                .askApprovers(
                  status,
                  request.approvers.filter((p) => pending.includes(p.ref)),
                  'reminder',
                  request.thread,
                )
                .catch(() => []),
            ),
          );
        },
        escalate: async (rule) => {
          await audit('escalated', { to: rule.description });
          status.approvalRules = status.approvalRules.map((r) => `${r} (escalated to ${rule.description})`);
          status.approvers = [...status.approvers, ...request.escalation.filter((p) => !status.approvers.some((a) => a.ref === p.ref))];
          later.push(...dmRefs(await chat.askApprovers(status, request.escalation, 'escalation', request.thread).catch(() => [])));
        },
      });
  await audit('requested', {}, request.requester.ref);
  // The status message and the approvers' DMs go out together.
  const asked: Promise<AskAnswer> = request.breakGlass
    ? Promise.resolve([])
    : chat.askApprovers(status, request.approvers, 'request', request.thread).catch((err: unknown) =>
        request.approvers.map((p) => ({
          ref: p.ref,
          displayName: p.displayName,
          dm: null,
          reason: `the DMs could not be sent: ${failureMessage(err)}`,
          code: 'dm-failed' as const,
        })),
      );
  try {
    status.statusMessage = await chat.openThread(request.thread, status);
  } catch (err) {
    log.warn('could not post the status message', { error: (err as Error).message });
  }

  if (request.breakGlass) {
    await audit('break_glass', { incident: request.breakGlass.incident }, request.breakGlass.approver);
    status.approval = {
      status: 'approved',
      votes: [{ approver: request.breakGlass.approver, decision: 'approve', reason: `break-glass during ${request.breakGlass.incident}` }],
      reminded: false,
      escalated: false,
    };
  } else {
    const answer = await asked;
    const dms = dmRefs(answer);
    if (patched(REACH_PATCH)) {
      status.asked = answer.flatMap((a) => (typeof a !== 'string' && a.dm ? [a.ref] : []));
      const missed = unreached(answer);
      if (missed.length) status.unreachable = missed;
      if (!canStillBeMet(request.policy, new Set(status.asked))) {
        // Nobody who could approve has seen the request: waiting for its expiry would be silence.
        closed = 'This request has ended: its approvers could not be reached.';
        status.phase = 'unreachable';
        const who = missed.length ? `: ${describeUnreached(missed)}` : '';
        status.error = status.asked.length
          ? `too few of its approvers could be reached to approve it${who}`
          : `nobody who can approve it could be reached${who}`;
        await audit('unreachable', { unreachable: missed });
        await chat.closeApprovals(dms, status).catch(() => undefined);
        return finish();
      }
      // The card now says who was asked (and who could not be), instead of assuming it.
      await show();
    }
    const approval = await (decided as Promise<ApprovalStatus>);
    status.approval = approval;
    if (approval.status !== 'approved') status.phase = approval.status === 'rejected' ? 'rejected' : 'expired';
    else status.phase = 'running';
    // The requester sees the decision first; the approvers' DMs and the audit follow.
    await show();
    for (const vote of approval.votes) await audit(vote.decision === 'approve' ? 'approved' : 'rejected', { reason: vote.reason }, vote.approver);
    if (approval.status === 'expired') await audit('expired');
    await chat.closeApprovals([...dms, ...later], status).catch(() => undefined);
    if (approval.status !== 'approved') return finish();
  }

  status.phase = 'running';
  // The catalog may have changed while the request waited (the name taken, the team renamed): the
  // inputs are checked again before anything is done.
  const problems = await audited.checkInputs(request.action, request.values);
  if (problems.length) {
    status.error = `the inputs are no longer valid: ${problems.join('; ')}`;
    await audit('refused', { reason: status.error });
    status.phase = 'failed';
    return finish();
  }
  const outputs: Record<string, Record<string, unknown>> = {};
  const done: PlannedStep[] = [];
  const context = (step: PlannedStep, exec: PlannedExecutor, compensating = false): StepContext => ({
    workflowId,
    action: request.action,
    step: { id: step.id, title: step.title, run: exec.run, with: exec.with, timeoutMs: step.timeoutMs },
    values: request.values,
    requester: request.requester,
    thread: status.statusMessage ?? request.thread,
    outputs,
    compensating,
  });

  for (const step of request.steps) {
    const s = status.steps.find((x) => x.id === step.id) as StepStatus;
    s.state = 'running';
    s.startedAt = Date.now();
    await audit('step_started', { step: step.id, run: step.run });
    await show();
    awaitingCallback = takesCallback(step.run, step.with) ? step.id : undefined;
    try {
      const result = await executor(step.run, step.timeoutMs)(context(step, step));
      let output = result.output ?? {};
      if (result.awaitCallback) {
        const arrived = await condition(() => callbacks.has(step.id), step.timeoutMs);
        if (!arrived) throw ApplicationFailure.nonRetryable(`no callback within ${Math.round(step.timeoutMs / 1000)} s`, 'StepTimeout');
        const cb = callbacks.get(step.id) as StepCallback;
        if (cb.status === 'failed') throw ApplicationFailure.nonRetryable(cb.message ?? 'the receiver reported a failure', 'StepFailed');
        output = { ...output, ...cb.output };
      }
      awaitingCallback = undefined;
      outputs[step.id] = output;
      status.links.push(...(result.links ?? []));
      s.state = 'done';
      s.endedAt = Date.now();
      if (result.detail) s.detail = result.detail;
      done.push(step);
      await audit('step_succeeded', { step: step.id, output });
    } catch (err) {
      awaitingCallback = undefined;
      const message = failureMessage(err);
      s.state = 'failed';
      s.detail = message;
      s.endedAt = Date.now();
      status.error = `${step.title}: ${message}`;
      await audit('step_failed', { step: step.id, error: message });
      await show();
      await compensate(done.reverse());
      status.phase = 'failed';
      return finish();
    }
  }
  status.phase = 'succeeded';
  return finish();

  async function compensate(steps: PlannedStep[]) {
    for (const step of steps) {
      if (!step.compensate) continue;
      const s = status.steps.find((x) => x.id === step.id) as StepStatus;
      await audit('step_started', { step: step.id, compensating: true, run: step.compensate.run });
      try {
        await executor(step.compensate.run, step.timeoutMs)(context(step, step.compensate, true));
        s.state = 'undone';
        await audit('compensated', { step: step.id });
      } catch (err) {
        s.detail = `could not be undone: ${failureMessage(err)}`;
        await audit('step_failed', { step: step.id, compensating: true, error: failureMessage(err) });
      }
      await show();
    }
  }

  async function finish(): Promise<ActionStatus> {
    status.endedAt = Date.now();
    for (const s of status.steps) if (s.state === 'pending') s.state = 'skipped';
    // Rejection and expiry were audited when the approval ended.
    if (status.phase === 'succeeded' || status.phase === 'failed')
      await audit(status.phase === 'succeeded' ? 'completed' : 'failed', { error: status.error, links: status.links });
    await show();
    await chat.postOutcome(status.statusMessage ?? request.thread, status).catch(() => undefined);
    // A failed request fails the workflow, so the Temporal UI and its metrics show it; the query
    // still answers with the whole status.
    if (status.phase === 'failed') throw ApplicationFailure.nonRetryable(`${request.summary} failed: ${status.error ?? 'unknown error'}`, 'ActionFailed');
    return status;
  }
}

// The workflow types DESIGN.md names; each is the engine with its own type, so the Temporal UI and
// metrics tell them apart. Actions of other names run as runAction.
export const createService = (request: ActionRequest) => runAction(request);
export const provisionResource = (request: ActionRequest) => runAction(request);
export const rollbackDeployment = (request: ActionRequest) => runAction(request);
