/**
 * Keeps a team's Slack user group (`@payments-oncall`) equal to who is on call now. A Temporal Schedule
 * starts one run per interval (src/temporal/oncall-group-schedules.ts); each run syncs, then sleeps
 * until the next handoff (the earliest end of a current shift) and syncs again, until the schedule's
 * next run is due. Deterministic: the activity asks the providers and Slack.
 */
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { OnCallGroupActivities, OnCallGroupInput, OnCallGroupSync } from './oncall-groups-contract.js';

const { syncOnCallGroup } = proxyActivities<OnCallGroupActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** A handoff is synced a moment after it, so the provider already names the next person. */
const AFTER_HANDOFF_MS = 5_000;
/** Bounds one run's history however often a provider says a shift ends; the next run carries on. */
const MAX_SYNCS_PER_RUN = 100;

export async function onCallGroupSync(input: OnCallGroupInput): Promise<OnCallGroupSync[]> {
  const started = workflowInfo().runStartTime.getTime();
  const until = started + input.horizonMinutes * 60_000;
  const syncs: OnCallGroupSync[] = [];
  for (;;) {
    const result = await syncOnCallGroup({ team: input.team, handle: input.handle });
    syncs.push(result);
    if (!result.nextHandoff || syncs.length >= MAX_SYNCS_PER_RUN) return syncs;
    const wake = Date.parse(result.nextHandoff) + AFTER_HANDOFF_MS;
    // The schedule's next run syncs whatever comes after the horizon.
    if (!Number.isFinite(wake) || wake >= until) return syncs;
    await sleep(Math.max(wake - Date.now(), 1_000));
  }
}
