/**
 * POST /api/deployments: CI records a deploy. Authenticated by a shared bearer token
 * (SWITCHBOARD_DEPLOY_TOKEN), compared in constant time; a client address with too many wrong tokens
 * is refused for a while (429) before its token is even looked at. The body is validated with zod and
 * every bad field named; the service must be in the catalog under its exact name or ref (never a
 * fuzzy match).
 */
import { deploymentInput, type DeploymentLog } from '../deployments/index.js';
import { bearerMatches } from './bearer.js';
import { json, readBody } from './body.js';
import { failureLimiter, type FailureLimiter } from './rate-limit.js';
import type { Metrics } from './metrics.js';
import type { Route } from './server.js';

const MAX_BODY = 64 * 1024;

export interface DeploymentsRouteOptions {
  /** Unset: the endpoint answers 503 and says how to enable it. */
  token: string | undefined;
  deployments: Pick<DeploymentLog, 'record'>;
  /** The canonical ref of an exact component name or ref, or null when the catalog has none. */
  serviceRef(nameOrRef: string): string | null;
  /** Wrong tokens per client address; default: 10 a minute. */
  limiter?: FailureLimiter;
  /** Counts refused tokens (401) and refused clients (429) in switchboard_deploy_auth_refused_total. */
  metrics?: Pick<Metrics, 'inc'>;
}

/** Ten wrong tokens a minute from one address: enough for a misconfigured CI to see its 401s, far too few to guess. */
export const DEPLOY_FAILURES = { max: 10, windowMs: 60_000 };

export function deploymentsRoute(options: DeploymentsRouteOptions): Route {
  const limiter = options.limiter ?? failureLimiter(DEPLOY_FAILURES);
  const refused = (reason: 'bad_token' | 'rate_limited') =>
    options.metrics?.inc(
      'switchboard_deploy_auth_refused_total',
      'POST /api/deployments refused for a wrong token (bad_token) or too many of them (rate_limited)',
      { reason },
    );
  return async (req, res) => {
    if (!options.token) {
      json(res, 503, { error: 'disabled', message: 'Set SWITCHBOARD_DEPLOY_TOKEN to accept deployments.' });
      return;
    }
    // The socket's address, not X-Forwarded-For: a header is the client's to choose.
    const client = req.socket.remoteAddress ?? 'unknown';
    const waitMs = limiter.retryAfterMs(client);
    if (waitMs > 0) {
      refused('rate_limited');
      const seconds = Math.ceil(waitMs / 1000);
      res.setHeader('retry-after', String(seconds));
      json(res, 429, { error: 'rate_limited', message: `Too many wrong tokens from ${client}; try again in ${seconds} s.` });
      return;
    }
    if (!bearerMatches(req, options.token)) {
      limiter.fail(client);
      refused('bad_token');
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
    json(res, 201, await options.deployments.record(ref, parsed.data));
  };
}
