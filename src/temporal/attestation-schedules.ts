/**
 * One Temporal Schedule per owning team for its "Still yours?" rounds (workflows/attestation.ts), at
 * the team's `every` (the `attestation` setting; quarterly by default): 09:00 UTC on the first day of
 * each quarter or month, or every N days. A team that owns nothing any more loses its schedule.
 */
import type { Client, ScheduleSpec } from '@temporalio/client';
import type { AttestationRoundInput } from '../../workflows/attestation-contract.js';
import type { AttestationSettings, Every } from '../settings/attestation.js';
import { dropSchedules, keepSchedule } from './schedules.js';

export const ATTESTATION_SCHEDULE_PREFIX = 'attestation/';
export const ATTESTATION_WORKFLOW = 'attestationRound';

const DAY_MS = 86_400_000;

export function attestationSpec(every: Every): { spec: ScheduleSpec; period: AttestationRoundInput['period'] } {
  if (every === 'quarterly') return { spec: { calendars: [{ month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'], dayOfMonth: 1, hour: 9 }] }, period: 'quarterly' };
  if (every === 'monthly') return { spec: { calendars: [{ dayOfMonth: 1, hour: 9 }] }, period: 'monthly' };
  return { spec: { intervals: [{ every: `${Number(every.slice(0, -1))}d` }] }, period: 'days' };
}

/** Makes or updates each team's schedule and drops those of teams no longer in `teams`. */
export async function keepAttestationSchedules(
  client: Client,
  teams: string[],
  settings: AttestationSettings,
  opts: { taskQueue: string },
): Promise<{ kept: string[]; dropped: string[] }> {
  const kept: string[] = [];
  for (const team of teams) {
    const every = settings.teams.get(team)?.every ?? settings.every;
    const { spec, period } = attestationSpec(every);
    const input: AttestationRoundInput = { team, period, remindAfterMs: settings.remindAfterDays * DAY_MS };
    const scheduleId = `${ATTESTATION_SCHEDULE_PREFIX}${team}`;
    await keepSchedule(client, {
      scheduleId,
      spec,
      workflowType: ATTESTATION_WORKFLOW,
      args: [input],
      taskQueue: opts.taskQueue,
      note: `"Still yours?" for ${team}, ${every} (attestation in the config file)`,
    });
    kept.push(scheduleId);
  }
  const dropped = await dropSchedules(client, ATTESTATION_SCHEDULE_PREFIX, new Set(kept));
  return { kept, dropped };
}
