/**
 * Opsgenie's on-call for an entity: the team its `opsgenie.com/team` annotation names (`GET
 * /v2/teams/{name}?identifierType=name`), that team's enabled schedules (`GET /v2/schedules`, by
 * `ownerTeam`), and for each who is on call at the instant asked (`on-calls?flat=true&date=`) and until
 * when (the schedule's timeline: the period holding that instant). Opsgenie's REST API ends on
 * 2027-04-05; its successor (Jira Service Management operations) is a new row in the providers table
 * (table.ts), not a change here.
 */
import type { OnCallLookup, OnCallProvider, OnCallSubject } from './contract.js';
import { createProviderHttp, ProviderFailure, secondsHeader, type ProviderHttp } from './http.js';
import { type PersonByEmail, type ProviderShift, toOnCall } from './people.js';

export const OPSGENIE_ANNOTATIONS = { team: 'opsgenie.com/team' } as const;

export interface OpsgenieProviderOptions {
  apiUrl: string;
  apiKey: string;
  personByEmail: PersonByEmail;
  now?: () => Date;
  timeoutMs?: number;
  /** Calls per minute kept here; default 300, under the per-minute buckets of Opsgenie's plans. */
  perMinute?: number;
}

/** Schedules read per team; a team with more is cut short here (and says so). */
const MAX_SCHEDULES = 10;

interface OgSchedule {
  id: string;
  name: string;
  enabled: boolean;
  ownerTeam?: { id: string; name: string };
}

interface OgPeriod {
  startDate: string;
  endDate: string;
  type?: string;
  recipient?: { type: string; name?: string };
}

export function opsgenieProvider(o: OpsgenieProviderOptions): OnCallProvider {
  const http = createProviderHttp({
    name: 'opsgenie',
    title: 'Opsgenie',
    baseUrl: o.apiUrl,
    headers: { authorization: `GenieKey ${o.apiKey}` },
    credential: 'API key',
    perMinute: o.perMinute ?? 300,
    timeoutMs: o.timeoutMs,
    // Opsgenie sends no Retry-After: a throttled answer says how long its bucket's period lasts.
    retryAfterSeconds: (h) => secondsHeader(h, 'x-ratelimit-period-in-sec', 'retry-after'),
    now: o.now,
  });
  return {
    name: 'opsgenie',
    title: 'Opsgenie',
    applies: (s) => !!s.annotations[OPSGENIE_ANNOTATIONS.team]?.trim(),
    lookup: (subject, at) => lookup(http, subject, at, o.personByEmail),
    status: () => http.status(),
  };
}

async function lookup(http: ProviderHttp, subject: OnCallSubject, at: Date, personByEmail: PersonByEmail): Promise<OnCallLookup> {
  const name = subject.annotations[OPSGENIE_ANNOTATIONS.team]?.trim() ?? '';
  if (name.length > 100 || /[\p{Cc}]/u.test(name)) throw new ProviderFailure(`${OPSGENIE_ANNOTATIONS.team} is not an Opsgenie team name`, 'bad_annotation');
  const teamRes = await http.get(`/v2/teams/${encodeURIComponent(name)}?identifierType=name`);
  const team = (teamRes.body as { data?: { id: string; name: string } } | null)?.data;
  if (teamRes.status === 404 || !team) throw new ProviderFailure(`Opsgenie has no team ${name} (${OPSGENIE_ANNOTATIONS.team}, 404)`, 'not_found');
  const listed = ((await http.get('/v2/schedules')).body as { data?: OgSchedule[] } | null)?.data ?? [];
  const owned = listed.filter((s) => s.enabled && s.ownerTeam?.id === team.id);
  const unknown =
    owned.length > MAX_SCHEDULES
      ? [{ provider: 'opsgenie', reason: `Opsgenie team ${name} has ${owned.length} schedules; the first ${MAX_SCHEDULES} are shown` }]
      : [];
  const date = encodeURIComponent(at.toISOString());
  const shifts: ProviderShift[] = [];
  await Promise.all(
    owned.slice(0, MAX_SCHEDULES).map(async (s) => {
      const id = encodeURIComponent(s.id);
      const [onCalls, timeline] = await Promise.all([
        http.get(`/v2/schedules/${id}/on-calls?scheduleIdentifierType=id&flat=true&date=${date}`),
        http.get(`/v2/schedules/${id}/timeline?identifierType=id&interval=1&intervalUnit=days&date=${date}`),
      ]);
      const recipients = (onCalls.body as { data?: { onCallRecipients?: string[] } } | null)?.data?.onCallRecipients ?? [];
      const rotations =
        (timeline.body as { data?: { finalTimeline?: { rotations?: { periods?: OgPeriod[] }[] } } } | null)?.data?.finalTimeline?.rotations ?? [];
      const periods = rotations.flatMap((r) => r.periods ?? []);
      const t = at.getTime();
      for (const username of recipients) {
        const now = periods.find((p) => p.recipient?.name === username && Date.parse(p.startDate) <= t && t < Date.parse(p.endDate));
        shifts.push({
          name: username,
          email: username.includes('@') ? username : null,
          rotation: s.name,
          from: now ? new Date(now.startDate) : null,
          until: now ? new Date(now.endDate) : null,
          override: now?.type === 'override',
          source: `opsgenie:schedule/${s.name}`,
        });
      }
    }),
  );
  // One entry per person: the first schedule (in Opsgenie's order) that has them on call.
  const order = new Map(owned.map((s, i) => [`opsgenie:schedule/${s.name}`, i]));
  shifts.sort((a, b) => (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0));
  const seen = new Set<string>();
  const unique = shifts.filter((s) => !seen.has(s.name) && seen.add(s.name));
  return { onCall: unique.map((s) => toOnCall(s, personByEmail, at)), unknown };
}
