/**
 * The signature of a webhook callback (POST /api/callbacks/<request id>/<step>), scheme v2. Switchboard's
 * own calls to a receiver are signed over the body alone (v1, src/activities/webhook.ts); a callback's
 * signature also binds what the callback finishes (method, path, request id, step), so a callback
 * signed for one step or request cannot be sent to another:
 *
 *   x-switchboard-timestamp: <unix seconds>
 *   x-switchboard-signature: v2=<hex HMAC-SHA256(secret, base)>
 *   base = "v2\n<timestamp>\n<METHOD>\n<path>\n<request id>\n<step>\n<raw body>"
 *
 * `path` is the path of the callbackUrl Switchboard handed out, request id and step percent-encoded as
 * encodeURIComponent does, and its `?run=<run id>` query
 * (`/api/callbacks/provision%2Fpayments-api%2Fpostgres%2Fproduction/provision?run=7c1e…`), behind the path
 * of SWITCHBOARD_PUBLIC_URL when it has one. docs/actions-format.md, "Callbacks".
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Headers, SIGNATURE_HEADER, signedHeaders, TIMESTAMP_HEADER } from '../activities/webhook-signing.js';

export const CALLBACK_PREFIX = '/api/callbacks/';
/** Either way from now: older is a replay, newer a forged or wrong clock. */
export const CALLBACK_TOLERANCE_SEC = 300;

export interface CallbackTarget {
  method: string;
  /** The path as signed (see above). */
  path: string;
  workflowId: string;
  step: string;
  /** The workflow run the callback URL was handed out for (`?run=`); absent in URLs from before runs were bound. */
  run?: string;
}

/** The request id and step of a callback path (`<base>/api/callbacks/<request id>/<step>`), or null. */
export function parseCallbackPath(pathname: string): { base: string; workflowId: string; step: string } | null {
  const at = pathname.indexOf(CALLBACK_PREFIX);
  if (at < 0) return null;
  const rest = pathname.slice(at + CALLBACK_PREFIX.length);
  const slash = rest.lastIndexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return null;
  try {
    // The request id may come encoded (as handed out) or with its slashes written out.
    return { base: pathname.slice(0, at), workflowId: decodeURIComponent(rest.slice(0, slash)), step: decodeURIComponent(rest.slice(slash + 1)) };
  } catch {
    return null;
  }
}

/**
 * The signed target of a callback to `workflowId`/`step` behind `base` (the public URL's path, '' at the
 * root). With `run`, the path ends in `?run=<run id>`: the signature then names one run, so a callback
 * captured from an earlier run of the same request id cannot finish a later one.
 */
export function callbackTarget(base: string, workflowId: string, step: string, run?: string): CallbackTarget {
  const query = run ? `?run=${encodeURIComponent(run)}` : '';
  return {
    method: 'POST',
    path: `${base.replace(/\/$/, '')}${CALLBACK_PREFIX}${encodeURIComponent(workflowId)}/${encodeURIComponent(step)}${query}`,
    workflowId,
    step,
    ...(run && { run }),
  };
}

/** The run a callback URL names (`?run=`), if any. */
export function callbackRun(url: string): string | undefined {
  return new URL(url, 'http://callback.invalid').searchParams.get('run') || undefined;
}

function digest(secret: string, t: CallbackTarget, timestamp: string, body: string): Buffer {
  return createHmac('sha256', secret).update(['v2', timestamp, t.method.toUpperCase(), t.path, t.workflowId, t.step, body].join('\n')).digest();
}

/** The two headers a receiver sends with `body` to `callbackUrl` (the URL from Switchboard's request). */
export function signCallback(secret: string, callbackUrl: string, body: string, now: Date = new Date()): Record<string, string> {
  const parsed = parseCallbackPath(new URL(callbackUrl).pathname);
  if (!parsed) throw new Error(`${callbackUrl} is not a callback URL (…/api/callbacks/<request id>/<step>)`);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const mac = digest(secret, callbackTarget(parsed.base, parsed.workflowId, parsed.step, callbackRun(callbackUrl)), timestamp, body);
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `v2=${mac.toString('hex')}` };
}

export type CallbackCheck = { ok: true; signature: string } | { ok: false; reason: string };

/**
 * Checks a callback signed by signCallback for `target`: the timestamp within CALLBACK_TOLERANCE_SEC of
 * `now` either way, the signature compared in constant time. `signature` (on success) names this exact
 * request, so the caller can refuse it a second time.
 */
export function verifyCallback(secret: string, headers: Headers, target: CallbackTarget, rawBody: string, now: Date = new Date()): CallbackCheck {
  const signed = signedHeaders(secret, headers);
  if ('problem' in signed) return { ok: false, reason: signed.problem };
  const { timestamp, signature } = signed;
  const age = Math.floor(now.getTime() / 1000) - Number(timestamp);
  if (age > CALLBACK_TOLERANCE_SEC)
    return { ok: false, reason: `the timestamp is ${age} s old (more than ${CALLBACK_TOLERANCE_SEC} s): a replayed request or a wrong clock` };
  if (-age > CALLBACK_TOLERANCE_SEC)
    return { ok: false, reason: `the timestamp is ${-age} s in the future (more than ${CALLBACK_TOLERANCE_SEC} s): a wrong clock` };
  if (/^v1=/i.test(signature))
    return {
      ok: false,
      reason: `callbacks are signed with v2 (method, path, request id, step, timestamp and body), not v1: see docs/actions-format.md, "Callbacks"`,
    };
  const m = /^v2=([0-9a-f]{64})$/i.exec(signature);
  if (!m) return { ok: false, reason: `${SIGNATURE_HEADER} must be v2= followed by a hex HMAC-SHA256` };
  const given = Buffer.from(m[1] as string, 'hex');
  if (!timingSafeEqual(given, digest(secret, target, timestamp, rawBody))) {
    return { ok: false, reason: 'the signature does not match this callback (wrong secret, another request or step, or the body was changed)' };
  }
  return { ok: true, signature: given.toString('hex') };
}
