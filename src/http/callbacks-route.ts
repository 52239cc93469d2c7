/**
 * POST /api/callbacks/<workflow id>/<step>: a webhook receiver reports that a step it accepted has
 * finished. Signed with the step's own secret (the `secretEnv` its action declares) over method, path,
 * request id, step, timestamp and body (./callback-signature.ts); each signed request is taken once;
 * the workflow takes it only while that step waits for a callback (an Update whose validator refuses
 * any other: 409).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import type { ActionDefinition } from '../actions/definition.js';
import type { TemporalAccess } from '../actions/launcher.js';
import { stepCallbackSignal, stepCallbackUpdate, type StepCallback } from '../../workflows/contract.js';
import { redact } from '../audit/redact.js';
import { json, readBody } from './body.js';
import { callbackRun, callbackTarget, parseCallbackPath, verifyCallback } from './callback-signature.js';
import type { Route } from './server.js';

const MAX_BODY = 256 * 1024;
/** Webhook receivers wait on this answer; without a worker no Update is accepted, so they retry later. */
const ACCEPT_WITHIN_MS = 10_000;
const RETRY_AFTER_S = 5;

const callbackBody = z.object({
  status: z.enum(['succeeded', 'failed'], { error: 'must be "succeeded" or "failed"' }),
  message: z.string().max(2000).optional(),
  output: z.record(z.string(), z.unknown()).optional(),
});

export interface CallbacksRouteOptions {
  actions: ActionDefinition[];
  secret(name: string): string | undefined;
  temporal: TemporalAccess;
  /**
   * True the first time a key is seen (BotState.claimDelivery): a signed callback is single use, in
   * every replica sharing the state.
   */
  claim(key: string): Promise<boolean>;
  /** Gives a claim back (BotState.releaseDelivery) when no worker took the callback in time. */
  release(key: string): Promise<void>;
  /** How long a worker may take to accept the callback before the receiver is asked to retry (ms). */
  acceptWithinMs?: number;
  /** The path of SWITCHBOARD_PUBLIC_URL ('' at the root): callback URLs, and so their signatures, carry it. */
  basePath?: string;
}

/** The secret env name of a step that finishes by callback; undefined for any other step. */
function callbackSecretName(action: ActionDefinition, stepId: string): string | undefined {
  const step = action.spec.steps.find((s) => s.id === stepId);
  if (!step || (step.run !== 'webhook' && step.run !== 'deploy-version') || !step.with.callback) return undefined;
  return step.with.secretEnv;
}

/** Workflows started before callbacks became an Update have no handler for it: they still take the signal. */
const isLegacy = (err: WorkflowUpdateFailedError) => /No registered handler for update/i.test((err.cause as Error | undefined)?.message ?? '');

export function callbacksRoute(opts: CallbacksRouteOptions): Route {
  return async (req, res) => {
    const parsed = parseCallbackPath((req.url ?? '').split('?')[0] ?? '');
    const workflowId = parsed?.workflowId ?? '';
    const stepId = parsed?.step ?? '';
    const action = opts.actions.find((a) => workflowId.startsWith(`${a.metadata.name}/`));
    const secretName = action && callbackSecretName(action, stepId);
    const secret = secretName && opts.secret(secretName);
    if (!secret) {
      return json(res, 404, {
        error: 'not_found',
        message: `No webhook step ${stepId || '(none)'} of a request ${workflowId || '(none)'} takes callbacks here`,
      });
    }
    const raw = await readBody(req, MAX_BODY);
    if (raw === null) return json(res, 413, { error: 'too_large', message: `The body is larger than ${MAX_BODY} bytes` });
    const run = callbackRun(req.url ?? '');
    const check = verifyCallback(secret, req.headers, callbackTarget(opts.basePath ?? '', workflowId, stepId, run), raw);
    if (!check.ok) return json(res, 401, { error: 'invalid_signature', message: check.reason });
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return json(res, 400, { error: 'invalid_json', message: 'The body is not JSON' });
    }
    const valid = callbackBody.safeParse(body);
    if (!valid.success) {
      return json(res, 400, { error: 'invalid_body', problems: valid.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) });
    }
    let client;
    try {
      client = await opts.temporal.client();
    } catch (err) {
      // Not claimed yet: the receiver may send the same signed request again.
      return json(res, 503, { error: 'unavailable', message: (err as Error).message });
    }
    const claim = `callback:${check.signature}`;
    if (!(await opts.claim(claim))) {
      return json(res, 409, {
        error: 'replayed',
        message: 'This signed callback was already received: a callback is taken once (sign a new one to send again)',
      });
    }
    // The receiver's message and output land in history and the status: no secret it echoes may.
    const callback = { step: stepId, ...(redact(valid.data) as typeof valid.data) } satisfies StepCallback;
    // The run the URL was handed out for: an earlier run's callback reaches that (closed) run, never a later one.
    const handle = client.workflow.getHandle(workflowId, run);
    const deadline = Date.now() + (opts.acceptWithinMs ?? ACCEPT_WITHIN_MS);
    try {
      await client.withDeadline(deadline, () => handle.executeUpdate(stepCallbackUpdate, { args: [callback] }));
    } catch (err) {
      if (Date.now() >= deadline && !(err instanceof WorkflowUpdateFailedError) && !(err instanceof WorkflowNotFoundError)) {
        // No worker validated it: nothing was taken, so the same signed request may come again.
        await opts.release(claim);
        res.setHeader('retry-after', String(RETRY_AFTER_S));
        return json(res, 503, {
          error: 'no_worker',
          message: `No worker took the callback within ${Math.round((opts.acceptWithinMs ?? ACCEPT_WITHIN_MS) / 1000)} s; send it again`,
        });
      }
      if (err instanceof WorkflowUpdateFailedError && isLegacy(err)) {
        await handle.signal(stepCallbackSignal, callback);
      } else if (err instanceof WorkflowUpdateFailedError) {
        return json(res, 409, { error: 'not_waiting', message: (err.cause as Error | undefined)?.message ?? err.message });
      } else if (/already completed/i.test((err as Error).message)) {
        return json(res, 409, { error: 'not_waiting', message: `Request ${workflowId} has finished: no step waits for a callback` });
      } else if (err instanceof WorkflowNotFoundError) {
        return json(res, 404, { error: 'not_found', message: `No running request ${workflowId}` });
      } else throw err;
    }
    json(res, 202, { ok: true });
  };
}
