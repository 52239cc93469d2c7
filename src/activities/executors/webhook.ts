/**
 * `webhook` and `deploy-version`: POSTs the step, signed, to the receiver (../webhook.ts), then waits
 * for its answer, its callback (the workflow waits for the callback Update) or its poll URL.
 */
import type { StepActivity, StepContext, StepResult } from '../../../workflows/contract.js';
import type { SelfServiceDeps } from '../deps.js';
import { abortSignal, fail, heartbeat, once, runId, str } from '../support.js';
import { HookError, pollHook, postHook } from '../webhook.js';

export const webhook =
  (deps: SelfServiceDeps): StepActivity =>
  (ctx) =>
    once(deps, ctx, () => call(deps, ctx));

async function call(deps: SelfServiceDeps, ctx: StepContext): Promise<StepResult> {
  const w = ctx.step.with;
  const hookUrl = str(w.url) as string;
  const secretName = str(w.secretEnv) as string;
  const secret = deps.secret(secretName);
  if (!secret) throw fail(`${secretName} is not set: the webhook secret for ${ctx.action} step ${ctx.step.id}`, 'MissingSecret');
  const stepKey = `${ctx.workflowId}/${ctx.step.id}${ctx.compensating ? '/undo' : ''}`;
  // Per run: the next request with the same business key (a second rollback) is new work for the
  // receiver, while a retry of this step in this run repeats the key.
  const run = runId();
  const idempotencyKey = `${stepKey}@${run}`;
  const callback = w.callback === true;
  const body: Record<string, unknown> = {
    id: stepKey,
    run,
    workflowId: ctx.workflowId,
    action: ctx.action,
    step: ctx.step.id,
    compensating: ctx.compensating,
    requester: ctx.requester.ref,
    inputs: ctx.values,
    outputs: ctx.outputs,
    // Bound to this run (signed with it): a later request with the same id hands out a new URL.
    ...(callback && {
      callbackUrl: `${deps.publicUrl.replace(/\/$/, '')}/api/callbacks/${encodeURIComponent(ctx.workflowId)}/${encodeURIComponent(ctx.step.id)}?run=${encodeURIComponent(run)}`,
    }),
  };
  try {
    const posted = await postHook({ url: hookUrl, secret, body, idempotencyKey });
    if (posted.outcome !== 'accepted') {
      if (posted.outcome.status === 'failed') throw fail(posted.outcome.message ?? `${hookUrl} reported a failure`, 'StepFailed');
      return { output: posted.outcome.output ?? {}, ...(posted.outcome.message && { detail: posted.outcome.message }) };
    }
    if (callback) return { awaitCallback: true };
    const pollUrl = str(w.pollUrl);
    if (!pollUrl) return {};
    const outcome = await pollHook({
      url: pollUrl,
      secret,
      idempotencyKey,
      everyMs: typeof w.pollEvery === 'number' ? w.pollEvery : 10_000,
      timeoutMs: ctx.step.timeoutMs,
      heartbeat,
      signal: abortSignal(),
    });
    if (outcome.status === 'failed') throw fail(outcome.message ?? `${pollUrl} reported a failure`, 'StepFailed');
    return { output: outcome.output ?? {}, ...(outcome.message && { detail: outcome.message }) };
  } catch (err) {
    if (err instanceof HookError && !err.retryable) throw fail(err.message, 'WebhookRefused');
    throw err;
  }
}
