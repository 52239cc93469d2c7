/**
 * POST /api/deployments: CI records a deploy. Authenticated by a shared bearer token
 * (SWITCHBOARD_DEPLOY_TOKEN); the body is validated with zod and every bad field named; the service
 * must be in the catalog under its exact name or ref (never a fuzzy match).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { deploymentInput, type DeploymentLog } from '../deployments/index.js';
import { json, readBody } from './body.js';
import type { Route } from './server.js';

const MAX_BODY = 64 * 1024;

export interface DeploymentsRouteOptions {
  /** Unset: the endpoint answers 503 and says how to enable it. */
  token: string | undefined;
  deployments: Pick<DeploymentLog, 'record'>;
  /** The canonical ref of an exact component name or ref, or null when the catalog has none. */
  serviceRef(nameOrRef: string): string | null;
}


function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}


export function deploymentsRoute(options: DeploymentsRouteOptions): Route {
  return async (req, res) => {
    if (!options.token) {
      json(res, 503, { error: 'disabled', message: 'Set SWITCHBOARD_DEPLOY_TOKEN to accept deployments.' });
      return;
    }
    if (!authorized(req, options.token)) {
      json(res, 401, { error: 'unauthorized', message: 'Send Authorization: Bearer <SWITCHBOARD_DEPLOY_TOKEN>.' });
      return;
    }
    const text = await readBody(req, MAX_BODY);
    if (text === null) {
      json(res, 413, { error: 'too_large', message: `The body must be under ${MAX_BODY} bytes.` });
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      json(res, 400, { error: 'invalid_json', message: 'The body must be a JSON object.' });
      return;
    }
    const parsed = deploymentInput.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
      json(res, 400, { error: 'invalid_deployment', message: problems.join('; '), problems });
      return;
    }
    const ref = options.serviceRef(parsed.data.service);
    if (!ref) {
      json(res, 422, { error: 'unknown_service', message: `service: "${parsed.data.service}" is not a component in the catalog.` });
      return;
    }
    json(res, 201, options.deployments.record(ref, parsed.data));
  };
}
