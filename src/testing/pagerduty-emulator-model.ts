/**
 * The account a PagerDuty emulator holds, and who it puts on call at an instant: users, schedules (one
 * rotation layer plus overrides), escalation policies whose rules target schedules or users, and services
 * with their integrations. Kept apart from the HTTP side so each file has one job.
 */
import { wallClock } from './emulator-support.js';

export interface PdUser {
  id: string;
  name: string;
  email: string;
  time_zone?: string;
}

/** One rotation layer: `userIds` take turns, each for `shiftHours`, the first starting at `start`. */
export interface PdRotation {
  userIds: string[];
  start: string;
  shiftHours: number;
}

/** An override replaces whoever the rotation puts on call for [start, end). */
export interface PdOverride {
  userId: string;
  start: string;
  end: string;
}

export interface PdSchedule {
  id: string;
  name: string;
  time_zone: string;
  rotation: PdRotation;
  overrides?: PdOverride[];
}

export type PdTarget = { type: 'schedule_reference'; id: string } | { type: 'user_reference'; id: string };

export interface PdEscalationPolicy {
  id: string;
  name: string;
  /** Rule i is escalation level i + 1. */
  rules: { targets: PdTarget[] }[];
}

export interface PdIntegration {
  id: string;
  name?: string;
  /** The Events API v2 routing key. */
  integration_key: string;
}

export interface PdService {
  id: string;
  name: string;
  escalationPolicyId: string;
  integrations?: PdIntegration[];
}

export interface PdAccount {
  users: PdUser[];
  schedules: PdSchedule[];
  escalationPolicies: PdEscalationPolicy[];
  services: PdService[];
}

/** One on-call entry as PagerDuty computes it; `start`/`end` null for a user targeted directly (always on call). */
export interface PdOnCallEntry {
  policy: PdEscalationPolicy;
  level: number;
  user: PdUser;
  schedule: PdSchedule | null;
  start: Date | null;
  end: Date | null;
}

/** Who a schedule puts on call at `at`, and for which span; null before the rotation starts. */
export function shiftAt(schedule: PdSchedule, at: Date): { userId: string; start: Date; end: Date } | null {
  const t = at.getTime();
  // An override wins for its whole span (shifts are [start, end): at `end` the next person is on).
  for (const o of schedule.overrides ?? []) {
    const start = Date.parse(o.start);
    const end = Date.parse(o.end);
    if (t >= start && t < end) return { userId: o.userId, start: new Date(start), end: new Date(end) };
  }
  const r = schedule.rotation;
  const first = Date.parse(r.start);
  const length = r.shiftHours * 3_600_000;
  if (t < first || r.userIds.length === 0 || length <= 0) return null;
  const n = Math.floor((t - first) / length);
  let start = first + n * length;
  let end = start + length;
  // An override that starts inside this shift cuts it short; one that ends inside it starts it late.
  for (const o of schedule.overrides ?? []) {
    const os = Date.parse(o.start);
    const oe = Date.parse(o.end);
    if (os > t && os < end) end = os;
    if (oe <= t && oe > start) start = oe;
  }
  return { userId: r.userIds[n % r.userIds.length]!, start: new Date(start), end: new Date(end) };
}

export function onCallsAt(account: PdAccount, at: Date): PdOnCallEntry[] {
  const out: PdOnCallEntry[] = [];
  for (const policy of account.escalationPolicies) {
    policy.rules.forEach((rule, i) => {
      for (const target of rule.targets) {
        if (target.type === 'user_reference') {
          const user = account.users.find((u) => u.id === target.id);
          if (user) out.push({ policy, level: i + 1, user, schedule: null, start: null, end: null });
          continue;
        }
        const schedule = account.schedules.find((s) => s.id === target.id);
        const shift = schedule && shiftAt(schedule, at);
        const user = shift && account.users.find((u) => u.id === shift.userId);
        if (schedule && shift && user) out.push({ policy, level: i + 1, user, schedule, start: shift.start, end: shift.end });
      }
    });
  }
  return out;
}

/** An instant written in a zone's wall clock with its offset, as PagerDuty does for `time_zone`. */
export function inZone(at: Date, timeZone: string): string {
  const { parts, offsetMs } = wallClock(at.getTime(), timeZone);
  const offsetMinutes = Math.round(offsetMs / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset =
    offsetMinutes === 0 && timeZone === 'UTC' ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}
