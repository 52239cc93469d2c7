/**
 * The outbound Bot Framework Connector client: send, reply, update, delete, open a 1:1, read the roster.
 *
 * Retries follow Teams' documented guidance ("Status codes from bot conversational APIs", "Optimize your
 * bot with rate limiting"): 412, 429, 502, 503 and 504 are retried with exponential backoff and random
 * jitter, and a 429's Retry-After is honoured; every other status is final. A 401 gets one fresh token and
 * one more try (a token can be revoked before its expiry). Network failures and timeouts are not retried:
 * a POST that timed out may have been delivered, and a second send would post the message twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

/** What the Connector answers for a person in a conversation; `aadObjectId` whichever spelling Teams used. */
export interface TeamsMember {
  id: string;
  name?: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
  givenName?: string;
  surname?: string;
  tenantId?: string;
  userRole?: string;
}

/** A Bot Framework activity as sent; only `type` is required by the Connector. */
export type OutboundActivity = { readonly type: string };

export interface ConnectorOptions {
  token: () => Promise<string>;
  /** Drops the cached token; called once when the Connector answers 401 (see BotTokenSource.invalidate). */
  invalidateToken?: () => void;
  logger?: Logger;
  /** Retries after the first attempt, for retryable statuses. */
  retries?: number;
  /** A Retry-After longer than this is not waited out: the error is thrown with retryAfterMs for the caller to schedule. */
  maxRetryAfterMs?: number;
  /** Per request. */
  timeoutMs?: number;
  /** The first backoff; doubled each retry, ±20% jitter, capped at 20 s (the shape of Microsoft's backoff example). */
  baseDelayMs?: number;
  /** pagedmembers page size; Teams allows 50–500. */
  membersPageSize?: number;
  fetch?: typeof fetch;
}

export interface Connector {
  send(serviceUrl: string, conversationId: string, activity: OutboundActivity): Promise<{ id: string }>;
  reply(serviceUrl: string, conversationId: string, replyToId: string, activity: OutboundActivity): Promise<{ id: string }>;
  update(serviceUrl: string, conversationId: string, activityId: string, activity: OutboundActivity): Promise<{ id: string }>;
  remove(serviceUrl: string, conversationId: string, activityId: string): Promise<void>;
  /** Opens (or finds) the bot's 1:1 with a user; `userId` is a `29:` id or an AAD object id. */
  createConversation(serviceUrl: string, params: { tenantId: string; userId: string; botId: string }): Promise<{ id: string }>;
  member(serviceUrl: string, conversationId: string, userId: string): Promise<TeamsMember>;
  /** Every member, page by page (the non-paged roster call is deprecated for large teams). */
  members(serviceUrl: string, conversationId: string): Promise<TeamsMember[]>;
}

/**
 * A Connector call that failed. `code` is Teams' error code ('MessageWritesBlocked', 'ConversationNotFound',
 * 'MessageSizeTooBig', 'Throttled', …), or ours: 'BadServiceUrl', 'Timeout', 'NetworkError', 'BadResponse',
 * or `HTTP<status>` when Teams gave none.
 */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    message: string,
    /** 0 when no HTTP answer came. */
    readonly status: number,
    readonly code: string,
    /** What Retry-After asked for, when the call was refused with one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const RETRYABLE = new Set([412, 429, 502, 503, 504]);
const MAX_BACKOFF_MS = 20_000;

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Teams' error code from an error body: `{ error: { code } }` for most answers, but the documented 403 for
 * a blocked bot is `{ errorCode: 209, message: "<JSON with subCode>" }`.
 */
function errorOf(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const { error, message } = body as { error?: { code?: unknown; message?: unknown }; message?: unknown };
  if (typeof error?.code === 'string') return { code: error.code, message: typeof error.message === 'string' ? error.message : undefined };
  if (typeof message === 'string') {
    try {
      const nested = JSON.parse(message) as { subCode?: unknown; details?: unknown };
      if (typeof nested.subCode === 'string') return { code: nested.subCode, message: typeof nested.details === 'string' ? nested.details : undefined };
    } catch {
      // A plain message, like the 401's "Authorization has been denied for this request."
    }
    return { message };
  }
  return {};
}

function baseUrl(serviceUrl: string): string {
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    throw new ConnectorError(`serviceUrl ${JSON.stringify(serviceUrl)} is not a URL`, 0, 'BadServiceUrl');
  }
  // The bot's token goes wherever serviceUrl points: only plain http(s) bases, nothing a path join could bend.
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    throw new ConnectorError(`serviceUrl ${JSON.stringify(serviceUrl)} is not an http(s) base URL`, 0, 'BadServiceUrl');
  }
  return serviceUrl.replace(/\/+$/, '');
}

const conversationPath = (conversationId: string) => `/v3/conversations/${encodeURIComponent(conversationId)}`;

