/**
 * What the executors share: failures Temporal does not retry, the activity context (heartbeats,
 * cancellation, the run), the step journal, the request's scratch folder and the chat surface of a thread.
 */
import { join } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { redact } from '../audit/redact.js';
import type { ChatNotifier } from '../conversation/request-cards.js';
import type { StepContext, StepResult } from '../../workflows/contract.js';
import type { SelfServiceDeps } from './deps.js';
import { platformOf } from '../threads.js';

export const fail = (message: string, type: string) => ApplicationFailure.nonRetryable(message, type);
export const safeName = (id: string) => id.replace(/[^A-Za-z0-9._-]+/g, '_');
/** A non-empty string setting, or undefined. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Heartbeats when running as an activity; a no-op when called directly (tests of the executors). */
export function heartbeat(detail: unknown): void {
  try {
    Context.current().heartbeat(detail);
  } catch {
    // Not inside an activity.
  }
}

export function abortSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

/** The workflow run the activity works for; `no-run` outside an activity (unit tests). */
export function runId(): string {
  try {
    return Context.current().info.workflowExecution?.runId ?? 'no-run';
  } catch {
    return 'no-run';
  }
}

/** The chat surface of a thread or message ref (`slack:…`, `shell:…`). */
export function notifierFor(deps: Pick<SelfServiceDeps, 'notifiers'>, ref: string): ChatNotifier {
  const platform = platformOf(ref);
  const n = deps.notifiers[platform];
  if (!n) throw fail(`No chat surface for ${platform} in this worker (thread ${ref})`, 'NoChatSurface');
  return n;
}

/** The request's scratch folder, where its template is rendered. */
export const renderDir = (deps: Pick<SelfServiceDeps, 'workDir'>, ctx: StepContext) => join(deps.workDir, safeName(ctx.workflowId));

/**
 * Runs a step once: a retry after its side effect was done returns the recorded result (a worker
 * that dies between the side effect and Temporal hearing of it does not push, call or create twice).
 */
export async function once(deps: Pick<SelfServiceDeps, 'journal'>, ctx: StepContext, run: () => Promise<StepResult>): Promise<StepResult> {
  // Keyed by run too: the next request with the same business key (a second rollback of a service)
  // is a new run whose steps must run again.
  const key = `${ctx.workflowId}/${runId()}/${ctx.step.id}${ctx.compensating ? '/undo' : ''}`;
  const recorded = (await deps.journal.stepResult(key)) as StepResult | undefined;
  if (recorded !== undefined) return recorded;
  // Journaled as the history will keep it: the journal is on disk as long as the history.
  const result = redact(await run()) as StepResult;
  await deps.journal.recordStep(key, result);
  return result;
}
