/**
 * How Switchboard signs what it sends a webhook receiver, and checks what is signed that way. Mirrors
 * Slack's scheme with a `v1` prefix: `v1=` + hex HMAC-SHA256(secret, `v1:<unix seconds>:<raw body>`).
 * Callbacks coming back are signed v2, which also binds the path, request id and step
 * (src/http/callback-signature.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-switchboard-signature';
export const TIMESTAMP_HEADER = 'x-switchboard-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

function digest(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`v1:${timestamp}:${body}`).digest('hex');
}

/** The two signature headers for `body`, timestamped `now` (default: the current time). */
export function signBody(secret: string, body: string, now: Date = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `v1=${digest(secret, timestamp, body)}` };
}

export type Headers = Record<string, string | string[] | undefined>;

/** A header by name, whatever its case; repeated headers are refused rather than guessed between. */
export function headerValue(headers: Headers, name: string): string | { problem: string } {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  const one = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
  if (Array.isArray(value) && value.length > 1) return { problem: `${name} is given more than once` };
  if (one === undefined || one === '') return { problem: `the ${name} header is missing` };
  return one;
}

/**
 * The timestamp and signature headers of a signed request (v1 here, v2 for callbacks), or why they are
 * unusable: no secret to check with, a header missing or repeated, a timestamp that is not Unix seconds.
 */
export function signedHeaders(secret: string, headers: Headers): { timestamp: string; signature: string } | { problem: string } {
  if (secret === '') return { problem: 'no secret is configured to check the signature with' };
  const timestamp = headerValue(headers, TIMESTAMP_HEADER);
  if (typeof timestamp !== 'string') return timestamp;
  const signature = headerValue(headers, SIGNATURE_HEADER);
  if (typeof signature !== 'string') return signature;
  if (!/^\d{1,12}$/.test(timestamp)) return { problem: `${TIMESTAMP_HEADER} must be a Unix time in seconds` };
  return { timestamp, signature };
}

/**
 * Checks a request signed by signBody: the timestamp must be within `toleranceSec` of `now` either
 * way (a replayed request is refused), and the signature is compared in constant time.
 */
export function verifySignature(
  secret: string,
  headers: Headers,
  rawBody: string,
  now: Date = new Date(),
  toleranceSec = 300,
): { ok: true } | { ok: false; reason: string } {
  const signed = signedHeaders(secret, headers);
  if ('problem' in signed) return { ok: false, reason: signed.problem };
  const { timestamp, signature } = signed;
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp));
  if (skew > toleranceSec) {
    return { ok: false, reason: `the timestamp is ${skew} s away from now (more than ${toleranceSec} s): a replayed request or a wrong clock` };
  }
  const m = /^v1=([0-9a-f]{64})$/i.exec(signature);
  if (!m) return { ok: false, reason: `${SIGNATURE_HEADER} must be v1= followed by a hex HMAC-SHA256` };
  const given = Buffer.from(m[1] as string, 'hex');
  const expected = Buffer.from(digest(secret, timestamp, rawBody), 'hex');
  if (!timingSafeEqual(given, expected)) return { ok: false, reason: 'the signature does not match the body (wrong secret, or the body was changed)' };
  return { ok: true };
}
