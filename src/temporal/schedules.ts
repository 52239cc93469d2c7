/**
 * Temporal Schedules the bot keeps (the attestation rounds, the weekly digest, the @oncall sync): made
 * at start when missing, brought up to date when the configuration changed, so every replica calling
 * this at start converges on one schedule per id instead of racing to make two.
 */
import { type Client, ScheduleAlreadyRunning, type ScheduleSpec } from '@temporalio/client';

export interface KeptSchedule {
  /** A business key: `attestation/group:default/team-payments`, `digest`. */
  scheduleId: string;
  spec: ScheduleSpec;
  workflowType: string;
  args: unknown[];
  taskQueue: string;
  /** The started workflows' id prefix (Temporal appends the start time); default the schedule id. */
  workflowId?: string;
  /** Where the schedule's note says it came from, shown in the Temporal UI. */
  note?: string;
}

/** Creates the schedule, or replaces the spec and action of the one already there. */
export async function keepSchedule(client: Client, s: KeptSchedule): Promise<void> {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: s.workflowType,
    args: s.args,
    taskQueue: s.taskQueue,
    workflowId: s.workflowId ?? s.scheduleId,
  };
  try {
    await client.schedule.create({
      scheduleId: s.scheduleId,
      spec: s.spec,
      action,
      // A missed run (the server was down) runs once when it is back, not once per missed slot.
      policies: { catchupWindow: '1 day', overlap: 'SKIP' },
      ...(s.note && { memo: { note: s.note } }),
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(s.scheduleId).update((prev) => ({ ...prev, spec: s.spec, action }));
  }
}

/** Deletes schedules under `prefix` that are not in `keep` (a team whose setting was removed). */
export async function dropSchedules(client: Client, prefix: string, keep: Set<string>): Promise<string[]> {
  const dropped: string[] = [];
  for await (const s of client.schedule.list()) {
    if (s.scheduleId.startsWith(prefix) && !keep.has(s.scheduleId)) {
      await client.schedule.getHandle(s.scheduleId).delete();
      dropped.push(s.scheduleId);
    }
  }
  return dropped;
}
