/**
 * Test support: a loopback stand-in for PagerDuty, the REST API v2 parts Switchboard reads and the Events
 * API v2 it pages through, on one server (point PAGERDUTY_API_URL and PAGERDUTY_EVENTS_URL at `url`).
 *
 * REST, as documented: `Authorization: Token token=<t>` (anything else 401), `Accept:
 * application/vnd.pagerduty+json;version=2`; `GET /services/{id}` (`include[]=integrations` expands the
 * integrations with their keys, `include[]=escalation_policies` the policy), `GET /services?query=`
 * (matches a name, or an integration key as Backstage's PagerDuty plugin relies on), `GET /oncalls`
 * (`escalation_policy_ids[]`, `time_zone` for the times written, `earliest`, `include[]=users`,
 * offset/limit paging with `more`; default limit 25, at most 100), `GET /users/{id}`. Errors are
 * `{error: {message, code}}` (2006 authentication failed, 2100 not found, 2001 invalid input, 2020 rate
 * limit). Each token has `rateLimitPerMinute` requests (960, PagerDuty's figure) per minute of the
 * emulator's clock; past it 429 with `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset`
 * (seconds to the window's end) headers, and `retry-after` with the same figure.
 *
 * Events v2: `POST /v2/enqueue` checks routing_key (32 characters, an integration key of some service),
 * event_action (trigger | acknowledge | resolve), a trigger's payload (summary ≤ 1024 characters,
 * source, severity critical | error | warning | info) and an acknowledge's or resolve's dedup_key;
 * answers 202 `{status: "success", message: "Event processed", dedup_key}`, 400 `{status: "invalid
 * event", message: "Event object is invalid", errors}`, 429 past `eventsPerMinute` (120) per routing key.
 * Accepted events are recorded in `events`.
 *
 * Test controls: the clock, the account (users, schedules with overrides, policies, services), forced
 * failures (`fail`), a dead server (`die('hang')`: accepts and never answers; `die('closed')`: the port
 * refuses), and every request in `requests`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTimeZone, notify, readBody, serveOnLoopback, waitIn, type Waiter } from './emulator-support.js';
import { inZone, onCallsAt, type PdAccount, type PdOnCallEntry, type PdService, type PdUser } from './pagerduty-emulator-model.js';

export * from './pagerduty-emulator-model.js';

export interface PagerDutyEmulatorOptions {
  token?: string;
  account?: Partial<PdAccount>;
  /** The emulator's "now"; default the real clock. */
  now?: () => Date;
  /** REST requests per token per minute; default 960. */
  rateLimitPerMinute?: number;
  /** Events per routing key per minute; default 120. */
  eventsPerMinute?: number;
}

export interface PagerDutyRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  at: number;
}

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: { summary: string; source: string; severity: string; custom_details?: unknown; [key: string]: unknown };
  /** The service the routing key belongs to. */
  serviceId: string;
  [key: string]: unknown;
}

