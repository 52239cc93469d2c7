/**
 * Paging and the @oncall user groups, wired for the running application (app.ts): the pager with the
 * senders the environment configures, the user-group sync's activities for the worker, and the
 * schedules the `oncall.userGroups` setting asks for.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { createOnCallGroupActivities, type SlackApi } from './activities/oncall-groups.js';
import type { AuditLog } from './audit/index.js';
import type { Catalog } from './catalog/index.js';
import type { Config } from './config.js';
import type { OnCallLookup } from './oncall/contract.js';
import { onCallForRef } from './oncall/for-ref.js';
import { createOnCallProviders } from './oncall/table.js';
import { createPager } from './paging/pager.js';
import { opsgenieAlerts, pagerDutyEvents, pagerDutyServiceKey } from './paging/senders.js';
import type { Settings } from './settings/index.js';
import type { BotState } from './state/index.js';
import { keepOnCallGroupSchedules } from './temporal/oncall-group-schedules.js';

export interface OnCallWiringDeps {
  config: Config;
  settings: Settings;
  catalog: Catalog;
  state: BotState;
  audit: Pick<AuditLog, 'append'>;
  logger: Logger;
  /**
   * Who is on call for a team now: the providers the cards use, so the sync shares their cache; default a
   * set of its own from the environment (the catalog's Schedules, PagerDuty and Opsgenie as configured).
   */
  onCallFor?: (team: string, at: Date) => Promise<OnCallLookup>;
}

export function wireOnCall(deps: OnCallWiringDeps) {
  const { config, catalog, logger } = deps;
  const pager = createPager({
    subject: (ref) => catalog.onCallSubject(ref),
    pagerDuty: {
      trigger: pagerDutyEvents(config.PAGERDUTY_EVENTS_URL),
      ...(config.PAGERDUTY_API_TOKEN && { serviceKey: pagerDutyServiceKey(config.PAGERDUTY_API_URL, config.PAGERDUTY_API_TOKEN) }),
    },
    ...(config.OPSGENIE_API_KEY && { opsgenie: { create: opsgenieAlerts(config.OPSGENIE_API_URL, config.OPSGENIE_API_KEY) } }),
    audit: deps.audit,
    claims: deps.state,
    pageByServiceId: deps.settings.oncall.pageByServiceId,
  });

  // A team's on-call is its Group entity's: its Schedules, and the PagerDuty service or Opsgenie team it names.
  const onCallFor =
    deps.onCallFor ??
    onCallForRef(
      (ref) => catalog.onCallSubject(ref),
      createOnCallProviders(config, { personByEmail: (email) => catalog.person(email), scheduleOnCall: (ref, at) => catalog.scheduleOnCall(ref, at) }),
    );
  let slack: Promise<SlackApi> | undefined;
  const slackApi: SlackApi = {
    async apiCall(method, options) {
      if (!config.SLACK_BOT_TOKEN) throw new Error('SLACK_BOT_TOKEN is not set: the @oncall sync has no Slack workspace to update');
      slack ??= import('./chat/slack/web-client.js').then((m) => m.slackWebClient(config.SLACK_BOT_TOKEN as string, config.SLACK_API_URL));
      return (await slack).apiCall(method, options);
    },
  };

  return {
    pager,
    /** The worker's activities for workflows/oncall-groups.ts. */
    activities: () =>
      createOnCallGroupActivities({
        onCallFor,
        teamName: (team) => catalog.whoOwns(team).entity?.title ?? catalog.getEntity(team)?.name ?? team,
        slack: slackApi,
      }),
    /** Keeps one schedule per configured team and drops the others; logs instead of failing start. */
    async keepSchedules(client: () => Promise<Client>): Promise<void> {
      const groups = deps.settings.oncall.userGroups;
      if (groups.length > 0 && !config.SLACK_BOT_TOKEN) {
        logger.warn({ teams: groups.map((g) => g.team) }, 'oncall.userGroups is set but SLACK_BOT_TOKEN is not: no user group is kept in sync');
        return;
      }
      try {
        const { kept, dropped } = await keepOnCallGroupSchedules(await client(), groups, {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          everyMinutes: deps.settings.oncall.syncEveryMinutes,
        });
        if (kept.length || dropped.length) logger.info({ kept, dropped }, '@oncall user-group schedules kept');
      } catch (err) {
        logger.warn({ err }, 'could not keep the @oncall user-group schedules; they are tried again at the next start');
      }
    },
  };
}
