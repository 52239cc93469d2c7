/**
 * One Temporal Schedule per team that opted into an @oncall Slack user group (the `oncall.userGroups`
 * setting): each run follows the team's handoffs for an interval (workflows/oncall-groups.ts). A team
 * whose setting was removed loses its schedule; the group itself stays in Slack as it was.
 */
import type { Client } from '@temporalio/client';
import type { OnCallGroupInput } from '../../workflows/oncall-groups-contract.js';
import { dropSchedules, keepSchedule } from './schedules.js';

export const ONCALL_GROUP_SCHEDULE_PREFIX = 'oncall-group/';
export const ONCALL_GROUP_WORKFLOW = 'onCallGroupSync';

export interface OnCallGroupSetting {
  team: string;
  handle: string;
}

/** Makes or updates each team's schedule and drops the ones no longer configured; returns the ids kept. */
export async function keepOnCallGroupSchedules(
  client: Client,
  groups: OnCallGroupSetting[],
  opts: { taskQueue: string; everyMinutes: number },
): Promise<{ kept: string[]; dropped: string[] }> {
  const kept: string[] = [];
  for (const g of groups) {
    const scheduleId = `${ONCALL_GROUP_SCHEDULE_PREFIX}${g.team}`;
    const input: OnCallGroupInput = { team: g.team, handle: g.handle, horizonMinutes: opts.everyMinutes };
    await keepSchedule(client, {
      scheduleId,
      spec: { intervals: [{ every: `${opts.everyMinutes}m` }] },
      workflowType: ONCALL_GROUP_WORKFLOW,
      args: [input],
      taskQueue: opts.taskQueue,
      note: `@${g.handle} follows the on-call of ${g.team} (oncall.userGroups in the config file)`,
    });
    kept.push(scheduleId);
  }
  const dropped = await dropSchedules(client, ONCALL_GROUP_SCHEDULE_PREFIX, new Set(kept));
  return { kept, dropped };
}