export interface PagerDutyEmulator {
  url: string;
  token: string;
  account: PdAccount;
  requests: PagerDutyRequest[];
  events: PagerDutyEvent[];
  /** REST requests (not events) that reached a handler, whatever they answered. */
  restCalls(): number;
  /** The service an integration (routing) key belongs to, as PagerDuty resolves it; null when none. */
  serviceForIntegrationKey(key: string): PdService | null;
  /** The next `times` (default 1) requests whose path starts with `pathPrefix` (default any) answer `status`. */
  fail(status: number, options?: { times?: number; pathPrefix?: string; retryAfterSeconds?: number }): void;
  /** Stops answering: `hang` keeps accepting and never responds, `closed` closes the port. */
  die(mode: 'hang' | 'closed'): Promise<void>;
  waitForRequest(match: (r: PagerDutyRequest) => boolean, timeoutMs?: number): Promise<PagerDutyRequest>;
  waitForEvent(match: (e: PagerDutyEvent) => boolean, timeoutMs?: number): Promise<PagerDutyEvent>;
  close(): Promise<void>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const ACTIONS = ['trigger', 'acknowledge', 'resolve'];

export async function startPagerDutyEmulator(options: PagerDutyEmulatorOptions = {}): Promise<PagerDutyEmulator> {
  const token = options.token ?? `u+${randomBytes(12).toString('base64url')}`;
  const now = options.now ?? (() => new Date());
  const perMinute = options.rateLimitPerMinute ?? 960;
  const eventsPerMinute = options.eventsPerMinute ?? 120;
  const account: PdAccount = {
    users: options.account?.users ?? [],
    schedules: options.account?.schedules ?? [],
    escalationPolicies: options.account?.escalationPolicies ?? [],
    services: options.account?.services ?? [],
  };
  const requests: PagerDutyRequest[] = [];
  const events: PagerDutyEvent[] = [];
  const requestWaiters = new Set<Waiter<PagerDutyRequest>>();
  const eventWaiters = new Set<Waiter<PagerDutyEvent>>();
  const failures: { status: number; times: number; pathPrefix: string; retryAfterSeconds: number }[] = [];
  /** Fixed one-minute windows of the emulator's clock, per token / routing key. */
  const windows = new Map<string, { start: number; count: number }>();
  let restCalls = 0;
  let dead: 'hang' | null = null;

  const take = (key: string, limit: number): { ok: boolean; remaining: number; resetSeconds: number } => {
    const t = now().getTime();
    let w = windows.get(key);
    if (!w || t - w.start >= 60_000) windows.set(key, (w = { start: t, count: 0 }));
    const resetSeconds = Math.max(1, Math.ceil((w.start + 60_000 - t) / 1000));
    if (w.count >= limit) return { ok: false, remaining: 0, resetSeconds };
    w.count++;
    return { ok: true, remaining: limit - w.count, resetSeconds };
  };

  const serviceForKey = (key: string) => account.services.find((s) => s.integrations?.some((i) => i.integration_key === key)) ?? null;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const record = (status: number) => {
      const r: PagerDutyRequest = { method, path: url.pathname, query: url.searchParams, status, at: Date.now() };
      requests.push(r);
      notify(requestWaiters, r);
    };
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      record(status);
      send(res, status, body, headers);
    };
    const forced = failures.find((f) => f.times > 0 && url.pathname.startsWith(f.pathPrefix));
    if (method === 'POST' && url.pathname === '/v2/enqueue') return enqueue(await readBody(req), reply, forced);

    restCalls++;
    const pdError = (status: number, message: string, code: number, headers?: Record<string, string>) => reply(status, { error: { message, code } }, headers);
    if (req.headers.authorization !== `Token token=${token}`) return pdError(401, 'Authentication failed', 2006);
    const limit = take(`token:${token}`, perMinute);
    const limitHeaders = {
      'ratelimit-limit': String(perMinute),
      'ratelimit-remaining': String(limit.remaining),
      'ratelimit-reset': String(limit.resetSeconds),
    };
    if (!limit.ok) return pdError(429, 'Rate Limit Exceeded', 2020, { ...limitHeaders, 'retry-after': String(limit.resetSeconds) });
    if (forced) {
      forced.times--;
      if (forced.status === 429) {
        const h = {
          ...limitHeaders,
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(forced.retryAfterSeconds),
          'retry-after': String(forced.retryAfterSeconds),
        };
        return pdError(429, 'Rate Limit Exceeded', 2020, h);
      }
      if (forced.status === 401) return pdError(401, 'Authentication failed', 2006);
      if (forced.status === 404) return pdError(404, 'Not Found', 2100);
      return pdError(forced.status, 'Internal Server Error', 2000);
    }
    if (method !== 'GET') return pdError(404, 'Not Found', 2100);
    const q = url.searchParams;
    const timeZone = q.get('time_zone') ?? 'UTC';
    if (!isTimeZone(timeZone)) return pdError(400, 'Invalid Input Provided', 2001, undefined);
    const includes = q.getAll('include[]');
    const ok = (body: unknown) => reply(200, body, limitHeaders);

