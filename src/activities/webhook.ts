/**
 * The `webhook` executor's I/O: sign and POST a step's inputs to an endpoint, and poll a status URL
 * until the endpoint says it is done. Plain async functions; the Temporal activity around them maps a
 * HookError to a retryable or non-retryable failure. Requests are signed as ./webhook-signing.ts says.
 */
import { z } from 'zod';
import { IDEMPOTENCY_HEADER, signBody } from './webhook-signing.js';

// Callers take the signing helpers from here too.
export { type Headers, headerValue, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER, verifySignature } from './webhook-signing.js';

/** Per request, unless the caller says otherwise. */
const REQUEST_TIMEOUT_MS = 10_000;
/** A response body larger than this is not read: an outcome travels through Temporal (2 MB payloads). */
const MAX_BODY_BYTES = 1_048_576;
const SNIPPET_CHARS = 200;

export class HookError extends Error {
  override readonly name = 'HookError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export const hookOutcomeSchema = z.object({
  status: z.enum(['succeeded', 'failed', 'running']),
  message: z.string().optional(),
  output: z.record(z.string(), z.unknown()).optional(),
});

export interface HookOutcome {
  status: 'succeeded' | 'failed';
  message?: string;
  output?: Record<string, unknown>;
}

/** Where a request went, for messages: without user:password, which may be a credential. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** Defence in depth: a receiver echoing the secret back must not put it in a log or a chat thread. */
function redact(text: string, secret: string): string {
  return secret.length >= 4 ? text.split(secret).join('[redacted]') : text;
}

function describeDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms} ms`;
}

/** Why fetch failed, in words: the errno of the cause (ECONNREFUSED, ENOTFOUND) or a timeout. */
function networkProblem(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no response within ${describeDuration(timeoutMs)}`;
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** The body as text, at most MAX_BODY_BYTES; null when it is larger. */
async function readBody(res: Response): Promise<string | null> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A final or running outcome when the body is one, else null (empty, not JSON, another shape). */
function parseOutcome(text: string): z.output<typeof hookOutcomeSchema> | null {
  if (text.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = hookOutcomeSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

function finalOutcome(o: z.output<typeof hookOutcomeSchema>): HookOutcome | null {
  if (o.status === 'running') return null;
  const outcome: HookOutcome = { status: o.status };
  if (o.message !== undefined) outcome.message = o.message;
  if (o.output !== undefined) outcome.output = o.output;
  return outcome;
}

/** 408 and 429 ask to come back later, and a 5xx may pass; any other 4xx will fail again. */
const retryableStatus = (status: number) => status >= 500 || status === 408 || status === 429;

interface Exchange {
  url: string;
  secret: string;
  method: 'GET' | 'POST';
  body: string;
  idempotencyKey: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * One signed request. Resolves with the status and the body text; rejects with a HookError for a
 * network failure, a timeout or a body too large, or with the caller's abort reason.
 */
async function exchange(x: Exchange): Promise<{ status: number; text: string | null }> {
  const headers: Record<string, string> = { ...signBody(x.secret, x.body), [IDEMPOTENCY_HEADER]: x.idempotencyKey, accept: 'application/json' };
  if (x.method === 'POST') headers['content-type'] = 'application/json';
  const timeout = AbortSignal.timeout(x.timeoutMs);
  const signal = x.signal ? AbortSignal.any([x.signal, timeout]) : timeout;
  try {
    // A redirect is reported rather than followed: fetch would turn the POST into a GET and drop the body.
    const res = await fetch(x.url, { method: x.method, headers, body: x.method === 'POST' ? x.body : undefined, redirect: 'manual', signal });
    return { status: res.status, text: await readBody(res) };
  } catch (err) {
    if (x.signal?.aborted) throw x.signal.reason;
    throw new HookError(redact(`${x.method} ${shown(x.url)} failed: ${networkProblem(err, x.timeoutMs)}`, x.secret), true);
  }
}

function requireSecret(secret: string, url: string): void {
  if (secret === '') throw new HookError(`no secret to sign the request to ${shown(url)} with; is the step's secretEnv set?`, false);
}

/**
 * POSTs `body` as signed JSON with an idempotency key (the endpoint should treat a repeat as the same
 * request: Temporal retries). A 2xx carrying a final outcome returns it; any other 2xx means the work
 * was accepted and completion comes later, by callback or polling.
 */
export async function postHook(opts: {
  url: string;
  secret: string;
  body: Record<string, unknown>;
  idempotencyKey: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}): Promise<{ status: number; outcome: HookOutcome | 'accepted' }> {
  requireSecret(opts.secret, opts.url);
  const { url, secret } = opts;
  const { status, text } = await exchange({
    url,
    secret,
    method: 'POST',
    body: JSON.stringify(opts.body),
    idempotencyKey: opts.idempotencyKey,
    timeoutMs: opts.timeoutMs ?? REQUEST_TIMEOUT_MS,
  });
  const fail = (why: string, retryable: boolean): never => {
    throw new HookError(redact(`POST ${shown(url)} ${why}`, secret), retryable);
  };
  if (status >= 200 && status < 300) {
    if (text === null) return fail(`answered ${status} with a body larger than ${MAX_BODY_BYTES} bytes`, false);
    const parsed = parseOutcome(text);
    return { status, outcome: (parsed && finalOutcome(parsed)) ?? 'accepted' };
  }
  if (status >= 300 && status < 400) return fail(`answered ${status}, a redirect; put the final URL in the action`, false);
  const snippet = (text ?? '').slice(0, SNIPPET_CHARS).trim();
  return fail(`answered ${status}${snippet ? `: ${snippet}` : ''}`, retryableStatus(status));
}

/** Resolves after `ms`, or rejects with the abort reason as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls `url?id=<idempotencyKey>` (a signed GET over the empty body) every `everyMs` until it reports
 * succeeded or failed. A 5xx, 408, 429, network error or unreadable answer is tolerated until the
 * next tick; a redirect or any other 4xx fails at once. After `timeoutMs` it fails, naming the last
 * answer. An abort rejects with the signal's reason, so a Temporal cancellation stays a cancellation.
 */
export async function pollHook(opts: {
  url: string;
  secret: string;
  idempotencyKey: string;
  everyMs: number;
  timeoutMs: number;
  heartbeat?: (detail: unknown) => void;
  signal?: AbortSignal;
}): Promise<HookOutcome> {
  requireSecret(opts.secret, opts.url);
  const { secret, signal } = opts;
  let target: URL;
  try {
    target = new URL(opts.url);
  } catch {
    throw new HookError(`${opts.url} is not a URL`, false);
  }
  target.searchParams.set('id', opts.idempotencyKey);
  const url = target.toString();
  const deadline = Date.now() + opts.timeoutMs;
  let polls = 0;
  let lastStatus: string | undefined;
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    const timeoutMs = Math.max(1, Math.min(REQUEST_TIMEOUT_MS, deadline - Date.now()));
    polls++;
    try {
      const { status, text } = await exchange({ url, secret, method: 'GET', body: '', idempotencyKey: opts.idempotencyKey, timeoutMs, signal });
      const parsed = status >= 200 && status < 300 && text !== null ? parseOutcome(text) : null;
      if (parsed) {
        const outcome = finalOutcome(parsed);
        if (outcome) return outcome;
        lastStatus = parsed.status;
      } else if (status >= 200 && status < 300) {
        lastStatus = `HTTP ${status} without a status`;
      } else if (status >= 300 && !retryableStatus(status)) {
        const snippet = (text ?? '').slice(0, SNIPPET_CHARS).trim();
        throw new HookError(redact(`GET ${shown(url)} answered ${status}${snippet ? `: ${snippet}` : ''}`, secret), false);
      } else {
        lastStatus = `HTTP ${status}`;
      }
    } catch (err) {
      if (!(err instanceof HookError) || !err.retryable) throw err;
      // A poll cut short by the step's own deadline is no answer: the last real answer is what to name.
      if (!(Date.now() >= deadline && polls > 1)) lastStatus = err.message;
    }
    opts.heartbeat?.({ polls, lastStatus: lastStatus ?? 'no answer' });
    // No poll right at the deadline: it would have no time to answer.
    await sleep(Math.max(0, Math.min(opts.everyMs, deadline - Date.now())), signal);
    if (Date.now() >= deadline) {
      throw new HookError(
        redact(`${shown(url)} did not finish within ${describeDuration(opts.timeoutMs)} (${polls} polls; last: ${lastStatus})`, secret),
        false,
      );
    }
  }
}
