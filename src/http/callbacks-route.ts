/**
 * POST /api/callbacks/<workflow id>/<step>: a webhook receiver reports that a step it accepted has
 * finished. The body is signed with the step's own secret (the `secretEnv` its action declares), the
 * same scheme Switchboard signs its calls with, and becomes a signal to the waiting workflow.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import type { ActionDefinition } from '../actions/definition.js';
import type { TemporalAccess } from '../actions/launcher.js';
import { verifySignature } from '../activities/webhook.js';
import { stepCallbackSignal } from '../../workflows/action.js';
import { json, readBody } from './body.js';
import type { Route } from './server.js';

const MAX_BODY = 256 * 1024;
const PREFIX = '/api/callbacks/';

const callbackBody = z.object({
  status: z.enum(['succeeded', 'failed'], { error: 'must be "succeeded" or "failed"' }),
  message: z.string().max(2000).optional(),
  output: z.record(z.string(), z.unknown()).optional(),
});



/** The secret env names a step's webhooks are signed with (the step's and its compensation's). */
function secretNames(action: ActionDefinition, stepId: string): string[] {
  const step = action.spec.steps.find((s) => s.id === stepId);
  if (!step) return [];
  return [step.with, step.compensate?.with]
    .map((w) => (w as { secretEnv?: unknown } | undefined)?.secretEnv)
    .filter((n): n is string => typeof n === 'string');
}

export function callbacksRoute(opts: { actions: ActionDefinition[]; secret(name: string): string | undefined; temporal: TemporalAccess }): Route {
  return async (req, res) => {
    const rest = (req.url ?? '').split('?')[0]?.slice(PREFIX.length) ?? '';
    const slash = rest.lastIndexOf('/');
    const workflowId = decodeURIComponent(rest.slice(0, Math.max(0, slash)));
    const stepId = decodeURIComponent(rest.slice(slash + 1));
    const action = opts.actions.find((a) => workflowId.startsWith(`${a.metadata.name}/`));
    const secrets = action ? secretNames(action, stepId).map((n) => opts.secret(n)).filter((s): s is string => Boolean(s)) : [];
    if (!action || !stepId || secrets.length === 0) {
      return json(res, 404, { error: 'not_found', message: `No webhook step ${stepId || '(none)'} of a request ${workflowId || '(none)'} takes callbacks here` });
    }
    const raw = await readBody(req, MAX_BODY);
    if (raw === null) return json(res, 413, { error: 'too_large', message: `The body is larger than ${MAX_BODY} bytes` });
    const checks = secrets.map((s) => verifySignature(s, req.headers, raw));
    const ok = checks.find((c) => c.ok);
    if (!ok) return json(res, 401, { error: 'invalid_signature', message: (checks[0] as { reason: string }).reason });
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return json(res, 400, { error: 'invalid_json', message: 'The body is not JSON' });
    }
    const parsed = callbackBody.safeParse(body);
    if (!parsed.success) {
      return json(res, 400, { error: 'invalid_body', problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) });
    }
    let client;
    try {
      client = await opts.temporal.client();
    } catch (err) {
      return json(res, 503, { error: 'unavailable', message: (err as Error).message });
    }
    try {
      await client.workflow.getHandle(workflowId).signal(stepCallbackSignal, { step: stepId, ...parsed.data });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return json(res, 404, { error: 'not_found', message: `No running request ${workflowId}` });
      throw err;
    }
    json(res, 202, { ok: true });
  };
}