    const serviceMatch = /^\/services\/([^/]+)$/.exec(url.pathname);
    if (serviceMatch) {
      const service = account.services.find((s) => s.id === decodeURIComponent(serviceMatch[1]!));
      if (!service) return pdError(404, 'Not Found', 2100);
      return ok({ service: serviceJson(service, includes) });
    }
    if (url.pathname === '/services') {
      const query = q.get('query');
      const matched = account.services.filter(
        (s) => !query || s.name.toLowerCase().includes(query.toLowerCase()) || s.integrations?.some((i) => i.integration_key === query),
      );
      const page = paged(q, matched);
      if ('error' in page) return pdError(400, page.error, 2001);
      return ok({ services: page.items.map((s) => serviceJson(s, includes)), limit: page.limit, offset: page.offset, more: page.more, total: null });
    }
    const userMatch = /^\/users\/([^/]+)$/.exec(url.pathname);
    if (userMatch) {
      const user = account.users.find((u) => u.id === decodeURIComponent(userMatch[1]!));
      if (!user) return pdError(404, 'Not Found', 2100);
      return ok({ user: userJson(user) });
    }
    if (url.pathname === '/oncalls') {
      const policyIds = q.getAll('escalation_policy_ids[]');
      // `since` (with `until`) asks about another instant; the emulator answers for `since`.
      const since = q.get('since');
      if (since && Number.isNaN(Date.parse(since))) return pdError(400, 'Invalid Input Provided: since', 2001);
      let entries = onCallsAt(account, since ? new Date(since) : now()).filter((e) => policyIds.length === 0 || policyIds.includes(e.policy.id));
      if (q.get('earliest') === 'true') {
        const seen = new Set<string>();
        entries = entries.filter((e) => {
          const key = `${e.policy.id}|${e.level}|${e.user.id}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
      }
      const page = paged(q, entries);
      if ('error' in page) return pdError(400, page.error, 2001);
      return ok({
        oncalls: page.items.map((e) => onCallJson(e, includes.includes('users'), timeZone)),
        limit: page.limit,
        offset: page.offset,
        more: page.more,
        total: null,
      });
    }
    return pdError(404, 'Not Found', 2100);
  }

  function enqueue(
    raw: string,
    reply: (status: number, body: unknown, headers?: Record<string, string>) => void,
    forced: (typeof failures)[number] | undefined,
  ) {
    const invalid = (errors: string[]) => reply(400, { status: 'invalid event', message: 'Event object is invalid', errors });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return reply(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Invalid JSON'] });
    }
    if (forced) {
      forced.times--;
      if (forced.status === 429)
        return reply(429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly.  Please retry later.' });
      return reply(forced.status, { status: 'error', message: 'Internal Server Error' });
    }
    const errors: string[] = [];
    const key = body.routing_key;
    if (typeof key !== 'string' || key.length !== 32) errors.push("'routing_key' is missing or invalid (must be 32 characters)");
    const action = body.event_action;
    if (typeof action !== 'string' || !ACTIONS.includes(action)) errors.push("'event_action' is missing or invalid");
    const payload = body.payload as Record<string, unknown> | undefined;
    if (action === 'trigger') {
      if (!payload || typeof payload !== 'object') errors.push("'payload' is missing or invalid");
      else {
        if (typeof payload.summary !== 'string' || !payload.summary.trim()) errors.push("'payload.summary' is missing or blank");
        else if (payload.summary.length > 1024) errors.push("'payload.summary' must be at most 1024 characters");
        if (typeof payload.source !== 'string' || !payload.source.trim()) errors.push("'payload.source' is missing or blank");
        if (typeof payload.severity !== 'string' || !SEVERITIES.includes(payload.severity))
          errors.push("'payload.severity' is invalid (must be one of critical, error, warning, info)");
      }
    } else if (typeof action === 'string' && ACTIONS.includes(action) && (typeof body.dedup_key !== 'string' || !body.dedup_key)) {
      errors.push("'dedup_key' is missing or blank");
    }
    if (errors.length) return invalid(errors);
    const service = serviceForKey(key as string);
    if (!service) return invalid(['Invalid routing key']);
    if (!take(`events:${key as string}`, eventsPerMinute).ok) {
      return reply(429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly.  Please retry later.' });
    }
    const dedupKey = typeof body.dedup_key === 'string' && body.dedup_key ? body.dedup_key : randomBytes(16).toString('hex');
    const event = { ...body, dedup_key: dedupKey, serviceId: service.id } as PagerDutyEvent;
    events.push(event);
    notify(eventWaiters, event);
    reply(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  }

  const base = () => served.url;
  const ref = (type: string, id: string, summary: string, path: string) => ({
    id,
    type,
    summary,
    self: `${base()}/${path}/${id}`,
    html_url: `https://emulator.pagerduty.com/${path}/${id}`,
  });
  const userJson = (u: PdUser) => ({ ...ref('user', u.id, u.name, 'users'), name: u.name, email: u.email, time_zone: u.time_zone ?? 'Etc/UTC' });
  function serviceJson(s: PdService, includes: string[]) {
    const policy = account.escalationPolicies.find((p) => p.id === s.escalationPolicyId);
    const policyRef = ref('escalation_policy_reference', s.escalationPolicyId, policy?.name ?? s.escalationPolicyId, 'escalation_policies');
    return {
      ...ref('service', s.id, s.name, 'services'),
      name: s.name,
      status: 'active',
      escalation_policy: includes.includes('escalation_policies') && policy ? { ...policyRef, type: 'escalation_policy', name: policy.name } : policyRef,
      integrations: (s.integrations ?? []).map((i) =>
        includes.includes('integrations')
          ? {
              ...ref('events_api_v2_inbound_integration', i.id, i.name ?? 'Events API v2', `services/${s.id}/integrations`),
              name: i.name ?? 'Events API v2',
              integration_key: i.integration_key,
            }
          : ref('events_api_v2_inbound_integration_reference', i.id, i.name ?? 'Events API v2', `services/${s.id}/integrations`),
      ),
    };
  }
  function onCallJson(e: PdOnCallEntry, withUsers: boolean, timeZone: string) {
    return {
      escalation_policy: ref('escalation_policy_reference', e.policy.id, e.policy.name, 'escalation_policies'),
      escalation_level: e.level,
      schedule: e.schedule ? ref('schedule_reference', e.schedule.id, e.schedule.name, 'schedules') : null,
      user: withUsers ? userJson(e.user) : ref('user_reference', e.user.id, e.user.name, 'users'),
      start: e.start ? inZone(e.start, timeZone) : null,
      end: e.end ? inZone(e.end, timeZone) : null,
    };
  }

  const served = await serveOnLoopback(
    handle,
    (err) => ({ error: { message: String(err), code: 2000 } }),
    () => dead !== 'hang',
  );
  const { close } = served;
  const url = base();
  return {
    url,
    token,
    account,
    requests,
    events,
    restCalls: () => restCalls,
    serviceForIntegrationKey: serviceForKey,
    fail(status, o = {}) {
      failures.push({ status, times: o.times ?? 1, pathPrefix: o.pathPrefix ?? '/', retryAfterSeconds: o.retryAfterSeconds ?? 1 });
    },
    async die(mode) {
      if (mode === 'hang') {
        dead = 'hang';
        return;
      }
      await close();
    },
    waitForRequest: (match, timeoutMs = 5_000) => waitIn(requests, requestWaiters, match, timeoutMs, 'the PagerDuty emulator saw no such request'),
    waitForEvent: (match, timeoutMs = 5_000) => waitIn(events, eventWaiters, match, timeoutMs, 'the PagerDuty emulator received no such event'),
    close,
  };
}

/** PagerDuty's classic paging: `offset` (default 0) and `limit` (default 25, at most 100), `more` when items follow. */
function paged<T>(q: URLSearchParams, all: T[]): { items: T[]; limit: number; offset: number; more: boolean } | { error: string } {
  const offset = q.has('offset') ? Number(q.get('offset')) : 0;
  const limit = q.has('limit') ? Number(q.get('limit')) : 25;
  if (!Number.isInteger(offset) || offset < 0) return { error: 'Invalid Input Provided: offset' };
  if (!Number.isInteger(limit) || limit < 1) return { error: 'Invalid Input Provided: limit' };
  const size = Math.min(limit, 100);
  return { items: all.slice(offset, offset + size), limit: size, offset, more: offset + size < all.length };
}
