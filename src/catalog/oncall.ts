/**
 * On-call schedules: the spec of the Switchboard `Schedule` kind (apiVersion switchboard.dev/v1alpha1)
 * and who is on call at a given instant. Times without a Z or offset are wall-clock in spec.timeZone.
 */
import { TZDate, tz } from '@date-fns/tz';
// One file each: the package root loads every date-fns module (1.5 s on a 2-core machine) for these two.
import { addDays } from 'date-fns/addDays';
import { addWeeks } from 'date-fns/addWeeks';
import { z } from 'zod';

const HOUR_MS = 3_600_000;
const EVERY = /^([1-9]\d*)([hdw])$/;
// Date, optional time, optional Z/offset (only after a time: "2026-01-05Z" means nothing useful).
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Parses `2026-01-05T09:00` (also `2026-01-05`, `…T09:00:30`, `…T09:00:30.250`, a space for `T`) as
 * wall-clock time in `timeZone`; with a `Z` or `±HH:MM` suffix the value is absolute and the zone is
 * ignored. A wall-clock time inside a spring-forward gap moves forward by the gap (02:30 → 03:30).
 * Throws an Error naming the value when it is not a real date-time.
 */
export function parseLocalTime(value: string, timeZone: string): Date {
  const m = DATE_TIME.exec(value.trim());
  if (!m) throw new Error(`"${value}" is not a date-time such as 2026-01-05T09:00`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  // Date.UTC silently rolls 2026-02-30 over to March; a roundtrip catches that.
  const calendar = new Date(Date.UTC(y, mo - 1, d));
  if (calendar.getUTCMonth() !== mo - 1 || calendar.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new Error(`"${value}" is not a real date-time`);
  }
  const offset = m[8];
  if (offset !== undefined) {
    const o = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset);
    const minutes = o ? (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3] ?? 0)) : 0;
    return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms) - minutes * 60_000);
  }
  // A plain Date, not the TZDate: callers serialise with toISOString and expect `Z`.
  const instant = new Date(new TZDate(y, mo - 1, d, h, mi, s, ms, timeZone).getTime());
  if (Number.isNaN(instant.getTime())) throw new Error(`cannot place "${value}" in time zone "${timeZone}"`);
  return instant;
}

/** Whether Intl knows this IANA time zone name (`Europe/Berlin`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
}

function parses(value: string): boolean {
  try {
    parseLocalTime(value, 'UTC');
    return true;
  } catch {
    return false;
  }
}

const dateTime = z.string({ error: 'is required and must be a string' }).refine(parses, {
  error: (issue) => `must be a date-time such as 2026-01-05T09:00 (wall-clock in timeZone) or 2026-01-05T08:00:00Z, got "${String(issue.input)}"`,
});

const rotationSchema = z.looseObject({
  name: z.string({ error: 'is required and must be a string' }).min(1, 'must not be empty'),
  start: dateTime,
  every: z.string({ error: 'is required, e.g. "1w"' }).regex(EVERY, {
    error: (issue) => `must be <N>h, <N>d or <N>w with N a positive whole number (e.g. 12h, 1d, 2w), got "${String(issue.input)}"`,
  }),
  participants: z.array(z.string().min(1, 'must not be empty'), { error: 'is required: a list of user refs' }).min(1, 'must list at least one participant'),
  end: dateTime.optional(),
});

const overrideSchema = z.looseObject({
  user: z.string({ error: 'is required and must be a string' }).min(1, 'must not be empty'),
  start: dateTime,
  end: dateTime,
  rotation: z.string().min(1, 'must not be empty').optional(),
});

export const scheduleSpecSchema = z
  .looseObject({
    owner: z.string().optional(),
    timeZone: z
      .string()
      .default('UTC')
      .refine(isTimeZone, {
        error: (issue) => `unknown time zone "${String(issue.input)}"; use an IANA name such as Europe/Berlin or UTC`,
      }),
    rotations: z.array(rotationSchema, { error: 'is required: a list of rotations' }).min(1, 'must list at least one rotation'),
    overrides: z.array(overrideSchema).optional(),
  })
  // zod still runs this when a field above failed a refinement (a bad zone or date), so parse defensively.
  .superRefine((spec, ctx) => {
    const zone = isTimeZone(spec.timeZone) ? spec.timeZone : 'UTC';
    const at = (value: string) => (parses(value) ? parseLocalTime(value, zone).getTime() : Number.NaN);
    const seen = new Set<string>();
    spec.rotations.forEach((rotation, i) => {
      if (seen.has(rotation.name)) {
        ctx.addIssue({ code: 'custom', path: ['rotations', i, 'name'], message: `duplicate rotation name "${rotation.name}"` });
      }
      seen.add(rotation.name);
      if (rotation.end !== undefined && at(rotation.end) <= at(rotation.start)) {
        ctx.addIssue({ code: 'custom', path: ['rotations', i, 'end'], message: 'must be after start' });
      }
    });
    spec.overrides?.forEach((override, i) => {
      if (at(override.end) <= at(override.start)) {
        ctx.addIssue({ code: 'custom', path: ['overrides', i, 'end'], message: 'must be after start' });
      }
      if (override.rotation !== undefined && !seen.has(override.rotation)) {
        ctx.addIssue({
          code: 'custom',
          path: ['overrides', i, 'rotation'],
          message: `names unknown rotation "${override.rotation}" (known: ${[...seen].join(', ')})`,
        });
      }
    });
  });

export type ScheduleSpec = z.infer<typeof scheduleSpecSchema>;
type Rotation = ScheduleSpec['rotations'][number];

export interface OnCallShift {
  rotation: string;
  /** As written in participants or the override. */
  user: string;
  from: Date;
  /** null when nothing is scheduled to change (a one-person rotation without an end). */
  until: Date | null;
  override: boolean;
}

