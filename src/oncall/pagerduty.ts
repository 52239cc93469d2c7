/**
 * PagerDuty's on-call for an entity, resolved as Backstage's PagerDuty plugin does: the
 * `pagerduty.com/integration-key` annotation wins (the service whose integration has that key, found
 * with `GET /services?query=<key>`), else `pagerduty.com/service-id` (`GET /services/{id}`); then the
 * service's escalation policy's `/oncalls`, keeping only the lowest escalation level, one entry per user.
 * Every `/oncalls` page is read (offset/limit/more), up to MAX_PAGES.
 */
import type { OnCallLookup, OnCallProvider, OnCallSubject } from './contract.js';
import { createProviderHttp, ProviderFailure, secondsHeader, type ProviderHttp } from './http.js';
import { type PersonByEmail, type ProviderShift, toOnCall } from './people.js';

export const PAGERDUTY_ANNOTATIONS = { integrationKey: 'pagerduty.com/integration-key', serviceId: 'pagerduty.com/service-id' } as const;

export interface PagerDutyProviderOptions {
  apiUrl: string;
  token: string;
  personByEmail: PersonByEmail;
  now?: () => Date;
  timeoutMs?: number;
  /** Default 960, PagerDuty's REST limit per token per minute. */
  perMinute?: number;
}

const MAX_PAGES = 10;
const PAGE = 100;
/** PagerDuty service ids are short upper-case codes; integration keys 32 characters. Anything else is refused before a call. */
const SERVICE_ID = /^[A-Z0-9]{2,20}$/;
const INTEGRATION_KEY = /^[A-Za-z0-9]{32}$/;

interface PdService {
  id: string;
  summary?: string;
  name?: string;
  escalation_policy?: { id: string; summary?: string };
  integrations?: { integration_key?: string }[];
}

interface PdOnCall {
  escalation_level: number;
  escalation_policy?: { id: string; summary?: string };
  schedule?: { id: string; summary?: string } | null;
  user: { id: string; type: string; name?: string; summary?: string; email?: string };
  start: string | null;
  end: string | null;
}

export function pagerDutyProvider(o: PagerDutyProviderOptions): OnCallProvider {
  const http = createProviderHttp({
    name: 'pagerduty',
    title: 'PagerDuty',
    baseUrl: o.apiUrl,
    headers: { authorization: `Token token=${o.token}`, accept: 'application/vnd.pagerduty+json;version=2' },
    perMinute: o.perMinute ?? 960,
    timeoutMs: o.timeoutMs,
    retryAfterSeconds: (h) => secondsHeader(h, 'retry-after', 'ratelimit-reset'),
    now: o.now,
  });
  return {
    name: 'pagerduty',
    title: 'PagerDuty',
    applies: (s) => !!(s.annotations[PAGERDUTY_ANNOTATIONS.integrationKey] || s.annotations[PAGERDUTY_ANNOTATIONS.serviceId]),
    lookup: (subject, at) => lookup(http, subject, at, o.personByEmail, Math.abs(at.getTime() - (o.now?.() ?? new Date()).getTime()) >= 1_000),
    status: () => http.status(),
  };
}

async function serviceOf(http: ProviderHttp, subject: OnCallSubject): Promise<PdService> {
  const key = subject.annotations[PAGERDUTY_ANNOTATIONS.integrationKey]?.trim();
  const include = 'include[]=escalation_policies&include[]=integrations&time_zone=UTC';
  if (key) {
    if (!INTEGRATION_KEY.test(key))
      throw new ProviderFailure(`${PAGERDUTY_ANNOTATIONS.integrationKey} is not a PagerDuty integration key (32 letters and digits)`, 'bad_annotation');
    const res = await http.get(`/services?query=${encodeURIComponent(key)}&${include}`);
    const services = ((res.body as { services?: PdService[] } | null)?.services ?? []) as PdService[];
    // `query` also matches names: only a service that really has this integration key counts.
    const found = services.find((s) => s.integrations?.some((i) => i.integration_key === key));
    if (res.status === 404 || !found)
      throw new ProviderFailure(`PagerDuty has no service with the integration key in ${PAGERDUTY_ANNOTATIONS.integrationKey} (404)`, 'not_found');
    return found;
  }
  const id = subject.annotations[PAGERDUTY_ANNOTATIONS.serviceId]?.trim() ?? '';
  if (!SERVICE_ID.test(id)) throw new ProviderFailure(`${PAGERDUTY_ANNOTATIONS.serviceId} is not a PagerDuty service id`, 'bad_annotation');
  const res = await http.get(`/services/${encodeURIComponent(id)}?${include}`);
  const service = (res.body as { service?: PdService } | null)?.service;
  if (res.status === 404 || !service) throw new ProviderFailure(`PagerDuty has no service ${id} (${PAGERDUTY_ANNOTATIONS.serviceId}, 404)`, 'not_found');
  return service;
}

async function lookup(http: ProviderHttp, subject: OnCallSubject, at: Date, personByEmail: PersonByEmail, past: boolean): Promise<OnCallLookup> {
  const service = await serviceOf(http, subject);
  const policy = service.escalation_policy?.id;
  if (!policy) return { onCall: [], unknown: [{ provider: 'pagerduty', reason: `PagerDuty service ${service.id} has no escalation policy` }] };
  // Another instant than now (the CLI's --at): the on-calls overlapping that one millisecond.
  const when = past ? `&since=${encodeURIComponent(at.toISOString())}&until=${encodeURIComponent(new Date(at.getTime() + 1).toISOString())}` : '';
  const all: PdOnCall[] = [];
  for (let page = 0, more = true; more && page < MAX_PAGES; page++) {
    const res = await http.get(
      `/oncalls?time_zone=UTC&include[]=users&escalation_policy_ids[]=${encodeURIComponent(policy)}&limit=${PAGE}&offset=${page * PAGE}${when}`,
    );
    const body = res.body as { oncalls?: PdOnCall[]; more?: boolean } | null;
    if (res.status === 404) throw new ProviderFailure(`PagerDuty has no escalation policy ${policy} (404)`, 'not_found');
    all.push(...(body?.oncalls ?? []));
    more = body?.more === true;
  }
  if (all.length === 0) return { onCall: [], unknown: [] };
  const lowest = Math.min(...all.map((e) => e.escalation_level));
  // One entry per user at the lowest level: someone on two schedules there is on call until the later end.
  const byUser = new Map<string, PdOnCall>();
  for (const e of all.filter((x) => x.escalation_level === lowest)) {
    const seen = byUser.get(e.user.id);
    const later = !seen || seen.end === null ? false : e.end === null || Date.parse(e.end) > Date.parse(seen.end);
    if (!seen || later) byUser.set(e.user.id, e);
  }
  const shifts: ProviderShift[] = [...byUser.values()]
    .sort((a, b) => (a.user.name ?? '').localeCompare(b.user.name ?? ''))
    .map((e) => ({
      name: e.user.name ?? e.user.summary ?? e.user.id,
      email: e.user.email ?? null,
      rotation: e.schedule?.summary ?? e.escalation_policy?.summary ?? service.summary ?? service.id,
      from: e.start ? new Date(e.start) : null,
      until: e.end ? new Date(e.end) : null,
      source: `pagerduty:service/${service.id}`,
    }));
  return { onCall: shifts.map((s) => toOnCall(s, personByEmail, at)), unknown: [] };
}
