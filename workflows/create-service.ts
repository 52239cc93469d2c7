/**
 * createService: approval, then the golden-path steps, each audited before it runs; a failed step
 * undoes what was done (the pushed repository) and reports it. Progress is exposed by a query.
 */
import { ApplicationFailure, defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CreateServiceActivities } from '../src/activities/create-service.js';
import { type ApprovalPolicy, type ApprovalStatus, type ApprovalTimers, awaitApproval } from './approval.js';

export interface CreateServiceInput {
  requester: string;
  /** Validated inputs of the create-service action (name, owner, system, tier, template, …). */
  values: Record<string, string | number | boolean>;
  policy: ApprovalPolicy;
  timers: ApprovalTimers;
  /** Where the request was made, e.g. `slack:C123:1712.0001`. */
  thread: string;
}

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'undone';

export interface CreateServiceStatus {
  phase: 'awaiting-approval' | 'running' | 'succeeded' | 'failed' | 'rejected' | 'expired';
  approval?: ApprovalStatus;
  steps: { id: string; title: string; state: StepState; detail?: string }[];
  repository?: string;
}

export const createServiceStatusQuery = defineQuery<CreateServiceStatus>('createServiceStatus');

const act = proxyActivities<CreateServiceActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5, initialInterval: '1 second' },
});

export async function createService(input: CreateServiceInput): Promise<CreateServiceStatus> {
  const { workflowId } = workflowInfo();
  const name = String(input.values.name);
  const target = `component:default/${name}`;
  const status: CreateServiceStatus = {
    phase: 'awaiting-approval',
    steps: [
      { id: 'repository', title: `Render the ${String(input.values.template)} template and push the repository`, state: 'pending' },
      { id: 'register', title: 'Register the component in the catalog', state: 'pending' },
    ],
  };
  setHandler(createServiceStatusQuery, () => status);
  const audit = (event: string, detail: Record<string, unknown> = {}, actor = 'system') =>
    act.appendAudit({ actor, action: 'create-service', event: event as never, target, inputs: input.values, detail, thread: input.thread, workflowId });

  // The vote handler must exist before the first await: a click can arrive with the first task.
  const decided = awaitApproval(input.policy, input.timers);
  await audit('requested', {}, input.requester);
  const approval = await decided;
  status.approval = approval;
  for (const vote of approval.votes) await audit(vote.decision === 'approve' ? 'approved' : 'rejected', { reason: vote.reason }, vote.approver);
  if (approval.status !== 'approved') {
    status.phase = approval.status === 'rejected' ? 'rejected' : 'expired';
    if (approval.status === 'expired') await audit('expired');
    return status;
  }

  status.phase = 'running';
  const undo: { step: string; run: () => Promise<unknown> }[] = [];
  const step = async <T>(id: string, run: () => Promise<T>): Promise<T> => {
    const s = status.steps.find((x) => x.id === id)!;
    s.state = 'running';
    await audit('step_started', { step: id });
    try {
      const result = await run();
      s.state = 'done';
      await audit('step_succeeded', { step: id });
      return result;
    } catch (err) {
      s.state = 'failed';
      s.detail = (err as Error).message;
      await audit('step_failed', { step: id, error: s.detail });
      throw err;
    }
  };

  try {
    const repo = await step('repository', () => act.renderAndPush(String(input.values.template), input.values));
    status.repository = repo.url;
    undo.push({ step: 'repository', run: () => act.deleteRepository(repo.url) });
    await step('register', () => act.registerComponent(name, repo.catalogInfo));
  } catch (err) {
    for (const u of undo.reverse()) {
      await u.run();
      const s = status.steps.find((x) => x.id === u.step)!;
      s.state = 'undone';
      await audit('compensated', { step: u.step });
    }
    status.phase = 'failed';
    await audit('failed', { error: (err as Error).message });
    throw ApplicationFailure.nonRetryable(`create-service ${name} failed and was undone: ${(err as Error).message}`, 'CreateServiceFailed');
  }
  status.phase = 'succeeded';
  await audit('completed', { repository: status.repository });
  return status;
}
