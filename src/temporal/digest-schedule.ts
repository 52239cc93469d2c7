/**
 * The weekly digest's Temporal Schedule (workflows/digest.ts): one, at the `digest` setting's day and
 * time; dropped when the setting is removed, so switching it off stops the posts.
 */
import { type Client, ScheduleNotFoundError } from '@temporalio/client';
import type { DigestSettings } from '../settings/digest.js';
import { keepSchedule } from './schedules.js';

export const DIGEST_SCHEDULE_ID = 'digest';
export const DIGEST_WORKFLOW = 'weeklyDigest';

const DAY_NAMES = {
  sunday: 'SUNDAY',
  monday: 'MONDAY',
  tuesday: 'TUESDAY',
  wednesday: 'WEDNESDAY',
  thursday: 'THURSDAY',
  friday: 'FRIDAY',
  saturday: 'SATURDAY',
} as const;

/** Keeps the schedule as `settings` says, or drops it when the digest is off (null). */
export async function keepDigestSchedule(client: Client, settings: DigestSettings | null, opts: { taskQueue: string }): Promise<{ kept: boolean }> {
  if (!settings) {
    // Exactly this id: a prefix would reach other schedules named digest-….
    await client.schedule
      .getHandle(DIGEST_SCHEDULE_ID)
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    return { kept: false };
  }
  await keepSchedule(client, {
    scheduleId: DIGEST_SCHEDULE_ID,
    spec: { calendars: [{ dayOfWeek: DAY_NAMES[settings.day], hour: settings.hour, minute: settings.minute }], timezone: settings.timeZone },
    workflowType: DIGEST_WORKFLOW,
    args: [],
    taskQueue: opts.taskQueue,
    note: `Weekly digest, ${settings.day} ${String(settings.hour).padStart(2, '0')}:${String(settings.minute).padStart(2, '0')} ${settings.timeZone} (digest in the config file)`,
  });
  return { kept: true };
}