type Window = Omit<OnCallShift, 'rotation'>;

/** Handoff k (k = 0 is the rotation start). Days and weeks step in wall-clock time, hours in absolute time. */
function handoffs(start: Date, every: string, timeZone: string): { at: (k: number) => Date; nominalMs: number } {
  const [, count, unit] = EVERY.exec(every) ?? [];
  const n = Number(count);
  if (unit === 'h') return { at: (k) => new Date(start.getTime() + k * n * HOUR_MS), nominalMs: n * HOUR_MS };
  const add = unit === 'd' ? addDays : addWeeks;
  // Always step from the start, never from the previous handoff, so a gap-shifted day cannot drift the time.
  const at = (k: number) => new Date(add(start, k * n, { in: tz(timeZone) }).getTime());
  return { at, nominalMs: n * (unit === 'd' ? 24 : 168) * HOUR_MS };
}

function rotationWindow(rotation: Rotation, timeZone: string, at: Date): Window | null {
  const start = parseLocalTime(rotation.start, timeZone);
  const end = rotation.end === undefined ? null : parseLocalTime(rotation.end, timeZone);
  if (at < start || (end !== null && at >= end)) return null;
  const people = rotation.participants;
  if (people.length === 1) return { user: people[0] as string, from: start, until: end, override: false };

  const handoff = handoffs(start, rotation.every, timeZone);
  // Wall-clock shifts differ from the nominal length only by a DST offset change (about an hour), so the
  // estimate is off by at most one shift; the loops correct it without walking the whole history.
  let k = Math.floor((at.getTime() - start.getTime()) / handoff.nominalMs);
  while (k > 0 && handoff.at(k) > at) k--;
  while (handoff.at(k + 1) <= at) k++;
  const next = handoff.at(k + 1);
  return {
    user: people[k % people.length] as string,
    from: handoff.at(k),
    until: end !== null && end < next ? end : next,
    override: false,
  };
}

/**
 * Who is on call at `at`, one entry per rotation that has someone then. `spec` must have passed
 * scheduleSpecSchema.
 *
 * Rules:
 * - A rotation has nobody before its start or from its end on; otherwise shift k (counted from start,
 *   every `every`) belongs to participants[k % n], and from/until are that shift's handoffs (until capped
 *   at the rotation's end). A one-person rotation is one shift from start to end (until null if no end).
 * - An override applies to its `rotation` (default: the first) during [start, end), replacing whoever
 *   the rotation has, even outside the rotation's start/end. When overrides overlap, the one that started
 *   latest wins (a tie goes to the one listed later); from/until is then that override's start/end.
 * - Whatever the window, `until` is cut to the start of any override of the rotation that begins after
 *   `at` and before it, because the person changes then.
 */
export function onCallAt(spec: ScheduleSpec, at: Date): OnCallShift[] {
  if (Number.isNaN(at.getTime())) throw new RangeError('onCallAt: invalid date');
  const timeZone = spec.timeZone;
  const overrides = (spec.overrides ?? []).map((o) => ({
    user: o.user,
    rotation: o.rotation ?? spec.rotations[0]?.name,
    start: parseLocalTime(o.start, timeZone),
    end: parseLocalTime(o.end, timeZone),
  }));

  const out: OnCallShift[] = [];
  for (const rotation of spec.rotations) {
    const mine = overrides.filter((o) => o.rotation === rotation.name);
    let current: (typeof mine)[number] | undefined;
    for (const o of mine) {
      if (o.start <= at && at < o.end && (current === undefined || o.start >= current.start)) current = o;
    }
    const window: Window | null = current
      ? { user: current.user, from: current.start, until: current.end, override: true }
      : rotationWindow(rotation, timeZone, at);
    if (window === null) continue;
    for (const o of mine) {
      if (o.start > at && (window.until === null || o.start < window.until)) window.until = o.start;
    }
    out.push({ rotation: rotation.name, ...window });
  }
  return out;
}
