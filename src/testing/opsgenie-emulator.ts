/**
 * Test support: a loopback stand-in for Opsgenie's REST API v2, the parts Switchboard reads and the alert
 * it pages with (point OPSGENIE_API_URL at `url`).
 *
 * As documented: `Authorization: GenieKey <key>` (anything else 401); every body carries `took` and
 * `requestId`; errors are `{message, took, requestId}` (422 adds `errors`). `GET /v2/teams/{identifier}`
 * (`identifierType=id|name`, default id), `GET /v2/schedules` (`expand=rotation` adds the rotations;
 * each schedule has `enabled` and `ownerTeam`), `GET /v2/schedules/{identifier}/on-calls`
 * (`scheduleIdentifierType=id|name`, `flat=true` gives `onCallRecipients` usernames, otherwise
 * `onCallParticipants`; `date` the instant asked about, default now), `GET
 * /v2/schedules/{identifier}/timeline` (`identifierType`, `date`, `interval`, `intervalUnit`:
 * `finalTimeline.rotations[].periods[]` with startDate/endDate and the recipient), `POST /v2/alerts`
 * (202 `{result: "Request will be processed", took, requestId}`; 422 without a message or with one over
 * 130 characters) and `GET /v2/alerts/requests/{requestId}`.
 *
 * Rate limits are per-minute buckets per API domain (`configuration` for teams and schedules, `alert`
 * for alerts), `bucketsPerMinute` each (default 600) on the emulator's clock. Each answer carries
 * `X-RateLimit-State: OK`; past a bucket, 429 with `X-RateLimit-State: THROTTLED`, `X-RateLimit-Reason`
 * and `X-RateLimit-Period-In-Sec` (the seconds until the bucket refills). Opsgenie sends no Retry-After.
 *
 * Test controls: the clock, the account, forced failures (`fail`), a dead server (`die`), requests.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTimeZone, notify, readBody, serveOnLoopback, waitIn, type Waiter } from './emulator-support.js';
import { periodsAt, type OgAccount, type OgSchedule } from './opsgenie-emulator-model.js';

export * from './opsgenie-emulator-model.js';

export interface OpsgenieEmulatorOptions {
  apiKey?: string;
  account?: Partial<OgAccount>;
  now?: () => Date;
  bucketsPerMinute?: number;
}

export interface OpsgenieRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  at: number;
}

export interface OpsgenieAlert {
  requestId: string;
  alertId: string;
  message: string;
  alias?: string;
  description?: string;
  responders?: { type: string; id?: string; name?: string; username?: string }[];
  details?: Record<string, string>;
  source?: string;
  priority?: string;
  user?: string;
  note?: string;
  [key: string]: unknown;
}

export interface OpsgenieEmulator {
  url: string;
  apiKey: string;
  account: OgAccount;
  requests: OpsgenieRequest[];
  alerts: OpsgenieAlert[];
  calls(): number;
  fail(status: number, options?: { times?: number; pathPrefix?: string; periodSeconds?: number }): void;
  die(mode: 'hang' | 'closed'): Promise<void>;
  waitForRequest(match: (r: OpsgenieRequest) => boolean, timeoutMs?: number): Promise<OpsgenieRequest>;
  waitForAlert(match: (a: OpsgenieAlert) => boolean, timeoutMs?: number): Promise<OpsgenieAlert>;
  close(): Promise<void>;
}

const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'];
const TOO_MANY = 'You are making too many requests! To avoid errors, we recommend you limit requests.';

export async function startOpsgenieEmulator(options: OpsgenieEmulatorOptions = {}): Promise<OpsgenieEmulator> {
  const apiKey = options.apiKey ?? randomUUID();
  const now = options.now ?? (() => new Date());
  const perMinute = options.bucketsPerMinute ?? 600;
  const account: OgAccount = { users: options.account?.users ?? [], teams: options.account?.teams ?? [], schedules: options.account?.schedules ?? [] };
  const requests: OpsgenieRequest[] = [];
  const alerts: OpsgenieAlert[] = [];
  const requestWaiters = new Set<Waiter<OpsgenieRequest>>();
  const alertWaiters = new Set<Waiter<OpsgenieAlert>>();
  const failures: { status: number; times: number; pathPrefix: string; periodSeconds: number }[] = [];
  const buckets = new Map<string, { start: number; count: number }>();
  let calls = 0;
  let dead = false;

  const send = (res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    res
      .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
      .end(JSON.stringify({ ...body, took: 0.004, requestId: (body.requestId as string | undefined) ?? randomUUID() }));

  async function handle(req: IncomingMessage, res: ServerResponse) {
    calls++;
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const reply = (status: number, body: Record<string, unknown>, headers?: Record<string, string>) => {
      const r: OpsgenieRequest = { method, path: url.pathname, query: url.searchParams, status, at: Date.now() };
      requests.push(r);
      notify(requestWaiters, r);
      send(res, status, body, headers);
    };
    const error = (status: number, message: string, headers?: Record<string, string>, extra: Record<string, unknown> = {}) =>
      reply(status, { message, ...extra }, headers);
    const auth = req.headers.authorization;
    if (auth !== `GenieKey ${apiKey}`) return error(401, 'Could not authenticate');

    const domain = url.pathname.startsWith('/v2/alerts') ? 'alert' : 'configuration';
    const t = now().getTime();
    let bucket = buckets.get(domain);
    if (!bucket || t - bucket.start >= 60_000) buckets.set(domain, (bucket = { start: t, count: 0 }));
    const periodLeft = String(Math.max(1, Math.ceil((bucket.start + 60_000 - t) / 1000)));
    const throttled = (seconds: string) => ({
      'x-ratelimit-state': 'THROTTLED',
      'x-ratelimit-reason': domain.toUpperCase(),
      'x-ratelimit-period-in-sec': seconds,
    });
    if (bucket.count >= perMinute) return error(429, TOO_MANY, throttled(periodLeft));
    bucket.count++;
    const okHeaders = { 'x-ratelimit-state': 'OK' };
    const forced = failures.find((f) => f.times > 0 && url.pathname.startsWith(f.pathPrefix));
    if (forced) {
      forced.times--;
      if (forced.status === 429) return error(429, TOO_MANY, throttled(String(forced.periodSeconds)));
      if (forced.status === 401) return error(401, 'Could not authenticate');
      if (forced.status === 403) return error(403, 'You are not authorized for this operation');
      if (forced.status === 404) return error(404, 'Not found');
      return error(forced.status, 'Internal Server Error');
    }
    const ok = (status: number, body: Record<string, unknown>) => reply(status, body, okHeaders);
    const q = url.searchParams;

    if (method === 'POST' && url.pathname === '/v2/alerts') {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(await readBody(req)) as Record<string, unknown>;
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
      } catch {
        return error(422, 'Request body is not processable. Please check the errors.', undefined, { errors: { body: 'Invalid JSON' } });
      }
      const errors: Record<string, string> = {};
      if (typeof body.message !== 'string' || !body.message.trim()) errors.message = 'Message can not be empty.';
      else if (body.message.length > 130) errors.message = 'Message can not be longer than 130 characters.';
      if (body.priority !== undefined && !PRIORITIES.includes(body.priority as string)) errors.priority = 'Priority should be one of [P1, P2, P3, P4, P5]';
      if (body.responders !== undefined && !Array.isArray(body.responders)) errors.responders = 'Responders should be a list';
      if (Object.keys(errors).length) return error(422, 'Request body is not processable. Please check the errors.', undefined, { errors });
      const requestId = randomUUID();
      const alert = { ...body, requestId, alertId: randomUUID() } as OpsgenieAlert;
      alerts.push(alert);
      notify(alertWaiters, alert);
      return reply(202, { result: 'Request will be processed', requestId }, okHeaders);
    }
    if (method !== 'GET') return error(404, 'Not found');

    const requestMatch = /^\/v2\/alerts\/requests\/([^/]+)$/.exec(url.pathname);
    if (requestMatch) {
      const alert = alerts.find((a) => a.requestId === requestMatch[1]);
      if (!alert) return error(404, `Request with id [${requestMatch[1]}] does not exist`);
      return ok(200, {
        data: {
          success: true,
          action: 'Create',
          processedAt: now().toISOString(),
          integrationId: 'emulator',
          isSuccess: true,
          status: 'Created alert',
          alertId: alert.alertId,
          alias: alert.alias ?? alert.alertId,
        },
      });
    }
    const teamMatch = /^\/v2\/teams\/([^/]+)$/.exec(url.pathname);
    if (teamMatch) {
      const identifier = decodeURIComponent(teamMatch[1]!);
      const byName = q.get('identifierType') === 'name';
      const team = account.teams.find((tm) => (byName ? tm.name === identifier : tm.id === identifier));
      if (!team) return error(404, `No team exists with ${byName ? 'name' : 'id'} [${identifier}]`);
      return ok(200, {
        data: {
          id: team.id,
          name: team.name,
          description: '',
          members: [],
          links: { web: `https://emulator.app.opsgenie.com/teams/dashboard/${team.id}`, api: `${base()}/v2/teams/${team.id}` },
        },
      });
    }
    if (url.pathname === '/v2/schedules') {
      const expand = q
        .getAll('expand')
        .flatMap((e) => e.split(','))
        .includes('rotation');
      return ok(200, { data: account.schedules.map((s) => scheduleJson(s, expand)), expandable: ['rotation'] });
    }
    const onCallMatch = /^\/v2\/schedules\/([^/]+)\/(on-calls|timeline)$/.exec(url.pathname);
    if (onCallMatch) {
      const identifier = decodeURIComponent(onCallMatch[1]!);
      const type = q.get(onCallMatch[2] === 'on-calls' ? 'scheduleIdentifierType' : 'identifierType') ?? 'id';
      const schedule = account.schedules.find((s) => (type === 'name' ? s.name === identifier : s.id === identifier));
      if (!schedule) return error(404, `Schedule with identifier [${identifier}] doesn't exist`);
      const dateParam = q.get('date');
      const at = dateParam ? new Date(dateParam) : now();
      if (Number.isNaN(at.getTime()))
        return error(422, 'Request parameters are not processable', undefined, { errors: { date: `Invalid date [${dateParam}]` } });
      const parent = { id: schedule.id, name: schedule.name, enabled: schedule.enabled };
      if (onCallMatch[2] === 'on-calls') {
        const usernames = [...new Set(periodsAt(schedule, at).map((p) => p.username))];
        if (q.get('flat') === 'true') return ok(200, { data: { _parent: parent, onCallRecipients: usernames } });
        const participants = usernames.map((u) => {
          const user = account.users.find((x) => x.username === u);
          return { id: user?.id ?? u, name: u, type: 'user' };
        });
        return ok(200, { data: { _parent: parent, onCallParticipants: participants } });
      }
      return ok(200, { data: timeline(schedule, at, q) });
    }
    return error(404, 'Not found');
  }

  /** Periods from `date` to the end of the interval, walking from one handoff to the next. */
  function timeline(schedule: OgSchedule, at: Date, q: URLSearchParams) {
    const interval = Number(q.get('interval') ?? 1);
    const unit = q.get('intervalUnit') ?? 'weeks';
    const span = (unit === 'days' ? 1 : unit === 'months' ? 30 : 7) * 86_400_000 * (Number.isFinite(interval) && interval > 0 ? interval : 1);
    const endAt = at.getTime() + span;
    const byRotation = new Map<string, { id: string; name: string; order: number; periods: unknown[] }>();
    schedule.rotations.forEach((r, i) => byRotation.set(r.id, { id: r.id, name: r.name, order: i, periods: [] }));
    let t = at.getTime();
    for (let guard = 0; t < endAt && guard < 1000; guard++) {
      const periods = periodsAt(schedule, new Date(t));
      if (periods.length === 0) break;
      for (const p of periods) {
        const user = account.users.find((u) => u.username === p.username);
        const rows = byRotation.get(p.rotation.id)!.periods as { startDate: string; [key: string]: unknown }[];
        const start = p.start.toISOString();
        if (!rows.some((r) => r.startDate === start))
          rows.push({
            startDate: start,
            endDate: p.end.toISOString(),
            type: p.type,
            recipient: { id: user?.id ?? p.username, type: 'user', name: p.username },
          });
      }
      t = Math.min(...periods.map((p) => p.end.getTime()));
    }
    return {
      _parent: { id: schedule.id, name: schedule.name, enabled: schedule.enabled },
      startDate: at.toISOString(),
      endDate: new Date(endAt).toISOString(),
      finalTimeline: { rotations: [...byRotation.values()] },
    };
  }

  const base = () => served.url;
  function scheduleJson(s: OgSchedule, expand: boolean) {
    const team = account.teams.find((tm) => tm.id === s.ownerTeamId);
    return {
      id: s.id,
      name: s.name,
      description: '',
      timezone: isTimeZone(s.timezone) ? s.timezone : 'UTC',
      enabled: s.enabled,
      ownerTeam: team ? { id: team.id, name: team.name } : undefined,
      ...(expand
        ? {
            rotations: s.rotations.map((r) => ({
              id: r.id,
              name: r.name,
              startDate: r.startDate,
              type: r.type,
              length: r.length,
              participants: r.participants.map((u) => ({ type: 'user', id: account.users.find((x) => x.username === u)?.id ?? u, username: u })),
            })),
          }
        : {}),
    };
  }

  const served = await serveOnLoopback(
    handle,
    (err) => ({ message: String(err) }),
    () => !dead,
  );
  const { close } = served;
  return {
    url: base(),
    apiKey,
    account,
    requests,
    alerts,
    calls: () => calls,
    fail(status, o = {}) {
      failures.push({ status, times: o.times ?? 1, pathPrefix: o.pathPrefix ?? '/', periodSeconds: o.periodSeconds ?? 1 });
    },
    async die(mode) {
      if (mode === 'hang') {
        dead = true;
        return;
      }
      await close();
    },
    waitForRequest: (match, timeoutMs = 5_000) => waitIn(requests, requestWaiters, match, timeoutMs, 'the Opsgenie emulator saw no such request'),
    waitForAlert: (match, timeoutMs = 5_000) => waitIn(alerts, alertWaiters, match, timeoutMs, 'the Opsgenie emulator received no such alert'),
    close,
  };
}
