/**
 * The weekly digest in the running app: its activities for the worker (posting to the channels each
 * team's "Still yours?" asks go to, in the `digest` setting's time zone), and its one Temporal Schedule
 * kept at start as the `digest` setting says (dropped when the setting is gone).
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { createDigestActivities, type DigestActivityDeps } from './activities/digest.js';
import type { ChatNotifier } from './conversation/index.js';
import type { Settings } from './settings/index.js';
import { keepDigestSchedule } from './temporal/digest-schedule.js';

export function wireDigest(deps: Omit<DigestActivityDeps, 'notifiers'> & { settings: Settings; logger: Logger; taskQueue: string }) {
  return {
    activities: (notifiers: Record<string, ChatNotifier>) =>
      createDigestActivities({
        ...deps,
        notifiers,
        channelFor: (team) => deps.settings.attestation?.teams.get(team),
        ...(deps.settings.digest && { timeZone: deps.settings.digest.timeZone }),
      }),
    /** Logs instead of failing start: the schedule is tried again at the next start. */
    async keepSchedule(client: () => Promise<Client>): Promise<void> {
      try {
        const { kept } = await keepDigestSchedule(await client(), deps.settings.digest, { taskQueue: deps.taskQueue });
        deps.logger.info({ kept }, kept ? 'weekly digest schedule kept' : 'weekly digest off');
      } catch (err) {
        deps.logger.warn({ err }, 'could not keep the weekly digest schedule; it is tried again at the next start');
      }
    },
  };
}