export function createConnector(options: ConnectorOptions): Connector {
  const { logger, retries = 4, maxRetryAfterMs = 30_000, timeoutMs = 10_000, baseDelayMs = 500, membersPageSize = 500 } = options;
  const doFetch = options.fetch ?? fetch;

  const backoff = (attempt: number) => Math.min(MAX_BACKOFF_MS, baseDelayMs * 2 ** attempt) * (0.8 + Math.random() * 0.4);

  async function call<T>(method: string, serviceUrl: string, path: string, body?: unknown): Promise<T> {
    const url = `${baseUrl(serviceUrl)}${path}`;
    const what = `${method} ${path}`;
    let attempt = 0;
    let reauthorised = false;
    for (;;) {
      const token = await options.token();
      let res: Response;
      try {
        res = await doFetch(url, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        const detail = err instanceof Error ? err.message : String(err);
        throw new ConnectorError(
          `Teams connector ${what}: ${timedOut ? `no answer within ${timeoutMs} ms` : detail}`,
          0,
          timedOut ? 'Timeout' : 'NetworkError',
        );
      }
      const text = await res.text().catch(() => '');
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (res.ok) return parsed as T;

      if (res.status === 401 && !reauthorised) {
        reauthorised = true;
        options.invalidateToken?.();
        logger?.warn({ method, path, status: 401 }, 'Teams connector refused the token; retrying once with a fresh one');
        continue;
      }
      const { code = `HTTP${res.status}`, message = res.statusText } = errorOf(parsed);
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      const error = new ConnectorError(`Teams connector ${what} answered ${res.status} ${code}: ${message}`, res.status, code, retryAfterMs);
      if (!RETRYABLE.has(res.status) || attempt >= retries) throw error;
      if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) throw error;
      // Retry-After is a floor; a little jitter on top keeps many callers from returning in the same instant.
      const delayMs = Math.round(retryAfterMs !== undefined ? retryAfterMs * (1 + Math.random() * 0.1) : backoff(attempt));
      attempt += 1;
      logger?.warn({ method, path, status: res.status, code, attempt, delayMs }, 'Teams connector call retried');
      await sleep(delayMs);
    }
  }

  const resourceId = (what: string, answer: unknown): { id: string } => {
    const id = (answer as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' || id === '') throw new ConnectorError(`Teams connector ${what}: the answer has no id`, 200, 'BadResponse');
    return { id };
  };

  const member = (raw: Record<string, unknown>): TeamsMember => {
    const { objectId, aadObjectId, ...rest } = raw;
    const id = typeof aadObjectId === 'string' ? aadObjectId : typeof objectId === 'string' ? objectId : undefined;
    return { ...(rest as unknown as TeamsMember), ...(id ? { aadObjectId: id } : {}) };
  };

  return {
    send: async (serviceUrl, conversationId, activity) =>
      resourceId('send', await call('POST', serviceUrl, `${conversationPath(conversationId)}/activities`, activity)),
    reply: async (serviceUrl, conversationId, replyToId, activity) =>
      resourceId('reply', await call('POST', serviceUrl, `${conversationPath(conversationId)}/activities/${encodeURIComponent(replyToId)}`, activity)),
    update: async (serviceUrl, conversationId, activityId, activity) => {
      const answer = await call<{ id?: unknown } | undefined>(
        'PUT',
        serviceUrl,
        `${conversationPath(conversationId)}/activities/${encodeURIComponent(activityId)}`,
        activity,
      );
      // Teams answers the id; an empty 200 still means the message was replaced.
      return typeof answer?.id === 'string' ? { id: answer.id } : { id: activityId };
    },
    remove: async (serviceUrl, conversationId, activityId) => {
      await call('DELETE', serviceUrl, `${conversationPath(conversationId)}/activities/${encodeURIComponent(activityId)}`);
    },
    createConversation: async (serviceUrl, { tenantId, userId, botId }) =>
      resourceId(
        'createConversation',
        await call('POST', serviceUrl, '/v3/conversations', {
          bot: { id: botId },
          members: [{ id: userId }],
          channelData: { tenant: { id: tenantId } },
          isGroup: false,
        }),
      ),
    member: async (serviceUrl, conversationId, userId) =>
      member(await call<Record<string, unknown>>('GET', serviceUrl, `${conversationPath(conversationId)}/members/${encodeURIComponent(userId)}`)),
    members: async (serviceUrl, conversationId) => {
      const all: TeamsMember[] = [];
      let continuationToken: string | undefined;
      do {
        const query = new URLSearchParams({ pageSize: String(membersPageSize), ...(continuationToken ? { continuationToken } : {}) });
        const page = await call<{ members?: Record<string, unknown>[]; continuationToken?: unknown }>(
          'GET',
          serviceUrl,
          `${conversationPath(conversationId)}/pagedmembers?${query}`,
        );
        all.push(...(page?.members ?? []).map(member));
        continuationToken = typeof page?.continuationToken === 'string' && page.continuationToken !== '' ? page.continuationToken : undefined;
      } while (continuationToken);
      return all;
    },
  };
}
