/**
 * The account an Opsgenie emulator holds and who it puts on call: users (a username is an e-mail
 * address, as in Opsgenie), teams, and schedules owned by a team, each with rotations and overrides.
 * Daily and weekly rotations hand off at the same wall-clock time in the schedule's time zone, across
 * daylight-saving changes, as Opsgenie's do.
 */
import { wallClock } from './emulator-support.js';

export interface OgUser {
  id: string;
  username: string;
  fullName: string;
}

export interface OgTeam {
  id: string;
  name: string;
}

export interface OgRotation {
  id: string;
  name: string;
  /** Usernames, taking turns. */
  participants: string[];
  startDate: string;
  type: 'hourly' | 'daily' | 'weekly';
  length: number;
}

/** Replaces every rotation's participant for [startDate, endDate). */
export interface OgOverride {
  username: string;
  startDate: string;
  endDate: string;
}

export interface OgSchedule {
  id: string;
  name: string;
  timezone: string;
  enabled: boolean;
  ownerTeamId: string | null;
  rotations: OgRotation[];
  overrides?: OgOverride[];
}

export interface OgAccount {
  users: OgUser[];
  teams: OgTeam[];
  schedules: OgSchedule[];
}

export interface OgPeriod {
  rotation: OgRotation;
  username: string;
  start: Date;
  end: Date;
  type: 'default' | 'override';
}

/** The zone's offset from UTC at `instant`, in ms. */
const offsetAt = (instant: number, timeZone: string): number => wallClock(instant, timeZone).offsetMs;

/** The instant a zone's wall clock reads `wall` (ms, as if UTC). */
function instantOf(wall: number, timeZone: string): number {
  let guess = wall - offsetAt(wall, timeZone);
  guess = wall - offsetAt(guess, timeZone);
  return guess;
}

/** The n-th shift boundary of a rotation: hours are absolute, days and weeks keep the wall-clock time. */
function boundary(r: OgRotation, timeZone: string, n: number): number {
  const start = Date.parse(r.startDate);
  if (r.type === 'hourly') return start + n * r.length * 3_600_000;
  const day = 86_400_000 * (r.type === 'weekly' ? 7 : 1) * r.length;
  const wall = start + offsetAt(start, timeZone);
  return instantOf(wall + n * day, timeZone);
}

/** The rotation's own shift at `at` (overrides aside); null before it starts. */
function rotationShift(r: OgRotation, timeZone: string, at: number): { username: string; start: number; end: number } | null {
  const first = Date.parse(r.startDate);
  if (at < first || r.participants.length === 0 || r.length <= 0) return null;
  const approx = r.type === 'hourly' ? 3_600_000 : r.type === 'daily' ? 86_400_000 : 7 * 86_400_000;
  let n = Math.max(0, Math.floor((at - first) / (approx * r.length)) - 1);
  while (boundary(r, timeZone, n + 1) <= at) n++;
  while (n > 0 && boundary(r, timeZone, n) > at) n--;
  return { username: r.participants[n % r.participants.length]!, start: boundary(r, timeZone, n), end: boundary(r, timeZone, n + 1) };
}

/** Every rotation's on-call period at `at`, an override taking a rotation's place for its span. */
export function periodsAt(schedule: OgSchedule, at: Date): OgPeriod[] {
  const t = at.getTime();
  const out: OgPeriod[] = [];
  for (const rotation of schedule.rotations) {
    const shift = rotationShift(rotation, schedule.timezone, t);
    if (!shift) continue;
    const override = (schedule.overrides ?? []).find((o) => t >= Date.parse(o.startDate) && t < Date.parse(o.endDate));
    if (override) {
      out.push({
        rotation,
        username: override.username,
        start: new Date(Date.parse(override.startDate)),
        end: new Date(Date.parse(override.endDate)),
        type: 'override',
      });
      continue;
    }
    let { start, end } = shift;
    for (const o of schedule.overrides ?? []) {
      const os = Date.parse(o.startDate);
      const oe = Date.parse(o.endDate);
      if (os > t && os < end) end = os;
      if (oe <= t && oe > start) start = oe;
    }
    out.push({ rotation, username: shift.username, start: new Date(start), end: new Date(end), type: 'default' });
  }
  return out;
}
