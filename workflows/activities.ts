/**
 * The workflow's handles on its activities (contract.ts), with the timeouts and retries each kind
 * gets. Step executors are looked up in the one executor table (executors.ts).
 */
import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { SelfServiceActivities, StepActivity } from './contract.js';
import { executorSpec } from './executors.js';

// The audit row and the chat messages are short and local to the worker: local activities, which skip
// a round trip to the server per call (the DM and the first progress edit are what people wait for).
export const audited = proxyLocalActivities<Pick<SelfServiceActivities, 'appendAudit' | 'checkInputs'>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 10, initialInterval: '200 milliseconds' },
});
// Chat messages are best effort: a Slack outage must not fail a rollback.
export const chat = proxyLocalActivities<Pick<SelfServiceActivities, 'openThread' | 'editStatus' | 'postOutcome' | 'askApprovers' | 'closeApprovals'>>({
  startToCloseTimeout: '20 seconds',
  retry: { maximumAttempts: 3, initialInterval: '500 milliseconds' },
});

/** The activity that runs the executor `run`, with the step's timeout; an unknown name fails the step. */
export function executor(run: string, timeoutMs: number): StepActivity {
  const spec = executorSpec(run);
  if (!spec) throw ApplicationFailure.nonRetryable(`No executor named ${run}`, 'UnknownExecutor');
  const acts = proxyActivities<SelfServiceActivities>({
    startToCloseTimeout: timeoutMs + 60_000,
    // A worker that dies mid-step is noticed within the heartbeat timeout, not the step's whole timeout.
    heartbeatTimeout: '20 seconds',
    retry: { maximumAttempts: 5, initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  return acts[spec.activity];
}

/** Whether the step waits for its receiver's callback (executors that take one, with `callback: true`). */
export function takesCallback(run: string, settings: Record<string, unknown>): boolean {
  return executorSpec(run)?.callbacks === true && settings.callback === true;
}
