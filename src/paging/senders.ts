/**
 * The two ways a page leaves the bot: a PagerDuty Events API v2 trigger and an Opsgenie alert. Both
 * answer with a typed result, never a throw: the core turns a refusal into a clear private answer.
 * Base URLs come from the environment only (PAGERDUTY_EVENTS_URL, PAGERDUTY_API_URL, OPSGENIE_API_URL).
 */
import { maskKey } from './target.js';

export type SendResult =
  { ok: true; reference: string; url?: string; paged?: string } | { ok: false; status: number | null; message: string; retryAfterSeconds?: number };

export interface PagerDutyEvent {
  routingKey: string;
  dedupKey: string;
  summary: string;
  source: string;
  severity: 'critical' | 'error' | 'warning' | 'info';
  component: string;
  customDetails: Record<string, string>;
  links?: { href: string; text: string }[];
}

export interface OpsgenieAlert {
  message: string;
  alias: string;
  description: string;
  team: string;
  note: string;
  source: string;
  priority: 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
  details: Record<string, string>;
  user: string;
}

const TIMEOUT_MS = 10_000;
const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

async function post(
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers } | { error: string }> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // A proxy's HTML error page: the status says enough.
    }
    return { status: res.status, json, headers: res.headers };
  } catch (err) {
    return { error: (err as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (err as Error).message };
  }
}

const retryAfter = (h: Headers) => {
  const v = Number(h.get('retry-after'));
  return Number.isFinite(v) && v > 0 ? v : undefined;
};

function refusal(provider: string, status: number, json: Record<string, unknown>, headers: Headers): SendResult {
  const said = [json.message, json.status, ...(Array.isArray(json.errors) ? json.errors : [])].filter((s) => typeof s === 'string' && s).join('; ');
  const what =
    status === 429
      ? `${provider} is rate-limiting pages right now (429)`
      : status === 401 || status === 403
        ? `${provider} refused the bot's credentials (${status})`
        : status >= 500
          ? `${provider} had an error (${status})`
          : `${provider} refused the page (${status})`;
  const after = retryAfter(headers);
  return { ok: false, status, message: cut(said ? `${what}: ${said}` : what, 300), ...(after !== undefined && { retryAfterSeconds: after }) };
}

/** PagerDuty Events API v2: `POST /v2/enqueue`, answered 202 with the dedup key. */
export function pagerDutyEvents(eventsUrl: string) {
  const base = eventsUrl.replace(/\/+$/, '');
  return async function trigger(e: PagerDutyEvent): Promise<SendResult> {
    const body = {
      routing_key: e.routingKey,
      event_action: 'trigger',
      dedup_key: e.dedupKey,
      payload: {
        summary: cut(e.summary, 1024),
        source: e.source,
        severity: e.severity,
        component: e.component,
        custom_details: e.customDetails,
      },
      client: 'Switchboard',
      ...(e.links && { links: e.links }),
    };
    const res = await post(`${base}/v2/enqueue`, {}, body);
    if ('error' in res) return { ok: false, status: null, message: `PagerDuty did not answer: ${res.error}` };
    if (res.status === 202 || res.status === 200) return { ok: true, reference: String(res.json.dedup_key ?? e.dedupKey) };
    return refusal('PagerDuty', res.status, res.json, res.headers);
  };
}

/**
 * The Events API v2 routing key of a PagerDuty service, read through the REST API
 * (`GET /services/{id}?include[]=integrations`): the first integration of type
 * `events_api_v2_inbound_integration`. Null with the reason when there is none.
 */
export function pagerDutyServiceKey(apiUrl: string, token: string) {
  const base = apiUrl.replace(/\/+$/, '');
  return async function serviceKey(serviceId: string): Promise<{ key: string; name: string; url?: string } | { problem: string; status: number | null }> {
    let res: Response;
    try {
      res = await fetch(`${base}/services/${encodeURIComponent(serviceId)}?include%5B%5D=integrations`, {
        headers: { authorization: `Token token=${token}`, accept: 'application/vnd.pagerduty+json;version=2' },
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'error',
      });
    } catch (err) {
      return { problem: `PagerDuty did not answer: ${(err as Error).message}`, status: null };
    }
    if (res.status === 404) return { problem: `PagerDuty has no service ${serviceId} (404)`, status: 404 };
    if (!res.ok) return { problem: `PagerDuty refused to read service ${serviceId} (${res.status})`, status: res.status };
    const json = (await res.json().catch(() => ({}))) as {
      service?: { name?: string; html_url?: string; integrations?: { type?: string; integration_key?: string }[] };
    };
    // An Events API v2 integration first; a generic Events API one takes v2 events at the same endpoint.
    const integrations = (json.service?.integrations ?? []).filter((i) => i.integration_key);
    const integration =
      integrations.find((i) => i.type === 'events_api_v2_inbound_integration') ?? integrations.find((i) => i.type === 'generic_events_api_inbound_integration');
    if (!integration?.integration_key) return { problem: `PagerDuty service ${serviceId} has no Events API v2 integration to page through`, status: 200 };
    return { key: integration.integration_key, name: json.service?.name ?? serviceId, ...(json.service?.html_url && { url: json.service.html_url }) };
  };
}

/** Opsgenie `POST /v2/alerts`, answered 202 with a request id (the alert is made asynchronously). */
export function opsgenieAlerts(apiUrl: string, apiKey: string) {
  const base = apiUrl.replace(/\/+$/, '');
  return async function create(a: OpsgenieAlert): Promise<SendResult> {
    const body = {
      message: cut(a.message, 130),
      alias: cut(a.alias, 512),
      description: cut(a.description, 15000),
      responders: [{ type: 'team', name: a.team }],
      source: cut(a.source, 100),
      note: cut(a.note, 25000),
      user: cut(a.user, 100),
      priority: a.priority,
      details: a.details,
    };
    const res = await post(`${base}/v2/alerts`, { authorization: `GenieKey ${apiKey}` }, body);
    if ('error' in res) return { ok: false, status: null, message: `Opsgenie did not answer: ${res.error}` };
    if (res.status === 202 || res.status === 200) return { ok: true, reference: String(res.json.requestId ?? a.alias) };
    return refusal('Opsgenie', res.status, res.json, res.headers);
  };
}

export { maskKey };
